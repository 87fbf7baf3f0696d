"""Benchmarks: scripts that print and record figures (not timed tests)."""
