"""Random numbers inside compiled programs, and how to seed them from Python.

Numba keeps its own Mersenne Twister state for ``np.random`` in compiled code,
separate from NumPy's: ``np.random.seed`` called from Python does not reach it.
``seed(value)`` seeds it from inside Numba, after which the draws follow
NumPy's legacy stream for the same seed (so the interpreter, which draws from
NumPy's global generator, gives the same numbers when both are seeded alike).

``random_uniform`` row: ``[out, size]``: ``size`` draws from U[0, 1).
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim, view


@njit(**JIT)
def random_uniform(A, plan, q, n):
    size = dim(plan[q, 1], n)
    out = view(A, plan[q, 0], size)
    for i in range(size):
        out[i] = np.random.random()


@njit(cache=True)
def _seed(value):
    np.random.seed(value)


def seed(value):
    """Seed the generator of compiled code (reduced modulo 2**32, as NumPy needs)."""
    if not isinstance(value, (int, np.integer)):
        raise TypeError(f"A seed must be an integer; received {value!r}.")
    _seed(np.uint32(int(value) % 2 ** 32))
