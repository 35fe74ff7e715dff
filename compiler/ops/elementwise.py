"""Elementwise ops: ``Map`` ops over same-shape tensors and scalars, ``Binary`` ops that broadcast.

Templates are scalar Python expressions compiled into the kernel library (see
``compiler.kernels.elementwise``); ``{F}`` is the dtype's constructor so that
constants do not widen float32 arithmetic to float64.
"""

import numpy as np

from compiler.ops import shapes
from compiler.ops.build import emit, sum_to
from compiler.ops.registry import Binary, Map, OpDef, register


def _map(name, template, kinds, numpy_fn, grad=None, doc=""):
    register(OpDef(name, len(kinds), shapes.same_as_first,
                   lambda inputs, attrs: numpy_fn(*inputs), Map(template, kinds), grad, doc))


def _binary(name, template, numpy_fn, grad=None, doc=""):
    register(OpDef(name, 2, shapes.broadcast,
                   lambda inputs, attrs: np.asarray(numpy_fn(*inputs)), Binary(template),
                   grad, doc))


def _unary_grad(grad_op, use_output):
    """A rule ``d -> grad_op(d, y or x)`` for ops whose derivative needs one value."""
    def rule(g, name, dout):
        other = name if use_output else g.operands(name)[0]
        return [emit(g, grad_op, [dout, other], like=name)]
    return rule


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _f(x):
    return np.asarray(x)


# -- unary --------------------------------------------------------------------

_map("neg", "-x0", "T", lambda x: -x,
     lambda g, n, d: [emit(g, "neg", [d], like=n)])
_map("relu", "x0 if x0 > {F}(0) else {F}(0)", "T", lambda x: np.maximum(x, 0).astype(x.dtype),
     _unary_grad("relu_grad", True))
_map("sigmoid", "{F}(1) / ({F}(1) + np.exp(-x0))", "T", lambda x: _sigmoid(x).astype(x.dtype),
     _unary_grad("sigmoid_grad", True))
_map("tanh", "np.tanh(x0)", "T", np.tanh, _unary_grad("tanh_grad", True))
_map("exp", "np.exp(x0)", "T", np.exp,
     lambda g, n, d: [emit(g, "mul", [d, n], like=n)])
_map("log", "np.log(x0)", "T", np.log,
     lambda g, n, d: [emit(g, "div", [d, g.operands(n)[0]], like=n)])
_map("log1p", "np.log1p(x0)", "T", np.log1p, _unary_grad("log1p_grad", False))
_map("sqrt", "np.sqrt(x0)", "T", np.sqrt, _unary_grad("sqrt_grad", True))
_map("square", "x0 * x0", "T", np.square, _unary_grad("square_grad", False))
_map("abs", "abs(x0)", "T", np.abs, _unary_grad("abs_grad", False))
_map("softplus", "np.log1p(np.exp(-abs(x0))) + (x0 if x0 > {F}(0) else {F}(0))", "T",
     lambda x: (np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)).astype(x.dtype),
     _unary_grad("softplus_grad", False))
_map("clip", "min(max(x0, x1), x2)", "TSS",
     lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi).astype(x.dtype),
     lambda g, n, d: [emit(g, "clip_grad", [d, *g.operands(n)], like=n), None, None],
     doc="clip(x, lo, hi); the gradient is split evenly where x meets a bound, as in JAX")

# -- gradients of unary ops (not differentiable themselves) --------------------

_map("relu_grad", "x0 if x1 > {F}(0) else {F}(0)", "TT",
     lambda d, y: np.where(y > 0, d, 0).astype(d.dtype))
_map("sigmoid_grad", "x0 * x1 * ({F}(1) - x1)", "TT", lambda d, y: d * y * (1 - y))
_map("tanh_grad", "x0 * ({F}(1) - x1 * x1)", "TT", lambda d, y: d * (1 - y * y))
_map("log1p_grad", "x0 / ({F}(1) + x1)", "TT", lambda d, x: d / (1 + x))
_map("sqrt_grad", "x0 * {F}(0.5) / x1", "TT", lambda d, y: d * 0.5 / y)
_map("square_grad", "{F}(2) * x1 * x0", "TT", lambda d, x: 2 * x * d)
_map("abs_grad", "x0 if x1 > {F}(0) else (-x0 if x1 < {F}(0) else {F}(0))", "TT",
     lambda d, x: (d * np.sign(x)).astype(d.dtype))
