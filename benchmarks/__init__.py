"""Benchmarks of graphkeras against PyTorch, JAX and Keras 3; run with ``python -m benchmarks``.

See ``benchmarks/README.md`` for setting up the peers and reading the results.
"""
