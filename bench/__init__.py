"""The national-scale benchmark suite: `make bench` or `python -m bench` (docs/PERFORMANCE.md)."""
