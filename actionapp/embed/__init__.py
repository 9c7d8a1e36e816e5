"""Pages other sites may embed, and uploaded action images."""
