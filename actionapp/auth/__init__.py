"""Organiser sign-in."""