_map("softplus_grad", "x0 / ({F}(1) + np.exp(-x1))", "TT",
     lambda d, x: (d * _sigmoid(x)).astype(d.dtype))
_map("clip_grad",
     "x0 if (x1 > x2 and x1 < x3) else (x0 * {F}(0.5) if (x1 == x2 or x1 == x3) else {F}(0))",
     "TTSS",
     lambda d, x, lo, hi: np.where((x > lo) & (x < hi), d,
                                   np.where((x == lo) | (x == hi), d * 0.5, 0)).astype(d.dtype))


# -- binary, broadcasting ------------------------------------------------------

def _grad_add(g, n, d):
    a, b = g.operands(n)
    return [sum_to(g, d, g.type_of(a).shape, n), sum_to(g, d, g.type_of(b).shape, n)]


def _grad_sub(g, n, d):
    a, b = g.operands(n)
    neg = emit(g, "neg", [d], like=n)
    return [sum_to(g, d, g.type_of(a).shape, n), sum_to(g, neg, g.type_of(b).shape, n)]


def _grad_mul(g, n, d):
    a, b = g.operands(n)
    da = emit(g, "mul", [d, b], like=n)
    db = emit(g, "mul", [d, a], like=n)
    return [sum_to(g, da, g.type_of(a).shape, n), sum_to(g, db, g.type_of(b).shape, n)]


def _grad_div(g, n, d):
    a, b = g.operands(n)
    d_over_b = emit(g, "div", [d, b], like=n)
    db = emit(g, "neg", [emit(g, "mul", [d_over_b, n], like=n)], like=n)
    return [sum_to(g, d_over_b, g.type_of(a).shape, n), sum_to(g, db, g.type_of(b).shape, n)]


def _grad_select(mask_op):
    """Gradient of maximum/minimum: to the winner, split evenly on ties (as JAX does)."""
    def rule(g, n, d):
        a, b = g.operands(n)
        mask = emit(g, mask_op, [a, b], like=n)
        da = emit(g, "mul", [d, mask], like=n)
        db = emit(g, "sub", [d, da], like=n)
        return [sum_to(g, da, g.type_of(a).shape, n), sum_to(g, db, g.type_of(b).shape, n)]
    return rule


_binary("add", "x0 + x1", np.add, _grad_add)
_binary("sub", "x0 - x1", np.subtract, _grad_sub)
_binary("mul", "x0 * x1", np.multiply, _grad_mul)
_binary("div", "x0 / x1", np.divide, _grad_div)
_binary("maximum", "max(x0, x1)", np.maximum, _grad_select("max_mask"))
_binary("minimum", "min(x0, x1)", np.minimum, _grad_select("min_mask"))
_binary("max_mask", "{F}(1) if x0 > x1 else ({F}(0.5) if x0 == x1 else {F}(0))",
        lambda a, b: np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0)).astype(a.dtype))
_binary("min_mask", "{F}(1) if x0 < x1 else ({F}(0.5) if x0 == x1 else {F}(0))",
        lambda a, b: np.where(a < b, 1.0, np.where(a == b, 0.5, 0.0)).astype(a.dtype))
_binary("equal", "{F}(1) if x0 == x1 else {F}(0)",
        lambda a, b: (a == b).astype(np.result_type(a, b)),
        doc="1 where equal, else 0, in the operands' float dtype")
_binary("greater", "{F}(1) if x0 > x1 else {F}(0)",
        lambda a, b: (a > b).astype(np.result_type(a, b)),
        doc="1 where x0 > x1, else 0, in the operands' float dtype")


def _grad_pow(g, n, d):
    a, b = g.operands(n)
    dtype = g.type_of(n).dtype
    from compiler.ops.build import const
    b_minus_1 = emit(g, "sub", [b, const(g, 1.0, dtype, like=n)], like=n)
    da = emit(g, "mul", [d, emit(g, "mul", [b, emit(g, "pow", [a, b_minus_1], like=n)],
                                 like=n)], like=n)
    db = emit(g, "mul", [d, emit(g, "mul", [n, emit(g, "log", [a], like=n)], like=n)], like=n)
    return [sum_to(g, da, g.type_of(a).shape, n), sum_to(g, db, g.type_of(b).shape, n)]


_binary("pow", "x0 ** x1", np.power, _grad_pow)
