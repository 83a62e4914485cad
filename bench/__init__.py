"""Benchmarks and the synthetic data generator (`python -m bench.run`); not part of the test suite."""
