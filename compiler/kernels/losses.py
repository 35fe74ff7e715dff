"""Fused softmax cross-entropy and its gradient (see ``compiler.ops.losses``).

Rows: ``[out, z, y, lo, hi, outer, C, from_logits]`` for the loss and
``[out, d, z, y, lo, hi, outer, C, from_logits]`` for the gradient. Each row of
``C`` logits is handled in float64 registers: a max, one pass of exponentials,
then the loss or the gradient, so nothing of size ``C`` is stored besides the
result.
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim


@njit(**JIT)
def _max_and_exp_sum(A, start, length):
    """The row's maximum and the sum of ``exp(x - max)``, in float64."""
    top = -np.inf
    for c in range(length):
        v = A[start + c] * 1.0
        top = v if v > top else top
    total = 0.0
    for c in range(length):
        total += np.exp(A[start + c] - top)
    return top, total


@njit(**JIT)
def softmax_xent(A, plan, q, n):
    o, z, y = plan[q, 0], plan[q, 1], plan[q, 2]
    lo, hi = A[plan[q, 3]] * 1.0, A[plan[q, 4]] * 1.0
    outer, c_len = dim(plan[q, 5], n), dim(plan[q, 6], n)
    logits = plan[q, 7] == 1
    for i in range(outer):
        base = i * c_len
        top, total = _max_and_exp_sum(A, z + base, c_len)
        loss = 0.0
        if logits:
            lse = top + np.log(total)
            for c in range(c_len):
                loss += A[y + base + c] * (lse - A[z + base + c])
        else:
            norm = 0.0
            for c in range(c_len):
                norm += np.exp(A[z + base + c] - top) / total
            for c in range(c_len):
                p = np.exp(A[z + base + c] - top) / total / norm
                p = lo if p < lo else (hi if p > hi else p)
                loss -= A[y + base + c] * np.log(p)
        A[o + i] = loss


@njit(**JIT)
def softmax_xent_grad(A, plan, q, n):
    o, d, z, y = plan[q, 0], plan[q, 1], plan[q, 2], plan[q, 3]
    lo, hi = A[plan[q, 4]] * 1.0, A[plan[q, 5]] * 1.0
    outer, c_len = dim(plan[q, 6], n), dim(plan[q, 7], n)
    logits = plan[q, 8] == 1
    for i in range(outer):
        base = i * c_len
        top, total = _max_and_exp_sum(A, z + base, c_len)
        scale = A[d + i] * 1.0
        if logits:
            ysum = 0.0
            for c in range(c_len):
                ysum += A[y + base + c]
            for c in range(c_len):
                s = np.exp(A[z + base + c] - top) / total
                A[o + base + c] = scale * (s * ysum - A[y + base + c])
            continue
        # p = s / r clipped; g = dL/dp; back through p = s / r, then through softmax
        r = 0.0
        for c in range(c_len):
            r += np.exp(A[z + base + c] - top) / total
        gs = 0.0
        for c in range(c_len):
            s = np.exp(A[z + base + c] - top) / total
            p = s / r
            mask = 1.0 if (p > lo and p < hi) else (0.5 if (p == lo or p == hi) else 0.0)
            pc = lo if p < lo else (hi if p > hi else p)
            g = -scale * A[y + base + c] / pc * mask
            gs += g * s
        dss = 0.0
        for c in range(c_len):
            s = np.exp(A[z + base + c] - top) / total
            p = s / r
            mask = 1.0 if (p > lo and p < hi) else (0.5 if (p == lo or p == hi) else 0.0)
            pc = lo if p < lo else (hi if p > hi else p)
            ds = (-scale * A[y + base + c] / pc * mask) / r - gs / (r * r)
            A[o + base + c] = ds
            dss += ds * s
        for c in range(c_len):
            s = np.exp(A[z + base + c] - top) / total
            A[o + base + c] = s * (A[o + base + c] - dss)
