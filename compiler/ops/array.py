"""Layout ops: ``transpose``, ``broadcast_to``, ``concat``, ``slice`` and ``pad_axis``.

They move elements without arithmetic, through two kernels of
``compiler.kernels.array``: ``copy_strided`` (an N-D copy from a strided view,
rank <= 6, for transpose and broadcast) and ``copy_block`` (a block copy along
one axis, for slice, pad and each operand of a concat).

The batch dimension stays first and whole: a transpose that moves it, a
concat along it, or a slice or pad of it is an ``UnsupportedOpError`` (its size
is only known when the program runs). Tensors without a batch dimension
(weights, constants) can be rearranged freely.
"""

import numpy as np

from compiler.errors import UnsupportedOpError
from compiler.ops import shapes
from compiler.ops.build import emit, sum_to
from compiler.ops.registry import Library, OpDef, ShapeError, register
from compiler.plan import encode_span
from compiler.types import TensorType

#: Highest rank ``copy_strided`` handles.
MAX_RANK = 6


def _check_rank(rank, what):
    if rank > MAX_RANK:
        raise UnsupportedOpError(f"{what} supports tensors of rank up to {MAX_RANK}; "
                                 f"received rank {rank}")


def contiguous_strides(shape):
    """Element strides of a C-ordered tensor of ``shape`` (never involve the batch size)."""
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * int(shape[i + 1])
    return strides


def strided_row(out, src, out_shape, strides):
    """The ``copy_strided`` row copying a strided view of ``src`` into contiguous ``out``.

    Unit dimensions are dropped and neighbours that are contiguous with each
    other in the source are merged, so the kernel runs long inner loops; the
    rest is padded to rank 6 with leading 1s.
    """
    merged = []
    for d, s in zip(out_shape, strides):
        e = -1 if d is None else int(d)
        if e == 1:
            continue
        if merged and merged[-1][1] == s * e:
            merged[-1] = (merged[-1][0] * e, s)
        else:
            merged.append((e, s))
    merged = [(1, 0)] * (MAX_RANK - len(merged)) + merged
    return [out.offset, src.offset, *[e for e, _ in merged], *[s for _, s in merged]]


def _block_row(out, src, shape, axis, length, src_len, src_start, dst_len, dst_start,
               fill=False):
    """The ``copy_block`` row; ``shape`` gives the extents outside ``axis``."""
    return [out.offset, src.offset, encode_span(shape, 0, axis), int(length),
            encode_span(shape, axis + 1, len(shape)), int(src_len), int(src_start),
            int(dst_len), int(dst_start), int(fill)]


def _axis_of(x, attrs, key="axis"):
    (axis,) = shapes.normalize_axes(attrs[key], x.rank)
    attrs[key] = axis
    return axis


def _fixed_axis(x, axis, what):
    """Refuse the batch axis, whose extent is only known at run time."""
    if x.shape[axis] is None:
        raise UnsupportedOpError(f"{what} along the batch axis is not supported: the batch "
                                 "size is only known when the program runs")


def _batch_of(attrs, x, shape):
    """The concrete batch size for a NumPy reference (interpreter or eager call)."""
    if attrs.get("_batch") is not None:
        return attrs["_batch"]
    lead = x.ndim - len(shape)
    return x.shape[lead] if lead >= 0 and x.ndim else 1


# -- transpose -------------------------------------------------------------------------

def _transpose_shape(in_types, attrs):
    (x,) = in_types
    _check_rank(x.rank, "transpose")
    axes = attrs.get("axes")
    axes = tuple(reversed(range(x.rank))) if axes is None else tuple(int(a) for a in axes)
    valid = sorted(a % x.rank for a in axes if -x.rank <= a < x.rank)
    if len(axes) != x.rank or valid != list(range(x.rank)):
        raise ShapeError(f"axes {axes} are not a permutation of the {x.rank} axes")
    axes = tuple(a % x.rank for a in axes)
    if x.batched and axes[0] != 0:
        raise UnsupportedOpError(
            f"transposing with axes {axes} would move the batch dimension; it must stay "
            "first (axes[0] == 0)")
    attrs["axes"] = axes
    return TensorType(tuple(x.shape[a] for a in axes), x.dtype)


