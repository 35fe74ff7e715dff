"""Neural-network ops that need whole rows: softmax, log-softmax, argmax, one-hot; and reshape."""

import numpy as np

from compiler.ops import shapes
from compiler.ops.build import emit
from compiler.ops.registry import Alias, Library, OpDef, ShapeError, register
from compiler.plan import encode_size, split3
from compiler.types import TensorType


def _axis_attr(in_types, attrs):
    x = in_types[0]
    (axis,) = shapes.normalize_axes(attrs.get("axis", -1), x.rank)
    attrs["axis"] = axis
    return x


def _softmax_np(x, axis):
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z)
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(x.dtype)


def _log_softmax_np(x, axis):
    z = x - np.max(x, axis=axis, keepdims=True)
    return (z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))).astype(x.dtype)


def _rows_row(kind):
    def row(out, operands, attrs):
        return [out.offset, *[o.offset for o in operands],
                *split3(operands[0].type.shape, [attrs["axis"]]), kind]
    return row


def _softmax_grad(grad_op):
    def rule(g, name, d):
        return [emit(g, grad_op, [d, name], {"axis": g.attrs_of(name)["axis"]}, like=name)]
    return rule


register(OpDef("softmax", 1, _axis_attr,
               lambda i, a: _softmax_np(i[0], a["axis"]),
               Library("softmax", _rows_row(0)), _softmax_grad("softmax_grad"),
               doc="exp(x) / sum(exp(x)) along `axis`, computed stably"))
register(OpDef("log_softmax", 1, _axis_attr,
               lambda i, a: _log_softmax_np(i[0], a["axis"]),
               Library("softmax", _rows_row(1)), _softmax_grad("log_softmax_grad"),
               doc="x - logsumexp(x) along `axis`"))


def _softmax_grad_np(d, y, axis):
    return (y * (d - np.sum(d * y, axis=axis, keepdims=True))).astype(d.dtype)


def _log_softmax_grad_np(d, y, axis):
    return (d - np.exp(y) * np.sum(d, axis=axis, keepdims=True)).astype(d.dtype)


register(OpDef("softmax_grad", 2, _axis_attr,
               lambda i, a: _softmax_grad_np(i[0], i[1], a["axis"]),
               Library("softmax_grad", _rows_row(0)),
               doc="vector-Jacobian product of softmax, from its output y"))
register(OpDef("log_softmax_grad", 2, _axis_attr,
               lambda i, a: _log_softmax_grad_np(i[0], i[1], a["axis"]),
               Library("softmax_grad", _rows_row(1)),
               doc="vector-Jacobian product of log_softmax, from its output y"))


def _argmax_shape(in_types, attrs):
    x = _axis_attr(in_types, attrs)
    return shapes.reduced(x, (attrs["axis"],), False)


register(OpDef("argmax", 1, _argmax_shape,
               lambda i, a: np.argmax(i[0], axis=a["axis"]).astype(i[0].dtype),
               Library("argmax", lambda out, ops, attrs: [
                   out.offset, ops[0].offset, *split3(ops[0].type.shape, [attrs["axis"]])]),
               doc="index of the first maximum along `axis`, carried in the input's float "
                   "dtype (exact below 2**24)"))


def _one_hot_shape(in_types, attrs):
    (x,) = in_types
    return TensorType(tuple(x.shape) + (int(attrs["depth"]),), x.dtype)


def _one_hot_np(inputs, attrs):
    (x,) = inputs
    idx = x.astype(np.int64)
    out = np.zeros(idx.shape + (attrs["depth"],), dtype=x.dtype)
    # as the kernel does: an index that is not a whole number is invalid, not truncated
    valid = (idx == x) & (idx >= 0) & (idx < attrs["depth"])
    np.put_along_axis(out, np.where(valid, idx, 0)[..., None], valid[..., None].astype(x.dtype),
                      axis=-1)
    return out


register(OpDef("one_hot", 1, _one_hot_shape, _one_hot_np,
               Library("one_hot", lambda out, ops, attrs: [
                   out.offset, ops[0].offset, encode_size(ops[0].type), int(attrs["depth"])]),
               doc="class indices (carried as floats) to one-hot rows; rows of out-of-range "
                   "or fractional indices are all zero", required_attrs=("depth",)))


def _reshape_shape(in_types, attrs):
    (x,) = in_types
    target = list(attrs["shape"])
    if x.batched:
        if not target or target[0] is not None:
            raise ShapeError("a batched tensor must keep the batch as its first dimension")
        rest, have = target[1:], x.sample_size
    else:
        if None in target:
            raise ShapeError("cannot add a batch dimension by reshaping")
        rest, have = target, x.sample_size
    if rest.count(-1) > 1:
        raise ShapeError("only one dimension can be -1")
    known = int(np.prod([d for d in rest if d != -1], dtype=np.int64))
    if -1 in rest:
        if known == 0 or have % known:
            raise ShapeError(f"cannot reshape {have} elements per sample into {tuple(rest)}")
        rest[rest.index(-1)] = have // known
    elif known != have:
        raise ShapeError(f"cannot reshape {have} elements per sample into {tuple(rest)}")
    shape = tuple(([None] if x.batched else []) + rest)
    attrs["shape"] = shape
    return TensorType(shape, x.dtype)


def _reshape_np(inputs, attrs):
    (x,) = inputs
    n = attrs["_batch"]
    return x.reshape([n if d is None else d for d in attrs["shape"]])


register(OpDef("reshape", 1, _reshape_shape, _reshape_np, Alias(),
               lambda g, name, d: [emit(g, "reshape", [d],
                                        {"shape": g.type_of(g.operands(name)[0]).shape},
                                        like=name)],
               doc="the same elements in a new shape (shares storage)",
               required_attrs=("shape",)))


def _in_top_k_shape(in_types, attrs):
    targets, preds = in_types
    k = attrs["k"]
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ShapeError(f"`k` must be a positive integer; received {k!r}")
    attrs["k"] = int(k)
    if targets.rank != 1 or preds.rank != 2:
        raise ShapeError(f"expected targets of rank 1 and predictions of rank 2; received "
                         f"ranks {targets.rank} and {preds.rank}")
    if targets.shape[0] != preds.shape[0]:
        raise ShapeError(f"targets have {targets.shape[0]} rows and predictions "
                         f"{preds.shape[0]}")
    return TensorType(targets.shape, preds.dtype)


def _in_top_k_np(inputs, attrs):
    targets, preds = inputs
    idx = targets.astype(np.int64)
    valid = (idx == targets) & (idx >= 0) & (idx < preds.shape[1])
    picked = np.take_along_axis(preds, np.where(valid, idx, 0)[:, None], axis=1)
    above = np.sum(preds > picked, axis=1)
    return ((above < attrs["k"]) & valid).astype(preds.dtype)


register(OpDef("in_top_k", 2, _in_top_k_shape, _in_top_k_np,
               Library("in_top_k", lambda out, ops, attrs: [
                   out.offset, ops[0].offset, ops[1].offset, encode_size(ops[0].type),
                   int(ops[1].type.shape[1]), attrs["k"]]),
               lambda g, n, d: [None, None],
               doc="1 where the target class (a float index) is among the `k` highest "
                   "predictions, ties at the boundary counting as in (as Keras); invalid "
                   "targets give 0", required_attrs=("k",)))
