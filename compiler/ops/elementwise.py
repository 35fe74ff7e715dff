"""Elementwise ops: ``Map`` ops over same-shape tensors and scalars, ``Binary`` ops that broadcast.

Templates are scalar Python expressions compiled into the kernel library (see
``compiler.kernels.elementwise``); ``{F}`` is the dtype's constructor so that
constants do not widen float32 arithmetic to float64.

Comparisons and logical ops give 0/1 in the operands' float dtype and pass
no gradient (they are piecewise constant), so they can sit on a path to the
loss. Activations follow Keras 3's definitions; an op whose derivative needs
more than one op gets a fused ``<op>_grad`` Map. ``select`` (Keras ``where``)
is a ``Map`` whose shape rule broadcasts: the ``legalize_broadcast`` pass
gives its operands the output's shape before codegen.
"""

import numpy as np

from compiler.ops import shapes
from compiler.ops.build import const, emit, sum_to
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


def _no_grad(g, name, dout):
    """Piecewise-constant ops (comparisons, sign, floor): no operand gets a gradient."""
    return [None] * len(g.operands(name))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _f(x):
    return np.asarray(x)


# -- unary --------------------------------------------------------------------

_map("neg", "-x0", "T", lambda x: -x,
     lambda g, n, d: [emit(g, "neg", [d], like=n)])
_map("relu", "x0 if x0 > {F}(0) else {F}(0)", "T", lambda x: np.maximum(x, 0).astype(x.dtype),
     _unary_grad("relu_grad", True))
_map("sigmoid", "{F}(1) / ({F}(1) + exp(-x0))", "T", lambda x: _sigmoid(x).astype(x.dtype),
     _unary_grad("sigmoid_grad", True))
_map("tanh", "np.tanh(x0)", "T", np.tanh, _unary_grad("tanh_grad", True))
_map("exp", "exp(x0)", "T", np.exp,
     lambda g, n, d: [emit(g, "mul", [d, n], like=n)])
_map("log", "np.log(x0)", "T", np.log,
     lambda g, n, d: [emit(g, "div", [d, g.operands(n)[0]], like=n)])
