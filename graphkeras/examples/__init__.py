"""Runnable examples: ``python -m graphkeras.examples.digits_mlp``."""
