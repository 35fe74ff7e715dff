"""``matmul`` (operands seen as 2-D) and ``batch_matmul`` (3-D, one product per leading index).

Transposed operands are handled as BLAS flags, never copied.
"""

import numpy as np

from compiler.ops.build import emit
from compiler.ops.registry import Library, OpDef, ShapeError, register
from compiler.plan import encode_span
from compiler.types import TensorType


def _logical(shape, transposed):
    return (shape[1], shape[0]) if transposed else (shape[0], shape[1])


def _parts(shape, transposed):
    """An operand's 2-D view as ``(rows, cols)`` dimension tuples; leading dims are rows."""
    lead, last = tuple(shape[:-1]), (shape[-1],)
    return (last, lead) if transposed else (lead, last)


def _matmul_parts(in_types, attrs):
    """``(rows, inner, cols)`` of ``op(a) @ op(b)``, validated (see the op's doc)."""
    a, b = in_types
    ta, tb = attrs.get("ta", False), attrs.get("tb", False)
    if a.rank < 2 or b.rank < 2:
        raise ShapeError(f"matmul takes operands of rank 2 or more; received ranks {a.rank} "
                         f"and {b.rank}")
    if (b.rank > 2 and (tb or not ta)) or (a.rank > 2 and ta and tb):
        raise ShapeError(f"only the rows of an operand may span several dimensions; received "
                         f"ranks {a.rank} and {b.rank} with ta={ta}, tb={tb}")
    rows, k = _parts(a.shape, ta)
    k2, cols = _parts(b.shape, tb)
    if k != k2:
        expected = k[0] if len(k) == 1 else k
        received = k2[0] if len(k2) == 1 else k2
        raise ShapeError(f"inner dimensions differ: expected {expected}, received {received}")
    if a.dtype != b.dtype:
        raise ShapeError(f"operand dtypes differ: {a.dtype} and {b.dtype}")
    return rows, k, cols


def _shape(in_types, attrs):
    rows, _, cols = _matmul_parts(in_types, attrs)
    if None in rows[1:] + cols:
        raise ShapeError("the batch dimension must stay the first dimension")
    return TensorType(rows + cols, in_types[0].dtype)


def _numpy(inputs, attrs):
    a, b = inputs
    ta, tb = attrs.get("ta", False), attrs.get("tb", False)
    a2 = a.reshape(-1, a.shape[-1])
    b2 = b.reshape(-1, b.shape[-1])
    out = (a2.T if ta else a2) @ (b2.T if tb else b2)
    rows = (a.shape[-1],) if ta else a.shape[:-1]
    return out.reshape(rows + out.shape[-1:])


def _enc(d):
    return -1 if d is None else int(d)


def _row(out, operands, attrs):
    a, b = operands
    rows, k, cols = _matmul_parts([a.type, b.type], attrs)
    extents = [encode_span(part, 0, len(part)) for part in (rows, k, cols)]
    return [out.offset, a.offset, b.offset, *extents, int(bool(attrs.get("ta", False))),
            int(bool(attrs.get("tb", False)))]


def _kernel_name(attrs):
    ta, tb = attrs.get("ta", False), attrs.get("tb", False)
    return f"matmul_{'t' if ta else 'n'}{'t' if tb else 'n'}"


def _grad(g, name, d):
    a, b = g.operands(name)
    attrs = g.attrs_of(name)
    ta, tb = attrs.get("ta", False), attrs.get("tb", False)

    def mm(x, y, tx=False, ty=False):
        return emit(g, "matmul", [x, y], {"ta": tx, "tb": ty}, like=name)

    if not ta and not tb:
        return [mm(d, b, ty=True), mm(a, d, tx=True)]
    if ta and not tb:
        return [mm(b, d, ty=True), mm(a, d)]
    if not ta and tb:
        return [mm(d, b), mm(d, a, tx=True)]
    return [mm(b, d, True, True), mm(d, a, True, True)]


register(OpDef("matmul", 2, _shape, _numpy, Library(_kernel_name, _row), _grad,
               doc="op(a) @ op(b), each operand seen as 2-D (its leading dimensions are "
                   "rows, so (B, T, k) @ (k, n) is (B, T, n)); attrs ta/tb transpose an "
                   "operand's 2-D view. Leading dimensions beyond the rows are allowed in "
                   "`a`, and in `b` only as the rows of a transposed `a` (weight gradients)"))


# -- batch_matmul ------------------------------------------------------------------------

def _batch_shape(in_types, attrs):
    a, b = in_types
    if a.rank != 3 or b.rank != 3:
        raise ShapeError(f"batch_matmul takes 3-D operands; received ranks {a.rank} and "
                         f"{b.rank}")
    if a.shape[0] != b.shape[0]:
        raise ShapeError(f"the leading (batch) dimensions differ: {a.shape[0]} and "
                         f"{b.shape[0]}")
    m, k = _logical(a.shape[1:], attrs.get("ta", False))
    k2, n = _logical(b.shape[1:], attrs.get("tb", False))
    if k != k2:
        raise ShapeError(f"inner dimensions differ: expected {k}, received {k2}")
    if a.dtype != b.dtype:
        raise ShapeError(f"operand dtypes differ: {a.dtype} and {b.dtype}")
    return TensorType((a.shape[0], m, n), a.dtype)


def _batch_numpy(inputs, attrs):
    a, b = inputs
    a = np.swapaxes(a, 1, 2) if attrs.get("ta", False) else a
    b = np.swapaxes(b, 1, 2) if attrs.get("tb", False) else b
    return a @ b


def _batch_row(out, operands, attrs):
    a, b = operands
    ta, tb = bool(attrs.get("ta", False)), bool(attrs.get("tb", False))
    m, k = _logical(a.type.shape[1:], ta)
    _, n = _logical(b.type.shape[1:], tb)
    return [out.offset, a.offset, b.offset, _enc(a.type.shape[0]), _enc(m), _enc(k), _enc(n),
            int(ta), int(tb)]


def _batch_kernel_name(attrs):
    return "batch_" + _kernel_name(attrs)


def _batch_grad(g, name, d):
    a, b = g.operands(name)
    attrs = g.attrs_of(name)
    ta, tb = attrs.get("ta", False), attrs.get("tb", False)

    def mm(x, y, tx=False, ty=False):
        return emit(g, "batch_matmul", [x, y], {"ta": tx, "tb": ty}, like=name)

    if not ta and not tb:
        return [mm(d, b, ty=True), mm(a, d, tx=True)]
    if ta and not tb:
        return [mm(b, d, ty=True), mm(a, d)]
    if not ta and tb:
        return [mm(d, b), mm(d, a, tx=True)]
    return [mm(b, d, True, True), mm(d, a, True, True)]


register(OpDef("batch_matmul", 2, _batch_shape, _batch_numpy,
               Library(_batch_kernel_name, _batch_row), _batch_grad,
               doc="a[i] @ b[i] for (B, m, k) and (B, k, n) operands; ta/tb transpose the "
                   "last two axes of an operand"))