_map("log1p", "np.log1p(x0)", "T", np.log1p, _unary_grad("log1p_grad", False))
_map("sqrt", "np.sqrt(x0)", "T", np.sqrt, _unary_grad("sqrt_grad", True))
_map("square", "x0 * x0", "T", np.square, _unary_grad("square_grad", False))
_map("abs", "abs(x0)", "T", np.abs, _unary_grad("abs_grad", False))
_map("softplus", "np.log1p(exp(-abs(x0))) + (x0 if x0 > {F}(0) else {F}(0))", "T",
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
_map("softplus_grad", "x0 / ({F}(1) + exp(-x1))", "TT",
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
        lambda a, b: (a == b).astype(np.result_type(a, b)), _no_grad,
        doc="1 where equal, else 0, in the operands' float dtype")
_binary("greater", "{F}(1) if x0 > x1 else {F}(0)",
        lambda a, b: (a > b).astype(np.result_type(a, b)), _no_grad,
        doc="1 where x0 > x1, else 0, in the operands' float dtype")


def _grad_pow(g, n, d):
    a, b = g.operands(n)
    dtype = g.type_of(n).dtype
    b_minus_1 = emit(g, "sub", [b, const(g, 1.0, dtype, like=n)], like=n)
    da = emit(g, "mul", [d, emit(g, "mul", [b, emit(g, "pow", [a, b_minus_1], like=n)],
                                 like=n)], like=n)
    db = emit(g, "mul", [d, emit(g, "mul", [n, emit(g, "log", [a], like=n)], like=n)], like=n)
    return [sum_to(g, da, g.type_of(a).shape, n), sum_to(g, db, g.type_of(b).shape, n)]


_binary("pow", "x0 ** x1", np.power, _grad_pow)


# -- comparisons and logic, as 0/1 in the operands' float dtype (no gradient) ----------

def _flag(fn):
    return lambda a, b: fn(a, b).astype(np.result_type(a, b))


_binary("greater_equal", "{F}(1) if x0 >= x1 else {F}(0)", _flag(np.greater_equal),
        _no_grad, doc="1 where x0 >= x1, else 0")
_binary("not_equal", "{F}(1) if x0 != x1 else {F}(0)", _flag(np.not_equal), _no_grad,
        doc="1 where x0 != x1, else 0")
_binary("logical_and", "{F}(1) if (x0 != {F}(0) and x1 != {F}(0)) else {F}(0)",
        _flag(np.logical_and), _no_grad, doc="1 where both operands are nonzero, else 0")
_binary("logical_or", "{F}(1) if (x0 != {F}(0) or x1 != {F}(0)) else {F}(0)",
        _flag(np.logical_or), _no_grad, doc="1 where either operand is nonzero, else 0")
_map("logical_not", "{F}(1) if x0 == {F}(0) else {F}(0)", "T",
     lambda x: (x == 0).astype(x.dtype), _no_grad, doc="1 where x is zero, else 0")
_map("sign", "{F}(1) if x0 > {F}(0) else ({F}(-1) if x0 < {F}(0) else {F}(0))", "T",
     np.sign, _no_grad)
_map("floor", "np.floor(x0)", "T", np.floor, _no_grad)
_map("zeros_like", "{F}(0)", "T", np.zeros_like, _no_grad, doc="zeros of x's shape")
_map("ones_like", "{F}(1)", "T", np.ones_like, _no_grad, doc="ones of x's shape")


# -- more unary math -------------------------------------------------------------------

def _erf(x):
    from scipy.special import erf   # scipy is a runtime dependency (BLAS in Numba)
    return erf(x).astype(x.dtype)


_SQRT_2_OVER_PI = 0.7978845608028654     # sqrt(2 / pi), tanh-approximate gelu
_TWO_OVER_SQRT_PI = 1.1283791670955126   # erf'(0)
_INV_SQRT_2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327       # the standard normal density at 0
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805

_map("erf", "math.erf(x0)", "T", _erf, _unary_grad("erf_grad", False))
_map("erf_grad", f"x0 * {{F}}({_TWO_OVER_SQRT_PI}) * exp(-(x1 * x1))", "TT",
     lambda d, x: d * _TWO_OVER_SQRT_PI * np.exp(-x * x))
_map("expm1", "np.expm1(x0)", "T", np.expm1, _unary_grad("expm1_grad", True))
_map("expm1_grad", "x0 * (x1 + {F}(1))", "TT", lambda d, y: d * (y + 1))
_map("cos", "np.cos(x0)", "T", np.cos, _unary_grad("cos_grad", False))
_map("cos_grad", "-(x0 * np.sin(x1))", "TT", lambda d, x: -(d * np.sin(x)))
_map("sin", "np.sin(x0)", "T", np.sin, _unary_grad("sin_grad", False))
_map("sin_grad", "x0 * np.cos(x1)", "TT", lambda d, x: d * np.cos(x))
_map("reciprocal", "{F}(1) / x0", "T", np.reciprocal,
     _unary_grad("reciprocal_grad", True))
_map("reciprocal_grad", "-(x0 * x1 * x1)", "TT", lambda d, y: -(d * y * y))


# -- activations -----------------------------------------------------------------------
#
# Definitions follow Keras 3's NumPy backend; at a kink the gradient takes the
# branch the forward formula takes there.

def _scalar_operand_grad(grad_op):
    """``f(x, alpha)``: ``grad_op(d, x, alpha)`` for x, nothing for the scalar alpha."""
    def rule(g, n, d):
        x, alpha = g.operands(n)
        return [emit(g, grad_op, [d, x, alpha], like=n), None]
    return rule


def _where(cond, a, b, dtype):
    return np.where(cond, a, b).astype(dtype)


_map("leaky_relu", "x0 if x0 > {F}(0) else x1 * x0", "TS",
     lambda x, a: _where(x > 0, x, a * x, x.dtype), _scalar_operand_grad("leaky_relu_grad"),
     doc="x where x > 0, else alpha * x (alpha a scalar operand)")
_map("leaky_relu_grad", "x0 if x1 > {F}(0) else x2 * x0", "TTS",
     lambda d, x, a: _where(x > 0, d, a * d, d.dtype))
_map("elu", "x0 if x0 >= {F}(0) else x1 * np.expm1(x0)", "TS",
     lambda x, a: _where(x >= 0, x, a * np.expm1(x), x.dtype),
     _scalar_operand_grad("elu_grad"), doc="x where x >= 0, else alpha * (exp(x) - 1)")
_map("elu_grad", "x0 if x1 >= {F}(0) else x0 * x2 * exp(x1)", "TTS",
     lambda d, x, a: _where(x >= 0, d, d * a * np.exp(x), d.dtype))
_map("selu",
     f"{{F}}({_SELU_SCALE}) * x0 if x0 >= {{F}}(0) "
     f"else {{F}}({_SELU_SCALE * _SELU_ALPHA}) * np.expm1(x0)", "T",
     lambda x: _where(x >= 0, _SELU_SCALE * x, _SELU_SCALE * _SELU_ALPHA * np.expm1(x),
                      x.dtype), _unary_grad("selu_grad", False))
_map("selu_grad",
     f"{{F}}({_SELU_SCALE}) * x0 if x1 >= {{F}}(0) "
     f"else {{F}}({_SELU_SCALE * _SELU_ALPHA}) * x0 * exp(x1)", "TT",
     lambda d, x: _where(x >= 0, _SELU_SCALE * d, _SELU_SCALE * _SELU_ALPHA * d * np.exp(x),
                         d.dtype))
_map("hard_sigmoid", "min(max(x0 / {F}(6) + {F}(0.5), {F}(0)), {F}(1))", "T",
     lambda x: np.clip(x / x.dtype.type(6) + x.dtype.type(0.5), 0, 1).astype(x.dtype),
     _unary_grad("hard_sigmoid_grad", False), doc="relu6(x + 3) / 6, as Keras 3")
_map("hard_sigmoid_grad", "x0 / {F}(6) if (x1 > {F}(-3) and x1 < {F}(3)) else {F}(0)", "TT",
     lambda d, x: _where((x > -3) & (x < 3), d / 6, 0, d.dtype))
_map("softsign", "x0 / ({F}(1) + abs(x0))", "T", lambda x: x / (1 + np.abs(x)),
     _unary_grad("softsign_grad", False))
_map("softsign_grad", "x0 / (({F}(1) + abs(x1)) * ({F}(1) + abs(x1)))", "TT",
     lambda d, x: d / np.square(1 + np.abs(x)))
_map("silu", "x0 / ({F}(1) + exp(-x0))", "T", lambda x: (x * _sigmoid(x)).astype(x.dtype),
     _unary_grad("silu_grad", False), doc="x * sigmoid(x) (also called swish)")
_SIG1 = "({F}(1) / ({F}(1) + exp(-x1)))"
_map("silu_grad", f"x0 * {_SIG1} * ({{F}}(1) + x1 * ({{F}}(1) - {_SIG1}))", "TT",
     lambda d, x: d * _sigmoid(x) * (1 + x * (1 - _sigmoid(x))))
_map("relu6", "min(max(x0, {F}(0)), {F}(6))", "T",
     lambda x: np.minimum(np.maximum(x, 0), 6).astype(x.dtype), _unary_grad("relu6_grad", False))
_map("relu6_grad", "x0 if (x1 > {F}(0) and x1 < {F}(6)) else {F}(0)", "TT",
     lambda d, x: _where((x > 0) & (x < 6), d, 0, d.dtype))
_map("log_sigmoid", "-(np.log1p(exp(-abs(x0))) + max(-x0, {F}(0)))", "T",
     lambda x: -(np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)).astype(x.dtype),
     _unary_grad("log_sigmoid_grad", False), doc="log(sigmoid(x)), computed stably")
