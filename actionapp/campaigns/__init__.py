"""Actions, their texts per language, targets, model letters and the editor."""
