"""Pieces of `scripts/bench.py`: one module per group of rows (see that script's docstring)."""
