"""Random numbers inside compiled programs, and how to seed them from Python.

``random_uniform`` row: ``[out, size]``: ``size`` draws from U[0, 1).

Each call takes two draws from Numba's Mersenne Twister (its own state for
``np.random`` in compiled code, separate from NumPy's) as a 64-bit key, and
element ``i`` is a hash of ``(key, i)``: a Weyl step (``i`` times the golden
ratio in 32 bits, plus the key) through MurmurHash3's 32-bit finalizer, whose
top 24 bits make a float in [0, 1). Drawing straight from the Twister costs
about 4.5 ns per element and stays scalar; the hash is a few integer
operations per element that vectorize, so a dropout mask no longer costs a
tenth of a training step. ``compiler.ops.random`` computes the same numbers
in NumPy from NumPy's legacy generator, whose stream is the Twister's for
the same seed, so compiled and interpreted programs agree when seeded alike
(``seed``).
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim, view

WEYL = 0x9E3779B9
MIX1, MIX2 = 0x85EBCA6B, 0xC2B2AE35
LOW32 = 0xFFFFFFFF


def _hash(index, k0, k1):
    """Uniform [0, 1) floats from uint64 ``index`` (a scalar or an array) and the key.

    Plain operators only, so NumPy runs it on arrays and Numba compiles it for
    scalars (``_hash_jit``): one formula for the kernel and its reference.
    """
    low = np.uint64(LOW32)
    h = ((index * np.uint64(WEYL) + k0) & low) ^ k1
    h = h ^ (h >> np.uint64(16))
    h = (h * np.uint64(MIX1)) & low
    h = h ^ (h >> np.uint64(13))
    h = (h * np.uint64(MIX2)) & low
    h = h ^ (h >> np.uint64(16))
    return (h >> np.uint64(8)) * 5.9604644775390625e-08


_hash_jit = njit(inline="always", **JIT)(_hash)


@njit(**JIT)
def _key():
    """A 64-bit key, as two 32-bit halves, from two draws of the Twister."""
    return (np.uint64(np.random.random() * 4294967296.0),
            np.uint64(np.random.random() * 4294967296.0))


@njit(**JIT)
def random_uniform(A, plan, q, n):
    size = dim(plan[q, 1], n)
    out = view(A, plan[q, 0], size)
    k0, k1 = _key()
    for i in range(size):
        out[i] = _hash_jit(np.uint64(i), k0, k1)


def uniform_like_numpy(size):
    """The draws ``random_uniform`` makes for ``size`` elements, from NumPy's legacy generator."""
    k0 = np.uint64(np.random.random() * 4294967296.0)
    k1 = np.uint64(np.random.random() * 4294967296.0)
    return _hash(np.arange(size, dtype=np.uint64), k0, k1)


@njit(cache=True)
def _seed(value):
    np.random.seed(value)


def seed(value):
    """Seed the generator of compiled code (reduced modulo 2**32, as NumPy needs)."""
    if not isinstance(value, (int, np.integer)):
        raise TypeError(f"A seed must be an integer; received {value!r}.")
    _seed(np.uint32(int(value) % 2 ** 32))
