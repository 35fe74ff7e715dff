"""Helpers for the saving tests: fixture paths, stored arrays, comparisons."""

import os

import numpy as np
import pytest

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def fixture(name):
    return os.path.join(FIXTURES, name)


def arrays(npz, prefix):
    """The arrays ``prefix0, prefix1, ...`` of an npz: one array, or a list of several."""
    keys = sorted((k for k in npz.files if k.startswith(prefix) and k[len(prefix):].isdigit()),
                  key=lambda k: int(k[len(prefix):]))
    found = [npz[k] for k in keys]
    return found if len(found) > 1 else found[0]


def as_list(value):
    return value if isinstance(value, list) else [value]


def assert_close_lists(actual, expected, atol=1e-6):
    actual, expected = as_list(actual), as_list(expected)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=atol)


def require_layers(*names):
    """Skip when graphkeras does not have these layers yet."""
    import graphkeras.layers as layers
    missing = [n for n in names if not hasattr(layers, n)]
    if missing:
        pytest.skip(f"graphkeras.layers has no {missing} yet")
