"""The vectorizable exponential: accuracy over float32's range, special values, float64 path."""

import numpy as np
import pytest
from numba import njit

from compiler.kernels.common import JIT
from compiler.kernels.vmath import exp

TINY = np.finfo(np.float32).tiny


@njit(**JIT)
def _exp_all(x, out):
    for i in range(x.shape[0]):
        out[i] = exp(x[i])


def _run(x):
    out = np.empty_like(x)
    _exp_all(x, out)
    return out


def test_float32_within_two_units_in_the_last_place_over_the_normal_range():
    x = np.linspace(-87.3, 88.7, 400_001, dtype=np.float32)
    x = np.concatenate([x, np.float32([0.0, -0.0, 1e-30, -1e-30, 0.5, -0.5, 1.0])])
    want = np.exp(x.astype(np.float64))

    got = _run(x).astype(np.float64)

    assert np.all(np.abs(got - want) <= 2 * np.spacing(want.astype(np.float32)))


def test_float32_special_values_follow_ieee():
    x = np.float32([np.nan, np.inf, -np.inf, 88.8, 1e4, -87.4, -1e4])

    got = _run(x)

    assert np.isnan(got[0])
    assert got[1] == np.inf and got[3] == np.inf and got[4] == np.inf
    assert got[2] == 0 and got[5] == 0 and got[6] == 0


def test_float32_results_below_the_smallest_normal_are_zero_or_normal():
    got = _run(np.linspace(-100, -80, 10_001, dtype=np.float32))

    assert np.all((got == 0) | (got >= TINY))
    assert np.all(np.diff(got) >= 0)


@pytest.mark.parametrize("value", [-745.0, -3.5, 0.0, 1e-300, 2.25, 709.0])
def test_float64_is_numpy_exp(value):
    x = np.array([value])

    assert _run(x)[0] == np.exp(x)[0]


def test_outside_compiled_code_it_is_numpy_exp():
    x = np.float32([-1.0, 0.0, 3.0])

    np.testing.assert_array_equal(exp(x), np.exp(x))
