"""Test settings: IR verification after every pass, and a shared cache for compiled kernels."""

import os

os.environ["GRAPHKERAS_CHECKS"] = "1"
os.environ.setdefault("GRAPHKERAS_CACHE_DIR",
                      os.path.join(os.path.dirname(__file__), "..", ".cache", "graphkeras"))

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_names():
    """Each test starts with Keras's automatic names (``dense``, ``dense_1``) from zero."""
    from graphkeras import backend
    backend.clear_session()
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
