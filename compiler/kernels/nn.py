"""Row-wise kernels: softmax, log-softmax and their gradients, argmax, one-hot, in-top-k.

Each sees its tensor as ``(outer, C, inner)`` blocks and works along ``C``. The
softmax's max and exponentials stay in the arena's dtype, so float32 rows take
the vectorizable ``vmath.exp``; its sums are float64.
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim
from compiler.kernels.vmath import exp


@njit(**JIT)
def softmax(A, plan, q, n):
    """Row ``[out, a, outer, C, inner, log]``: softmax, or log-softmax when ``log``."""
    o, a = plan[q, 0], plan[q, 1]
    outer, c_len, inner = dim(plan[q, 2], n), dim(plan[q, 3], n), dim(plan[q, 4], n)
    log = plan[q, 5] == 1
    for i in range(outer):
        for j in range(inner):
            base = i * c_len * inner + j
            top = A[a + base]
            for c in range(1, c_len):
                v = A[a + base + c * inner]
                top = v if v > top else top
            total = 0.0
            for c in range(c_len):
                total += exp(A[a + base + c * inner] - top)
            if log:
                shift = top + np.log(total)
                for c in range(c_len):
                    A[o + base + c * inner] = A[a + base + c * inner] - shift
            else:
                inv = 1.0 / total
                for c in range(c_len):
                    A[o + base + c * inner] = exp(A[a + base + c * inner] - top) * inv


@njit(**JIT)
def softmax_grad(A, plan, q, n):
    """Row ``[out, d, y, outer, C, inner, log]``: the VJP from the (log-)softmax output y."""
    o, d, y = plan[q, 0], plan[q, 1], plan[q, 2]
    outer, c_len, inner = dim(plan[q, 3], n), dim(plan[q, 4], n), dim(plan[q, 5], n)
    log = plan[q, 6] == 1
    for i in range(outer):
        for j in range(inner):
            base = i * c_len * inner + j
            total = 0.0
            for c in range(c_len):
                k = base + c * inner
                total += A[d + k] if log else A[d + k] * A[y + k]
            for c in range(c_len):
                k = base + c * inner
                if log:
                    A[o + k] = A[d + k] - exp(A[y + k]) * total
                else:
                    A[o + k] = A[y + k] * (A[d + k] - total)


@njit(**JIT)
def argmax(A, plan, q, n):
    """Row ``[out, a, outer, C, inner]``: index of the first maximum, stored as a float."""
    o, a = plan[q, 0], plan[q, 1]
    outer, c_len, inner = dim(plan[q, 2], n), dim(plan[q, 3], n), dim(plan[q, 4], n)
    for i in range(outer):
        for j in range(inner):
            base = a + i * c_len * inner + j
            best = 0
            for c in range(1, c_len):
                if A[base + c * inner] > A[base + best * inner]:
                    best = c
            A[o + i * inner + j] = best


@njit(**JIT)
def one_hot(A, plan, q, n):
    """Row ``[out, a, size, depth]``: one row of ``depth`` per index; bad indices give zeros."""
    o, a = plan[q, 0], plan[q, 1]
    size, depth = dim(plan[q, 2], n), plan[q, 3]
    for i in range(size):
        label = A[a + i]
        for c in range(depth):
            A[o + i * depth + c] = 0.0
        k = int(label)
        if k >= 0 and k < depth and k == label:
            A[o + i * depth + k] = 1.0


@njit(**JIT)
def in_top_k(A, plan, q, n):
    """Row ``[out, targets, predictions, rows, C, k]``: 1 where the target class is in the top k.

    As in Keras, a class is in the top k when fewer than ``k`` classes score
    strictly higher, so ties at the boundary count as in. A target that is not
    a valid class index gives 0.
    """
    o, t, p = plan[q, 0], plan[q, 1], plan[q, 2]
    rows, c_len, k = dim(plan[q, 3], n), plan[q, 4], plan[q, 5]
    for i in range(rows):
        label = A[t + i]
        c = int(label)
        hit = 0.0
        if c >= 0 and c < c_len and c == label:
            base = p + i * c_len
            v = A[base + c]
            above = 0
            for j in range(c_len):
                above += 1 if A[base + j] > v else 0
            hit = 1.0 if above < k else 0.0
        A[o + i] = hit
