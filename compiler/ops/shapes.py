"""Shape rules shared by several ops."""

from compiler.ops.registry import ShapeError
from compiler.types import TensorType


def same_as_first(in_types, attrs):
    """Elementwise ops of ``T``/``S`` operands: the first operand's type."""
    first = in_types[0]
    for t in in_types[1:]:
        if t.shape not in (first.shape, ()):
            raise ShapeError(f"expected {first.shape} or a scalar, received {t.shape}")
    return first


def broadcast(in_types, attrs):
    """NumPy broadcasting, with the symbolic batch dimension matching only itself or 1."""
    a, b = in_types
    rank = max(len(a.shape), len(b.shape))
    pa = (1,) * (rank - len(a.shape)) + tuple(a.shape)
    pb = (1,) * (rank - len(b.shape)) + tuple(b.shape)
    out = []
    for da, db in zip(pa, pb):
        if da is None or db is None:
            if da not in (None, 1) or db not in (None, 1):
                raise ShapeError(
                    f"cannot broadcast {a.shape} with {b.shape}: a fixed dimension meets "
                    "the batch dimension")
            out.append(None)
        elif da == db or db == 1:
            out.append(da)
        elif da == 1:
            out.append(db)
        else:
            raise ShapeError(f"cannot broadcast {a.shape} with {b.shape}")
    if None in out[1:]:
        raise ShapeError("the batch dimension must stay the first dimension")
    dtype = a.dtype if a.dtype == b.dtype else _promote(a.dtype, b.dtype)
    return TensorType(tuple(out), dtype)


def broadcast_all(in_types, attrs):
    """NumPy broadcasting of any number of operands (``select``'s three), pairwise."""
    out = in_types[0]
    for t in in_types[1:]:
        out = broadcast([out, t], attrs)
    return out


def _promote(x, y):
    import numpy as np
    return np.promote_types(x, y).name


def normalize_axes(axes, rank):
    """Axes as a sorted tuple of non-negative ints, validated against ``rank``."""
    if axes is None:
        return tuple(range(rank))
    if isinstance(axes, int):
        axes = (axes,)
    out = []
    for ax in axes:
        if not -rank <= ax < rank:
            raise ShapeError(f"axis {ax} is out of range for rank {rank}")
        out.append(ax % rank)
    if len(set(out)) != len(out):
        raise ShapeError(f"repeated axis in {tuple(axes)}")
    return tuple(sorted(out))


def reduced(vtype, axes, keepdims):
    """The type of ``vtype`` reduced over ``axes``."""
    shape = []
    for i, d in enumerate(vtype.shape):
        if i in axes:
            if keepdims:
                shape.append(1)
        else:
            shape.append(d)
    if None in shape[1:]:
        raise ShapeError("the batch dimension must stay the first dimension")
    return TensorType(tuple(shape), vtype.dtype)
