"""Benchmarks: a scale data generator and the harness that times each stage (`python -m benchmarks.run`)."""
