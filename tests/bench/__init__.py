"""Benchmarks run by hand with `make bench` (never part of the test suite)."""
