"""Reductions over axes, and their adjoint ``broadcast_axes``.

Kernels see a tensor as ``(outer, reduced, inner)`` (``compiler.plan.split3``),
so the reduced axes must be adjacent; that covers the last axis, all axes but
the last, and all axes.
"""

import numpy as np

from compiler.ops import shapes
from compiler.ops.build import emit
from compiler.ops.registry import Library, OpDef, ShapeError, register
from compiler.plan import split3
from compiler.types import TensorType

KIND = {"sum": 0, "mean": 1, "max": 2}


def _reduce_shape(in_types, attrs):
    (x,) = in_types
    axes = shapes.normalize_axes(attrs.get("axes"), x.rank)
    attrs["axes"] = axes
    return shapes.reduced(x, axes, attrs.get("keepdims", False))


def _reduce_row(kind):
    def row(out, operands, attrs):
        (a,) = operands
        return [out.offset, a.offset, *split3(a.type.shape, attrs["axes"]), KIND[kind]]
    return row


def _reduce_grad(mean):
    def rule(g, name, d):
        (x,) = g.operands(name)
        attrs = {"axes": g.attrs_of(name)["axes"], "shape": g.type_of(x).shape, "mean": mean}
        return [emit(g, "broadcast_axes", [d], attrs, like=name)]
    return rule


def _reduce_max_grad(g, name, d):
    (x,) = g.operands(name)
    axes = g.attrs_of(name)["axes"]
    shape = g.type_of(x).shape
    keep = emit(g, "reduce_max", [x], {"axes": axes, "keepdims": True}, like=name)
    mask = emit(g, "equal", [x, keep], like=name)
    count = emit(g, "reduce_sum", [mask], {"axes": axes, "keepdims": True}, like=name)
    share = emit(g, "div", [mask, count], like=name)
    spread = emit(g, "broadcast_axes", [d], {"axes": axes, "shape": shape, "mean": False},
                  like=name)
    return [emit(g, "mul", [spread, share], like=name)]


for _kind, _fn, _grad in [("sum", np.sum, _reduce_grad(False)),
                          ("mean", np.mean, _reduce_grad(True)),
                          ("max", np.max, _reduce_max_grad)]:
    register(OpDef(
        f"reduce_{_kind}", 1, _reduce_shape,
        (lambda fn: lambda inputs, attrs: np.asarray(
            fn(inputs[0], axis=attrs["axes"], keepdims=attrs.get("keepdims", False)),
            dtype=inputs[0].dtype))(_fn),
        Library("reduce", _reduce_row(_kind)), _grad,
        doc=f"{_kind} over `axes` (adjacent), with `keepdims`"))


def sum_to_axes(in_shape, target):
    """The axes of ``in_shape`` that summing to the broadcast-compatible ``target`` removes."""
    lead = len(in_shape) - len(target)
    if lead < 0:
        raise ShapeError(f"cannot sum {in_shape} to the larger rank of {target}")
    axes = list(range(lead))
    for i, d in enumerate(target):
        src = in_shape[lead + i]
        if d == src:
            continue
        if d != 1:
            raise ShapeError(f"cannot sum {in_shape} to {target}")
        axes.append(lead + i)
    return tuple(axes)


def _sum_to_shape(in_types, attrs):
    (x,) = in_types
    target = tuple(attrs["shape"])
    attrs["axes"] = sum_to_axes(x.shape, target)
    if None in target[1:]:
        raise ShapeError("the batch dimension must stay the first dimension")
    return TensorType(target, x.dtype)


def _sum_to_numpy(inputs, attrs):
    (x,) = inputs
    out = np.sum(x, axis=attrs["axes"], keepdims=True) if attrs["axes"] else x
    return out.reshape([s for s in out.shape[len(out.shape) - len(attrs["shape"]):]])


def _sum_to_row(out, operands, attrs):
    (a,) = operands
    return [out.offset, a.offset, *split3(a.type.shape, attrs["axes"]), KIND["sum"]]


def _sum_to_grad(g, name, d):
    (x,) = g.operands(name)
    shape, target = g.type_of(x).shape, tuple(g.type_of(name).shape)
    axes = g.attrs_of(name)["axes"]
    lead = len(shape) - len(target)
    if lead and any(ax >= lead for ax in axes):
        # ``d`` has leading summed axes removed but later ones kept as 1 (e.g. (2, 3, 4)
        # summed to (3, 1)); ``broadcast_axes`` takes all removed or all kept, so keep all
        d = emit(g, "reshape", [d], {"shape": (1,) * lead + target}, like=name)
    attrs = {"axes": axes, "shape": shape, "mean": False}
    return [emit(g, "broadcast_axes", [d], attrs, like=name)]


register(OpDef("sum_to", 1, _sum_to_shape, _sum_to_numpy, Library("reduce", _sum_to_row),
               _sum_to_grad, doc="sum over the dimensions broadcasting added",
               required_attrs=("shape",)))


def _bcast_shape(in_types, attrs):
    (x,) = in_types
    shape = tuple(attrs["shape"])
    axes = shapes.normalize_axes(attrs["axes"], len(shape))
    attrs["axes"] = axes
    kept = tuple(d for i, d in enumerate(shape) if i not in axes)
    keep1 = tuple(1 if i in axes else d for i, d in enumerate(shape))
    if tuple(x.shape) not in (kept, keep1):
        raise ShapeError(f"expected {kept} or {keep1} to broadcast to {shape}")
    return TensorType(shape, x.dtype)


def _bcast_numpy(inputs, attrs):
    (x,) = inputs
    n = attrs["_batch"]
    full = [n if d is None else d for d in attrs["shape"]]
    keep1 = [1 if i in attrs["axes"] else d for i, d in enumerate(full)]
    out = np.broadcast_to(x.reshape(keep1), full)
    if attrs.get("mean"):
        out = out / np.prod([full[i] for i in attrs["axes"]])
    return np.array(out, dtype=x.dtype)


def _bcast_row(out, operands, attrs):
    (a,) = operands
    return [out.offset, a.offset, *split3(out.type.shape, attrs["axes"]),
            int(bool(attrs.get("mean")))]


def _bcast_grad(g, name, d):
    (x,) = g.operands(name)
    attrs = g.attrs_of(name)
    keep = g.type_of(x).rank == g.type_of(name).rank
    red = emit(g, "reduce_mean" if attrs.get("mean") else "reduce_sum", [d],
               {"axes": attrs["axes"], "keepdims": keep}, like=name)
    return [red]


register(OpDef("broadcast_axes", 1, _bcast_shape, _bcast_numpy,
               Library("broadcast_axes", _bcast_row), _bcast_grad,
               doc="repeat along `axes` to `shape` (divided by the count when `mean`)",
               required_attrs=("axes", "shape")))
