"""Counts, rollups, statistics, charts, exports and the embeddable counter."""