def _transpose_row(out, operands, attrs):
    (x,) = operands
    strides = contiguous_strides(x.type.shape)
    axes = attrs["axes"]
    return strided_row(out, x, out.type.shape, [strides[a] for a in axes])


def _transpose_grad(g, name, d):
    axes = g.attrs_of(name)["axes"]
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a] = i
    return [emit(g, "transpose", [d], {"axes": tuple(inverse)}, like=name)]


register(OpDef("transpose", 1, _transpose_shape,
               lambda i, a: np.ascontiguousarray(np.transpose(i[0], a["axes"])),
               Library("copy_strided", _transpose_row), _transpose_grad,
               doc="permute the axes (the batch axis stays first); `axes` None reverses"))


# -- broadcast_to ----------------------------------------------------------------------

def _broadcast_to_shape(in_types, attrs):
    (x,) = in_types
    target = tuple(None if d is None else int(d) for d in attrs["shape"])
    _check_rank(len(target), "broadcast_to")
    if None in target[1:]:
        raise ShapeError("the batch dimension must stay the first dimension")
    lead = len(target) - x.rank
    if lead < 0:
        raise ShapeError(f"cannot broadcast rank {x.rank} to the lower rank of {target}")
    for i, d in enumerate(x.shape):
        t = target[lead + i]
        if d == t or d == 1:
            continue
        raise ShapeError(f"cannot broadcast {tuple(x.shape)} to {target}")
    attrs["shape"] = target
    return TensorType(target, x.dtype)


def _broadcast_to_numpy(inputs, attrs):
    (x,) = inputs
    target = attrs["shape"]
    n = _batch_of(attrs, x, target)
    return np.array(np.broadcast_to(x, [n if d is None else d for d in target]))


def broadcast_source_strides(in_shape, out_shape):
    """Strides reading ``in_shape`` as if it had ``out_shape`` (0 where it broadcasts)."""
    lead = len(out_shape) - len(in_shape)
    own = contiguous_strides(in_shape)
    strides = [0] * len(out_shape)
    for i, d in enumerate(in_shape):
        if d == out_shape[lead + i]:
            strides[lead + i] = own[i]
    return strides


def _broadcast_to_row(out, operands, attrs):
    (x,) = operands
    strides = broadcast_source_strides(x.type.shape, out.type.shape)
    return strided_row(out, x, out.type.shape, strides)


def _broadcast_to_grad(g, name, d):
    (x,) = g.operands(name)
    return [sum_to(g, d, g.type_of(x).shape, like=name)]


register(OpDef("broadcast_to", 1, _broadcast_to_shape, _broadcast_to_numpy,
               Library("copy_strided", _broadcast_to_row), _broadcast_to_grad,
               doc="repeat `x` to `shape` by NumPy broadcasting (None: the batch)",
               required_attrs=("shape",)))


# -- concat ----------------------------------------------------------------------------

def _concat_shape(in_types, attrs):
    if not in_types:
        raise ShapeError("concat needs at least one operand")
    first = in_types[0]
    axis = _axis_of(first, attrs)
    _fixed_axis(first, axis, "concatenating")
    total = 0
    for t in in_types:
        if t.rank != first.rank:
            raise ShapeError(f"all operands need rank {first.rank}; received {t.shape}")
        if t.dtype != first.dtype:
            raise ShapeError(f"operand dtypes differ: {first.dtype} and {t.dtype}")
        for i, (a, b) in enumerate(zip(first.shape, t.shape)):
            if i != axis and a != b:
                raise ShapeError(f"dimension {i} differs: {first.shape} and {t.shape} "
                                 f"(only axis {axis} may)")
        _fixed_axis(t, axis, "concatenating")
        total += int(t.shape[axis])
    shape = list(first.shape)
    shape[axis] = total
    return TensorType(tuple(shape), first.dtype)


