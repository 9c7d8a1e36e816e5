"""Solidarity messages to the people an action is about."""
