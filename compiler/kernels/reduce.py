"""Reductions over the middle axis of an ``(outer, R, inner)`` block, and their adjoint.

``reduce`` row: ``[out, a, outer, R, inner, kind]`` with kind 0 sum, 1 mean,
2 max. Sums over a last axis accumulate in float64 for accuracy; sums over
leading axes (a bias gradient) accumulate row by row into the output so the
inner loop vectorizes. ``broadcast_axes`` row: ``[out, a, outer, R, inner,
mean]`` repeats ``a`` along the middle axis (divided by R when ``mean``).
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim, view


@njit(**JIT)
def reduce(A, plan, q, n):
    o, a = plan[q, 0], plan[q, 1]
    outer, r_len, inner = dim(plan[q, 2], n), dim(plan[q, 3], n), dim(plan[q, 4], n)
    kind = plan[q, 5]
    src = view(A, a, outer * r_len * inner)
    for i in range(outer):
        out = view(A, o + i * inner, inner)
        ib = i * r_len * inner
        if inner == 1:
            if kind == 2:
                best = -np.inf
                for r in range(r_len):
                    v = src[ib + r]
                    best = v if v > best else best
                out[0] = best
            else:
                acc = 0.0
                for r in range(r_len):
                    acc += src[ib + r]
                if kind == 1:
                    acc = acc / r_len
                out[0] = acc
            continue
        for j in range(inner):
            out[j] = -np.inf if kind == 2 else 0.0
        for r in range(r_len):
            row = view(src, ib + r * inner, inner)
            if kind == 2:
                for j in range(inner):
                    v = row[j]
                    out[j] = v if v > out[j] else out[j]
            else:
                for j in range(inner):
                    out[j] += row[j]
        if kind == 1 and r_len > 0:
            scale = 1.0 / r_len
            for j in range(inner):
                out[j] = out[j] * scale


@njit(**JIT)
def broadcast_axes(A, plan, q, n):
    o, a = plan[q, 0], plan[q, 1]
    outer, r_len, inner = dim(plan[q, 2], n), dim(plan[q, 3], n), dim(plan[q, 4], n)
    scale = 1.0 / r_len if plan[q, 5] == 1 and r_len > 0 else 1.0
    for i in range(outer):
        src = view(A, a + i * inner, inner)
        for r in range(r_len):
            dst = view(A, o + (i * r_len + r) * inner, inner)
            for j in range(inner):
                dst[j] = src[j] * scale
