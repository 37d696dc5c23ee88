"""Benchmarks, each a script run as `.venv/bin/python bench/<name>.py`, with its report."""