_map("log_sigmoid_grad", "x0 / ({F}(1) + exp(x1))", "TT",
     lambda d, x: d / (1 + np.exp(x)))


def _gelu_np(x):
    return (0.5 * x * (1 + _erf(x * _INV_SQRT_2))).astype(x.dtype)


def _gelu_tanh_np(x):
    inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
    return (0.5 * x * (1 + np.tanh(inner))).astype(x.dtype)


def _gelu_tanh_grad_np(d, x):
    t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
    slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
    return d * slope


_map("gelu", f"{{F}}(0.5) * x0 * ({{F}}(1) + math.erf(x0 * {{F}}({_INV_SQRT_2})))", "T",
     _gelu_np, _unary_grad("gelu_grad", False), doc="x * Phi(x), the exact gelu")
_map("gelu_grad",
     f"x0 * ({{F}}(0.5) * ({{F}}(1) + math.erf(x1 * {{F}}({_INV_SQRT_2}))) "
     f"+ x1 * {{F}}({_INV_SQRT_2PI}) * exp({{F}}(-0.5) * x1 * x1))", "TT",
     lambda d, x: d * (0.5 * (1 + _erf(x * _INV_SQRT_2))
                       + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)))
_TANH1 = f"np.tanh({{F}}({_SQRT_2_OVER_PI}) * (x1 + {{F}}(0.044715) * x1 * x1 * x1))"
_map("gelu_tanh",
     f"{{F}}(0.5) * x0 * ({{F}}(1) + np.tanh({{F}}({_SQRT_2_OVER_PI}) "
     f"* (x0 + {{F}}(0.044715) * x0 * x0 * x0)))", "T",
     _gelu_tanh_np, _unary_grad("gelu_tanh_grad", False),
     doc="the tanh approximation of gelu (Keras's `approximate=True`)")
_map("gelu_tanh_grad",
     f"x0 * ({{F}}(0.5) * ({{F}}(1) + {_TANH1}) + {{F}}(0.5) * x1 * ({{F}}(1) - {_TANH1} "
     f"* {_TANH1}) * {{F}}({_SQRT_2_OVER_PI}) * ({{F}}(1) + {{F}}(0.134145) * x1 * x1))", "TT",
     _gelu_tanh_grad_np)


# -- select (Keras `where`) ------------------------------------------------------------

def _select_numpy(inputs, attrs):
    cond, x, y = inputs
    return np.where(cond != 0, x, y).astype(np.result_type(x, y))


def _select_grad(g, n, d):
    cond, x, y = g.operands(n)
    zero = emit(g, "zeros_like", [d], like=n)
    dx = emit(g, "select", [cond, d, zero], like=n)
    dy = emit(g, "select", [cond, zero, d], like=n)
    return [None, sum_to(g, dx, g.type_of(x).shape, n), sum_to(g, dy, g.type_of(y).shape, n)]


# NOTE: the kernel is a plain Map over same-shape tensors; the legalize_broadcast
# pass gives every operand the output's shape before codegen.
register(OpDef("select", 3, shapes.broadcast_all, _select_numpy,
               Map("x1 if x0 != {F}(0) else x2", "TTT"), _select_grad,
               doc="x where cond is nonzero, else y (cond holds 0/1 floats); broadcasts"))