def _concat_rows(out, operands, attrs):
    axis = attrs["axis"]
    shape = out.type.shape
    rows, start = [], 0
    for x in operands:
        length = int(x.type.shape[axis])
        rows.append(_block_row(out, x, shape, axis, length, length, 0, shape[axis], start))
        start += length
    return rows


def _concat_grad(g, name, d):
    axis = g.attrs_of(name)["axis"]
    grads, start = [], 0
    for x in g.operands(name):
        stop = start + int(g.type_of(x).shape[axis])
        grads.append(emit(g, "slice", [d], {"axis": axis, "start": start, "stop": stop},
                          like=name))
        start = stop
    return grads


register(OpDef("concat", None, _concat_shape,
               lambda i, a: np.concatenate(i, axis=a["axis"]),
               Library("copy_block", rows=_concat_rows), _concat_grad,
               doc="join the operands along `axis` (one block copy per operand)",
               required_attrs=("axis",)))


# -- slice and its adjoint pad_axis ------------------------------------------------------

def _slice_shape(in_types, attrs):
    (x,) = in_types
    axis = _axis_of(x, attrs)
    _fixed_axis(x, axis, "slicing")
    size = int(x.shape[axis])
    start, stop = int(attrs["start"]), int(attrs["stop"])
    if not 0 <= start <= stop <= size:
        raise ShapeError(f"slice [{start}:{stop}] does not fit axis {axis} of size {size}")
    shape = list(x.shape)
    shape[axis] = stop - start
    return TensorType(tuple(shape), x.dtype)


def _slice_numpy(inputs, attrs):
    (x,) = inputs
    index = [slice(None)] * x.ndim
    index[attrs["axis"]] = slice(attrs["start"], attrs["stop"])
    return np.array(x[tuple(index)])


def _slice_row(out, operands, attrs):
    (x,) = operands
    axis, start, stop = attrs["axis"], attrs["start"], attrs["stop"]
    return _block_row(out, x, x.type.shape, axis, stop - start, x.type.shape[axis], start,
                      stop - start, 0)


def _slice_grad(g, name, d):
    (x,) = g.operands(name)
    attrs = g.attrs_of(name)
    size = int(g.type_of(x).shape[attrs["axis"]])
    pads = {"axis": attrs["axis"], "before": attrs["start"], "after": size - attrs["stop"]}
    return [emit(g, "pad_axis", [d], pads, like=name)]


register(OpDef("slice", 1, _slice_shape, _slice_numpy, Library("copy_block", _slice_row),
               _slice_grad, doc="elements `start:stop` (step 1) of `axis`",
               required_attrs=("axis", "start", "stop")))


def _pad_shape(in_types, attrs):
    (x,) = in_types
    axis = _axis_of(x, attrs)
    _fixed_axis(x, axis, "padding")
    before, after = int(attrs["before"]), int(attrs["after"])
    if before < 0 or after < 0:
        raise ShapeError(f"pads must be non-negative; received ({before}, {after})")
    shape = list(x.shape)
    shape[axis] = int(x.shape[axis]) + before + after
    return TensorType(tuple(shape), x.dtype)


def _pad_numpy(inputs, attrs):
    (x,) = inputs
    widths = [(0, 0)] * x.ndim
    widths[attrs["axis"]] = (attrs["before"], attrs["after"])
    return np.pad(x, widths)


def _pad_row(out, operands, attrs):
    (x,) = operands
    axis = attrs["axis"]
    size = x.type.shape[axis]
    return _block_row(out, x, x.type.shape, axis, size, size, 0, out.type.shape[axis],
                      attrs["before"], fill=True)


def _pad_grad(g, name, d):
    (x,) = g.operands(name)
    attrs = g.attrs_of(name)
    size = int(g.type_of(x).shape[attrs["axis"]])
    cut = {"axis": attrs["axis"], "start": attrs["before"], "stop": attrs["before"] + size}
    return [emit(g, "slice", [d], cut, like=name)]


register(OpDef("pad_axis", 1, _pad_shape, _pad_numpy, Library("copy_block", _pad_row),
               _pad_grad, doc="`before` zeros, `x`, then `after` zeros along `axis`",
               required_attrs=("axis", "before", "after")))
