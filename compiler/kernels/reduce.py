"""Reductions over the middle axis of an ``(outer, R, inner)`` block, and their adjoint.

``reduce`` row: ``[out, a, outer, R, inner, kind]`` with kind 0 sum, 1 mean,
2 max. Sums over a last axis accumulate in float64 for accuracy; sums over
leading axes (a bias gradient) accumulate row by row into the output so the
inner loop vectorizes. ``broadcast_axes`` row: ``[out, a, outer, R, inner,
mean]`` repeats ``a`` along the middle axis (divided by R when ``mean``).
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim


@njit(**JIT)
def reduce(A, plan, q, n):
    o, a = plan[q, 0], plan[q, 1]
    outer, r_len, inner = dim(plan[q, 2], n), dim(plan[q, 3], n), dim(plan[q, 4], n)
    kind = plan[q, 5]
    for i in range(outer):
        ob = o + i * inner
        ib = a + i * r_len * inner
        if inner == 1:
            if kind == 2:
                best = -np.inf
                for r in range(r_len):
                    v = A[ib + r]
                    best = v if v > best else best
                A[ob] = best
            else:
                acc = 0.0
                for r in range(r_len):
                    acc += A[ib + r]
                if kind == 1:
                    acc = acc / r_len
                A[ob] = acc
            continue
        for j in range(inner):
            A[ob + j] = -np.inf if kind == 2 else 0.0
        for r in range(r_len):
            rb = ib + r * inner
            if kind == 2:
                for j in range(inner):
                    v = A[rb + j]
                    A[ob + j] = v if v > A[ob + j] else A[ob + j]
            else:
                for j in range(inner):
                    A[ob + j] += A[rb + j]
        if kind == 1 and r_len > 0:
            scale = 1.0 / r_len
            for j in range(inner):
                A[ob + j] = A[ob + j] * scale


@njit(**JIT)
def broadcast_axes(A, plan, q, n):
    o, a = plan[q, 0], plan[q, 1]
    outer, r_len, inner = dim(plan[q, 2], n), dim(plan[q, 3], n), dim(plan[q, 4], n)
    scale = 1.0 / r_len if plan[q, 5] == 1 and r_len > 0 else 1.0
    for i in range(outer):
        src = a + i * inner
        for r in range(r_len):
            dst = o + (i * r_len + r) * inner
            for j in range(inner):
                A[dst + j] = A[src + j] * scale
