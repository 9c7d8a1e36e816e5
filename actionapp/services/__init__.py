"""The rules of actionapp: plain functions that take and return plain values."""
