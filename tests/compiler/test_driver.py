"""The shared driver: kernel calls through a table of addresses, in order, errors kept."""

import numba
import numpy as np
import pytest
from numba import njit

from compiler.kernels import fpenv
from compiler.kernels.driver import run_calls
from compiler.kernels.native import entry_point

A_TYPE = numba.typeof(np.zeros(1, np.float32))
PLAN_TYPE = numba.typeof(np.zeros((1, 1), np.int64))
SIGNATURE = (A_TYPE, PLAN_TYPE, numba.types.int64, numba.types.int64)


@njit
def _double_into(A, plan, q, n):
    """Row ``[dst, src]``: ``A[dst] = 2 * A[src] + n``."""
    A[plan[q, 0]] = 2 * A[plan[q, 1]] + n


@njit
def _add_into(A, plan, q, n):
    """Row ``[dst, src]``: ``A[dst] += A[src] + q``."""
    A[plan[q, 0]] += A[plan[q, 1]] + q


@njit
def _refuse_large(A, plan, q, n):
    if n > plan[q, 0]:
        raise ValueError("batch larger than the row allows")
    A[0] = n


def _entries(*kernels):
    for kernel in kernels:
        kernel.compile(SIGNATURE)
    return np.array([entry_point(k, SIGNATURE) for k in kernels], dtype=np.int64)


def test_rows_run_in_order_with_their_index_and_the_batch_size():
    A = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    plan = np.array([[1, 0], [2, 1], [1, 2]], dtype=np.int64)
    entries = _entries(_double_into, _add_into, _add_into)
    run_calls(entries, A, plan, np.int64(3))
    # row 0: A1 = 2*1 + 3 = 5; row 1: A2 += 5 + 1 = 6; row 2: A1 += 6 + 2 = 13
    np.testing.assert_array_equal(A, [1.0, 13.0, 6.0])


def _float_environment():
    previous = fpenv.flush_denormals()
    fpenv.restore(previous)
    return previous


def test_an_exception_inside_a_kernel_reaches_python_and_restores_the_float_environment():
    A = np.zeros(1, dtype=np.float32)
    plan = np.array([[4]], dtype=np.int64)
    entries = _entries(_refuse_large)
    run_calls(entries, A, plan, np.int64(4))
    assert A[0] == 4
    before = _float_environment()
    with pytest.raises(ValueError, match="batch larger than the row allows"):
        run_calls(entries, A, plan, np.int64(5))
    assert _float_environment() == before
    assert np.float32(1e-39) * np.float32(1.0) > 0, "NumPy still sees subnormals"
    run_calls(entries, A, plan, np.int64(2))
    assert A[0] == 2
