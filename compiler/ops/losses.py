"""Fused loss ops: softmax cross-entropy in one numerically careful pass per row.

``softmax_xent(z, y, lo, hi)`` is the per-sample cross-entropy of targets
``y`` against ``softmax(z)`` along the last axis. With ``from_logits`` it is
``logsumexp(z) * sum(y) - sum(y * z)``; without, it reproduces Keras 3's
probability path exactly: ``p = s / sum(s)`` for ``s = softmax(z)``, clipped
to ``[lo, hi]`` (Keras's ``epsilon`` and ``1 - epsilon`` as rounded to the
dtype), then ``-sum(y * log(p))``, so saturated outputs give the same
(clipped) loss and gradient as Keras. Its gradient op computes ``dz`` in
the same pass; away from the clip bounds it is ``d * (p * sum(y) - y)``,
without ever forming the softmax Jacobian.
"""

import numpy as np

from compiler.ops.build import emit
from compiler.ops.registry import Library, OpDef, ShapeError, register
from compiler.plan import split3
from compiler.types import TensorType


def _shape(in_types, attrs):
    z, y, lo, hi = in_types
    if z.shape != y.shape:
        raise ShapeError(f"logits {z.shape} and targets {y.shape} differ")
    if lo.shape != () or hi.shape != ():
        raise ShapeError("the clip bounds must be scalars")
    if z.rank < 1:
        raise ShapeError("softmax cross-entropy needs at least one axis")
    return TensorType(tuple(z.shape[:-1]), z.dtype)


def _grad_shape(in_types, attrs):
    d, z = in_types[:2]
    if tuple(d.shape) != tuple(z.shape[:-1]):
        raise ShapeError(f"gradient {d.shape} does not match logits {z.shape}")
    return z


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _numpy(inputs, attrs):
    z, y, lo, hi = (np.asarray(a, dtype=np.float64) for a in inputs)
    if attrs["from_logits"]:
        top = z.max(axis=-1, keepdims=True)
        lse = (top + np.log(np.exp(z - top).sum(axis=-1, keepdims=True)))[..., 0]
        return (lse * y.sum(axis=-1) - (y * z).sum(axis=-1)).astype(inputs[0].dtype)
    s = _softmax(z)
    p = np.clip(s / s.sum(axis=-1, keepdims=True), lo, hi)
    return (-(y * np.log(p)).sum(axis=-1)).astype(inputs[0].dtype)


def _grad_numpy(inputs, attrs):
    d, z, y, lo, hi = (np.asarray(a, dtype=np.float64) for a in inputs)
    d = d[..., None]
    s = _softmax(z)
    if attrs["from_logits"]:
        return (d * (s * y.sum(axis=-1, keepdims=True) - y)).astype(inputs[1].dtype)
    r = s.sum(axis=-1, keepdims=True)
    p = s / r
    mask = np.where((p > lo) & (p < hi), 1.0, np.where((p == lo) | (p == hi), 0.5, 0.0))
    g = -d * y / np.clip(p, lo, hi) * mask
    ds = g / r - (g * s).sum(axis=-1, keepdims=True) / r ** 2
    return (s * (ds - (ds * s).sum(axis=-1, keepdims=True))).astype(inputs[1].dtype)


def _rows_of(logits_index):
    def row(out, operands, attrs):
        z = operands[logits_index]
        outer, c, _ = split3(z.type.shape, [z.type.rank - 1])
        return [out.offset, *[o.offset for o in operands], outer, c,
                int(attrs["from_logits"])]
    return row


def _grad(g, name, d):
    dz = emit(g, "softmax_xent_grad", [d, *g.operands(name)],
              {"from_logits": g.attrs_of(name)["from_logits"]}, like=name)
    return [dz, None, None, None]


register(OpDef("softmax_xent", 4, _shape, _numpy, Library("softmax_xent", _rows_of(0)), _grad,
               doc="per-sample softmax cross-entropy along the last axis",
               required_attrs=("from_logits",)))
register(OpDef("softmax_xent_grad", 5, _grad_shape, _grad_numpy,
               Library("softmax_xent_grad", _rows_of(1)),
               doc="gradient of softmax_xent with respect to the logits",
               required_attrs=("from_logits",)))
