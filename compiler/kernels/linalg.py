"""Matrix products through BLAS (``np.dot`` inside Numba), one kernel per transpose pattern.

``matmul_*`` multiply 2-D operands; ``batch_matmul_*`` loop over a leading
batch of 3-D operands (see the section at the end).

Row: ``[out, a, b, M, K, N, ta, tb]`` with ``op(a)`` of shape (M, K) and
``op(b)`` (K, N). Transposed operands are ``.T`` views, which Numba hands to
BLAS as a flag rather than copying. Each pattern is its own function so that a
program compiles only the BLAS bindings it uses.
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim


@njit(**JIT)
def _dims(plan, q, n):
    return (plan[q, 0], plan[q, 1], plan[q, 2],
            dim(plan[q, 3], n), dim(plan[q, 4], n), dim(plan[q, 5], n))


@njit(**JIT)
def _empty(A, o, m, k, p):
    if m == 0 or p == 0:
        return True
    if k == 0:
        A[o:o + m * p] = 0
        return True
    return False


@njit(**JIT)
def matmul_nn(A, plan, q, n):
    o, a, b, m, k, p = _dims(plan, q, n)
    if _empty(A, o, m, k, p):
        return
    np.dot(A[a:a + m * k].reshape((m, k)), A[b:b + k * p].reshape((k, p)),
           A[o:o + m * p].reshape((m, p)))


@njit(**JIT)
def matmul_tn(A, plan, q, n):
    o, a, b, m, k, p = _dims(plan, q, n)
    if _empty(A, o, m, k, p):
        return
    np.dot(A[a:a + k * m].reshape((k, m)).T, A[b:b + k * p].reshape((k, p)),
           A[o:o + m * p].reshape((m, p)))


@njit(**JIT)
def matmul_nt(A, plan, q, n):
    o, a, b, m, k, p = _dims(plan, q, n)
    if _empty(A, o, m, k, p):
        return
    np.dot(A[a:a + m * k].reshape((m, k)), A[b:b + p * k].reshape((p, k)).T,
           A[o:o + m * p].reshape((m, p)))


@njit(**JIT)
def matmul_tt(A, plan, q, n):
    o, a, b, m, k, p = _dims(plan, q, n)
    if _empty(A, o, m, k, p):
        return
    np.dot(A[a:a + k * m].reshape((k, m)).T, A[b:b + p * k].reshape((p, k)).T,
           A[o:o + m * p].reshape((m, p)))


# -- batched products: (B, M, K) x (B, K, N), one BLAS call per batch item ------------
#
# Row: ``[out, a, b, B, M, K, N, ta, tb]`` with ``op(a[i])`` of shape (M, K) and
# ``op(b[i])`` (K, N); ``B`` may be the runtime batch. Each item is a 2-D view of
# the arena handed to ``np.dot`` (Numba has no batched ``@``).


@njit(**JIT)
def _bdims(plan, q, n):
    return (plan[q, 0], plan[q, 1], plan[q, 2], dim(plan[q, 3], n),
            dim(plan[q, 4], n), dim(plan[q, 5], n), dim(plan[q, 6], n))


@njit(**JIT)
def batch_matmul_nn(A, plan, q, n):
    o, a, b, count, m, k, p = _bdims(plan, q, n)
    for i in range(count):
        oi, ai, bi = o + i * m * p, a + i * m * k, b + i * k * p
        if not _empty(A, oi, m, k, p):
            np.dot(A[ai:ai + m * k].reshape((m, k)), A[bi:bi + k * p].reshape((k, p)),
                   A[oi:oi + m * p].reshape((m, p)))


@njit(**JIT)
def batch_matmul_tn(A, plan, q, n):
    o, a, b, count, m, k, p = _bdims(plan, q, n)
    for i in range(count):
        oi, ai, bi = o + i * m * p, a + i * m * k, b + i * k * p
        if not _empty(A, oi, m, k, p):
            np.dot(A[ai:ai + k * m].reshape((k, m)).T, A[bi:bi + k * p].reshape((k, p)),
                   A[oi:oi + m * p].reshape((m, p)))


@njit(**JIT)
def batch_matmul_nt(A, plan, q, n):
    o, a, b, count, m, k, p = _bdims(plan, q, n)
    for i in range(count):
        oi, ai, bi = o + i * m * p, a + i * m * k, b + i * k * p
        if not _empty(A, oi, m, k, p):
            np.dot(A[ai:ai + m * k].reshape((m, k)), A[bi:bi + p * k].reshape((p, k)).T,
                   A[oi:oi + m * p].reshape((m, p)))


@njit(**JIT)
def batch_matmul_tt(A, plan, q, n):
    o, a, b, count, m, k, p = _bdims(plan, q, n)
    for i in range(count):
        oi, ai, bi = o + i * m * p, a + i * m * k, b + i * k * p
        if not _empty(A, oi, m, k, p):
            np.dot(A[ai:ai + k * m].reshape((k, m)).T, A[bi:bi + p * k].reshape((p, k)).T,
                   A[oi:oi + m * p].reshape((m, p)))
