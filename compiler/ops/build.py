"""Small helpers that gradient rules and passes use to emit ops."""

import numpy as np


def emit(g, op, operands, attrs=None, like=None, name=None):
    """Add an op to ``g``, attributed to the same layer as the value ``like``."""
    layer = g.node(like)["layer"] if like is not None else None
    return g.add(op, operands, attrs, layer=layer, name=name).name


def const(g, value, dtype, like=None):
    """A scalar or array literal of ``dtype``."""
    layer = g.node(like)["layer"] if like is not None else None
    arr = np.asarray(value, dtype=dtype)
    return g.add("const", [], {"value": arr, "dtype": np.dtype(dtype).name},
                 layer=layer, name="const").name


def sum_to(g, v, shape, like=None):
    """``v`` summed over the dimensions that broadcasting added to reach it from ``shape``.

    Reduction kernels work on adjacent axes, so when those dimensions are not
    adjacent (``(B, 4, 5)`` back to ``(4, 1)`` sums axes 0 and 2) each run of
    adjacent axes is summed on its own, keeping dimensions, and a reshape
    drops the leading ones.
    """
    from compiler.ops.reduce import sum_to_axes   # reduce imports this module

    in_shape = tuple(g.type_of(v).shape)
    shape = tuple(shape)
    if in_shape == shape:
        return v
    axes = sum_to_axes(in_shape, shape)
    if not axes:
        return emit(g, "reshape", [v], {"shape": shape}, like=like)
    if axes == tuple(range(axes[0], axes[-1] + 1)):
        return emit(g, "sum_to", [v], {"shape": shape}, like=like)
    runs = [[axes[0]]]
    for ax in axes[1:]:
        if ax == runs[-1][-1] + 1:
            runs[-1].append(ax)
        else:
            runs.append([ax])
    for run in runs:
        v = emit(g, "reduce_sum", [v], {"axes": tuple(run), "keepdims": True}, like=like)
    return emit(g, "reshape", [v], {"shape": shape}, like=like)
