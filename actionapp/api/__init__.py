"""JSON API blueprint."""
