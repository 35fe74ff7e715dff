"""Fused softmax cross-entropy and its gradient (see ``compiler.ops.losses``).

Rows: ``[out, z, y, lo, hi, outer, C, from_logits]`` for the loss and
``[out, d, z, y, lo, hi, outer, C, from_logits]`` for the gradient. Both first
take the softmax of the whole ``(outer, C)`` block (``_softmax_block``: the
exponentials are ``vmath.exp``, vector code for float32 logits), then finish
each row in float64: the loss, or the gradient.
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT, dim, view
from compiler.kernels.vmath import exp


@njit(**JIT)
def _softmax_block(z, outer, c_len):
    """Softmax of each of the ``outer`` rows of ``z``: ``(s, top, total)``.

    ``s`` holds the probabilities in float64, ``top`` each row's max and
    ``total`` its sum of ``exp(z - top)`` (the three are views of one
    allocation). The exponentials run as one flat loop over the whole block,
    each element shifted by its row's max: a separate loop per row of ten
    classes cost four times as much (loop set-up and a scalar tail for every
    row). The max and the exponentials stay in the logits' dtype, so float32
    takes the vectorizable ``vmath.exp``; sums and quotients are float64, each
    row divided once and multiplied by the reciprocal.
    """
    size = outer * c_len
    e = np.empty(size, z.dtype)
    buffer = np.empty(size + 2 * outer)
    s, top, total = buffer[:size], buffer[size:size + outer], buffer[size + outer:]
    for i in range(outer):
        row = i * c_len
        t = z[row]
        for c in range(1, c_len):
            t = z[row + c] if z[row + c] > t else t
        top[i] = t
        for c in range(c_len):
            e[row + c] = t

    for j in range(size):
        e[j] = exp(z[j] - e[j])

    for i in range(outer):
        row = i * c_len
        acc = 0.0
        for c in range(c_len):
            acc += e[row + c]
        total[i] = acc
        inv = 1.0 / acc
        for c in range(c_len):
            s[row + c] = e[row + c] * inv
    return s, top, total


@njit(**JIT)
def softmax_xent(A, plan, q, n):
    o, z, y = plan[q, 0], plan[q, 1], plan[q, 2]
    lo, hi = A[plan[q, 3]] * 1.0, A[plan[q, 4]] * 1.0
    outer, c_len = dim(plan[q, 5], n), dim(plan[q, 6], n)
    logits = plan[q, 7] == 1
    zb, yb = view(A, z, outer * c_len), view(A, y, outer * c_len)
    out = view(A, o, outer)

    s, top, total = _softmax_block(zb, outer, c_len)

    for i in range(outer):
        row = i * c_len
        loss = 0.0
        if logits:
            lse = top[i] + np.log(total[i])
            for c in range(c_len):
                loss += yb[row + c] * (lse - zb[row + c])
        else:
            norm = 0.0
            for c in range(c_len):
                norm += s[row + c]
            inv = 1.0 / norm
            for c in range(c_len):
                if yb[row + c] != 0.0:  # a zero target adds 0 * log(p) = 0: skip the log
                    p = s[row + c] * inv
                    p = lo if p < lo else (hi if p > hi else p)
                    loss -= yb[row + c] * np.log(p)
        out[i] = loss


@njit(**JIT)
def softmax_xent_grad(A, plan, q, n):
    o, d, z, y = plan[q, 0], plan[q, 1], plan[q, 2], plan[q, 3]
    lo, hi = A[plan[q, 4]] * 1.0, A[plan[q, 5]] * 1.0
    outer, c_len = dim(plan[q, 6], n), dim(plan[q, 7], n)
    logits = plan[q, 8] == 1
    zb, yb = view(A, z, outer * c_len), view(A, y, outer * c_len)
    out, dr = view(A, o, outer * c_len), view(A, d, outer)

    s, top, total = _softmax_block(zb, outer, c_len)

    g = np.empty(c_len)
    for i in range(outer):
        row = i * c_len
        scale = dr[i] * 1.0
        if logits:
            ysum = 0.0
            for c in range(c_len):
                ysum += yb[row + c]
            for c in range(c_len):
                out[row + c] = scale * (s[row + c] * ysum - yb[row + c])
            continue
        # p = s / r clipped; g = dL/dp; back through p = s / r, then through softmax
        r = 0.0
        for c in range(c_len):
            r += s[row + c]
        inv = 1.0 / r
        gs = 0.0
        for c in range(c_len):
            p = s[row + c] * inv
            yc = yb[row + c] * 1.0
            gc = 0.0
            if yc != 0.0 or p <= 0.0:  # a branch, not a select: most targets are zero
                mask = 1.0 if (p > lo and p < hi) else (0.5 if (p == lo or p == hi) else 0.0)
                pc = lo if p < lo else (hi if p > hi else p)
                gc = -scale * yc / pc * mask
            g[c] = gc
            gs += gc * s[row + c]
        shift = gs * inv * inv
        dss = 0.0
        for c in range(c_len):
            g[c] = g[c] * inv - shift
            dss += g[c] * s[row + c]
        for c in range(c_len):
            out[row + c] = s[row + c] * (g[c] - dss)
