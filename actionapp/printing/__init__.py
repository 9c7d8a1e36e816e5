"""Printable letters: downloads, "I posted it", and letter-writing events."""
