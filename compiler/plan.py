"""How kernels find their data: storage slots and the int64 plan rows kernels read.

Every value a program touches lives in one flat array, the *arena*. A ``Slot``
says where (element offset) and what (``TensorType``). Kernels receive
``(A, plan, q, n)``: the arena, the plan table, the row index of this call and
the runtime batch size. They build their views from the
row, so one compiled kernel serves every model, shape and batch size.

Extents in a row are encoded so that the batch size can stay a runtime value:
``e >= 0`` is a literal count and ``e < 0`` means ``-e * n``. ``encode_span``
produces them and every kernel decodes them the same way.
"""

from typing import List, NamedTuple, Sequence

import numpy as np

from compiler.errors import UnsupportedOpError
from compiler.types import TensorType

#: Width of every plan row; kernels ignore the columns they do not use.
ROW_WIDTH = 16


class Slot(NamedTuple):
    """Where a value lives in the arena."""

    offset: int
    type: TensorType


def encode_span(shape: Sequence, lo: int, hi: int) -> int:
    """The element count of ``shape[lo:hi]``, encoded (negative when it holds the batch)."""
    count = 1
    batched = False
    for d in shape[lo:hi]:
        if d is None:
            batched = True
        else:
            count *= int(d)
    return -count if batched and count > 0 else (count if not batched else 0)


def encode_size(vtype: TensorType) -> int:
    """The element count of a whole value, encoded."""
    return encode_span(vtype.shape, 0, len(vtype.shape))


def split3(shape: Sequence, axes: Sequence[int]) -> List[int]:
    """``(outer, reduced, inner)`` extents for contiguous ``axes`` of ``shape``, encoded.

    Axis-wise kernels (reductions, softmax, argmax) see every tensor as a 3-D
    block this way. Non-contiguous axes have no such view.
    """
    axes = sorted(axes)
    if not axes:
        return [encode_span(shape, 0, len(shape)), 1, 1]
    if axes != list(range(axes[0], axes[-1] + 1)):
        raise UnsupportedOpError(
            f"Reducing over non-adjacent axes {tuple(axes)} is not supported yet; "
            "transpose the tensor so that the axes are adjacent.")
    lo, hi = axes[0], axes[-1] + 1
    return [encode_span(shape, 0, lo), encode_span(shape, lo, hi),
            encode_span(shape, hi, len(shape))]


def broadcast_strides(out_shape: Sequence, in_shape: Sequence):
    """View an operand broadcast to ``out_shape`` as ``(rows, cols)`` with strides.

    Returns ``(split, row_stride, col_stride)`` candidates per split point; the
    caller picks a split that suits every operand. A segment of the output is
    *full* for the operand if the operand has the same extents there, and
    *broadcast* if the operand's extents are all 1 (or absent).
    """
    rank = len(out_shape)
    padded = [1] * (rank - len(in_shape)) + list(in_shape)
    options = {}
    for k in range(rank + 1):
        pre = _segment(out_shape[:k], padded[:k])
        post = _segment(out_shape[k:], padded[k:])
        if pre is None or post is None:
            continue
        col_stride = 1 if post == "full" else 0
        if pre == "full":
            row_stride = encode_span(out_shape, k, rank) if post == "full" else 1
        else:
            row_stride = 0
        options[k] = (row_stride, col_stride)
    return options


def _segment(out_dims, in_dims):
    if all(i == o for i, o in zip(in_dims, out_dims)):
        return "full"
    if all(i == 1 for i in in_dims):
        return "bcast"
    return None


def binary_layout(out_type: TensorType, a_type: TensorType, b_type: TensorType):
    """``[rows, cols, a_row_stride, a_col_stride, b_row_stride, b_col_stride]`` or raise."""
    shape = out_type.shape
    opts_a = broadcast_strides(shape, a_type.shape)
    opts_b = broadcast_strides(shape, b_type.shape)
    common = sorted(set(opts_a) & set(opts_b))
    if not common:
        raise UnsupportedOpError(
            f"Broadcasting {a_type.shape} with {b_type.shape} needs more than a "
            "row/column pattern, which the kernels do not cover yet; "
            "broadcast one operand explicitly first.")
    # prefer the split that keeps the longest contiguous inner loop
    k = min(common)
    rows, cols = encode_span(shape, 0, k), encode_span(shape, k, len(shape))
    return [rows, cols, *opts_a[k], *opts_b[k]]


def pack_rows(rows: List[List[int]]) -> np.ndarray:
    """The plan table: one int64 row per kernel call, padded to ``ROW_WIDTH``."""
    table = np.zeros((max(len(rows), 1), ROW_WIDTH), dtype=np.int64)
    for i, row in enumerate(rows):
        if len(row) > ROW_WIDTH:
            raise ValueError(f"Plan row {i} has {len(row)} entries; at most {ROW_WIDTH}.")
        table[i, :len(row)] = row
    return table
