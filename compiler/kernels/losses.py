"""Fused softmax cross-entropy and its gradient (see ``compiler.ops.losses``).

Rows: ``[out, z, y, lo, hi, outer, C, from_logits]`` for the loss and
``[out, d, z, y, lo, hi, outer, C, from_logits]`` for the gradient. Each row of
``C`` logits is handled in float64: a max, one pass of exponentials into a
row-sized buffer (allocated once per call), then the loss or the gradient.
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim, view


@njit(**JIT)
def _softmax_row(z, s):
    """``s`` = softmax of the logits row ``z`` in float64; returns the row max and exp-sum.

    One exponential per element: the kernels below read ``s`` again rather
    than recomputing it (scalar ``exp`` is most of their cost).
    """
    top = -np.inf
    for c in range(z.shape[0]):
        v = z[c] * 1.0
        top = v if v > top else top
    total = 0.0
    for c in range(z.shape[0]):
        e = np.exp(z[c] - top)
        s[c] = e
        total += e
    for c in range(z.shape[0]):
        s[c] = s[c] / total
    return top, total


@njit(**JIT)
def softmax_xent(A, plan, q, n):
    o, z, y = plan[q, 0], plan[q, 1], plan[q, 2]
    lo, hi = A[plan[q, 3]] * 1.0, A[plan[q, 4]] * 1.0
    outer, c_len = dim(plan[q, 5], n), dim(plan[q, 6], n)
    logits = plan[q, 7] == 1
    s = np.empty(c_len)
    out = view(A, o, outer)
    for i in range(outer):
        zr, yr = view(A, z + i * c_len, c_len), view(A, y + i * c_len, c_len)
        top, total = _softmax_row(zr, s)
        loss = 0.0
        if logits:
            lse = top + np.log(total)
            for c in range(c_len):
                loss += yr[c] * (lse - zr[c])
        else:
            norm = 0.0
            for c in range(c_len):
                norm += s[c]
            for c in range(c_len):
                if yr[c] != 0.0:  # a zero target adds 0 * log(p) = 0: skip the log
                    p = s[c] / norm
                    p = lo if p < lo else (hi if p > hi else p)
                    loss -= yr[c] * np.log(p)
        out[i] = loss


@njit(**JIT)
def softmax_xent_grad(A, plan, q, n):
    o, d, z, y = plan[q, 0], plan[q, 1], plan[q, 2], plan[q, 3]
    lo, hi = A[plan[q, 4]] * 1.0, A[plan[q, 5]] * 1.0
    outer, c_len = dim(plan[q, 6], n), dim(plan[q, 7], n)
    logits = plan[q, 8] == 1
    s, g = np.empty(c_len), np.empty(c_len)
    dr = view(A, d, outer)
    for i in range(outer):
        zr, yr = view(A, z + i * c_len, c_len), view(A, y + i * c_len, c_len)
        out = view(A, o + i * c_len, c_len)
        _softmax_row(zr, s)
        scale = dr[i] * 1.0
        if logits:
            ysum = 0.0
            for c in range(c_len):
                ysum += yr[c]
            for c in range(c_len):
                out[c] = scale * (s[c] * ysum - yr[c])
            continue
        # p = s / r clipped; g = dL/dp; back through p = s / r, then through softmax
        r = 0.0
        for c in range(c_len):
            r += s[c]
        gs = 0.0
        for c in range(c_len):
            p = s[c] / r
            mask = 1.0 if (p > lo and p < hi) else (0.5 if (p == lo or p == hi) else 0.0)
            pc = lo if p < lo else (hi if p > hi else p)
            gc = 0.0 if (yr[c] == 0.0 and pc > 0.0) else -scale * yr[c] / pc * mask
            g[c] = gc
            gs += gc * s[c]
        shift = gs / (r * r)
        dss = 0.0
        for c in range(c_len):
            ds = g[c] / r - shift
            out[c] = ds
            dss += ds * s[c]
        for c in range(c_len):
            out[c] = s[c] * (out[c] - dss)
