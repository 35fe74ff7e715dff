"""``matmul``: 2-D matrix products, with transposed operands handled as BLAS flags."""

import numpy as np

from compiler.ops.build import emit
from compiler.ops.registry import Library, OpDef, ShapeError, register
from compiler.types import TensorType


def _logical(shape, transposed):
    return (shape[1], shape[0]) if transposed else (shape[0], shape[1])


def _shape(in_types, attrs):
    a, b = in_types
    if a.rank != 2 or b.rank != 2:
        raise ShapeError(f"matmul takes 2-D operands; received ranks {a.rank} and {b.rank}")
    m, k = _logical(a.shape, attrs.get("ta", False))
    k2, n = _logical(b.shape, attrs.get("tb", False))
    if k != k2:
        raise ShapeError(f"inner dimensions differ: expected {k}, received {k2}")
    if n is None:
        raise ShapeError("the batch dimension must stay the first dimension")
    if a.dtype != b.dtype:
        raise ShapeError(f"operand dtypes differ: {a.dtype} and {b.dtype}")
    return TensorType((m, n), a.dtype)


def _numpy(inputs, attrs):
    a, b = inputs
    a = a.T if attrs.get("ta", False) else a
    b = b.T if attrs.get("tb", False) else b
    return a @ b


def _enc(d):
    return -1 if d is None else int(d)


def _row(out, operands, attrs):
    a, b = operands
    ta, tb = bool(attrs.get("ta", False)), bool(attrs.get("tb", False))
    m, k = _logical(a.type.shape, ta)
    _, n = _logical(b.type.shape, tb)
    return [out.offset, a.offset, b.offset, _enc(m), _enc(k), _enc(n), int(ta), int(tb)]


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
               doc="a @ b for 2-D operands; attrs ta/tb transpose an operand"))
