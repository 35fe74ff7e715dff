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
    """``v`` summed over the dimensions that broadcasting added to reach it from ``shape``."""
    if tuple(g.type_of(v).shape) == tuple(shape):
        return v
    return emit(g, "sum_to", [v], {"shape": tuple(shape)}, like=like)
