"""Every gradient rule in the op registry against central finite differences (float64).

Each case builds a small graph whose trainable ``param`` values feed the op
under test (through a batched ``input`` where the op needs batch data),
projects the op's output to a scalar ``loss`` with a fixed random tensor
(``mul`` then ``reduce_sum``), runs the ``Autodiff`` pass through the pass
manager (so the IR is verified), and compares the gradients the interpreter
computes with central differences of the interpreter's loss. Data avoid the
points where an op is not differentiable (ties, |x| near 0, clip bounds).
"""

import zlib
from dataclasses import dataclass, field
from typing import Callable, Dict, Tuple

import numpy as np
import pytest

from compiler import interpreter
from compiler.ops import REGISTRY
from compiler.passes import Autodiff
from compiler.pipeline import run_passes

from compiler_testlib import const, new_graph, param, x_input

EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-7
BATCH = 3

#: Ops that have no gradient rule, on purpose. A new op must either get a rule
#: (and a case below) or be added here, deliberately.
NO_GRAD_OPS = {
    # sources
    "input", "param", "state", "const", "batch_size",
    # gradients of other ops (never differentiated themselves)
    "relu_grad", "sigmoid_grad", "tanh_grad", "log1p_grad", "sqrt_grad", "square_grad",
    "abs_grad", "softplus_grad", "clip_grad", "softmax_grad", "log_softmax_grad",
    "softmax_xent_grad",
    "max_mask", "min_mask", "erf_grad", "expm1_grad", "cos_grad", "sin_grad",
    "reciprocal_grad", "leaky_relu_grad", "elu_grad", "selu_grad", "hard_sigmoid_grad",
    "softsign_grad", "silu_grad", "relu6_grad", "log_sigmoid_grad", "gelu_grad",
    "gelu_tanh_grad",
    # piecewise-constant ops that cannot be differentiated through at all
    "argmax", "one_hot",
}


@dataclass
class Case:
    id: str
    ops: Tuple[str, ...]                 # the ops whose gradient rules this case checks
    params: Dict[str, np.ndarray]
    build: Callable                      # (g, params: {key: Value}, xs: {index: Value}) -> Value
    inputs: Dict[int, np.ndarray] = field(default_factory=dict)   # index -> (BATCH, ...)


def _rng(tag):
    return np.random.default_rng(zlib.crc32(tag.encode()))


def _away_from_zero(rng, shape, low=0.3, high=1.5):
    """Values with |x| in [low, high] and random signs."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _away_from(*kinks, margin=0.25, low=-3.0, high=3.0):
    """A generator of values in [low, high] at least ``margin`` from every kink."""
    def gen(rng, shape):
        vals = rng.uniform(low, high, size=shape)
        for _ in range(100):
            bad = np.zeros(np.shape(vals), dtype=bool)
            for k in kinks:
                bad |= np.abs(vals - k) < margin
            if not bad.any():
                return vals
            vals[bad] = rng.uniform(low, high, size=int(bad.sum()))
        raise AssertionError("could not draw values away from the kinks")
    return gen


def _distinct(rng, shape, spacing=0.1):
    """Values at least ``spacing`` apart (no ties for max)."""
    n = int(np.prod(shape, dtype=np.int64))
    vals = rng.permutation(n) * spacing - n * spacing / 2
    return (vals + rng.uniform(0, spacing / 10, size=n)).reshape(shape)


CASES = []


def case(id, ops, params, build, inputs=None):
    CASES.append(Case(id, tuple(ops), params, build, inputs or {}))


# -- unary --------------------------------------------------------------------

def _unary_cases():
    domains = {
        "neg": lambda r, s: r.normal(size=s),
        "relu": _away_from_zero,
        "sigmoid": lambda r, s: r.normal(size=s) * 2,
        "tanh": lambda r, s: r.normal(size=s),
        "exp": lambda r, s: r.normal(size=s),
        "log": lambda r, s: r.uniform(0.3, 2.0, size=s),
        "log1p": lambda r, s: r.uniform(-0.6, 2.0, size=s),
        "sqrt": lambda r, s: r.uniform(0.3, 2.0, size=s),
        "square": lambda r, s: r.normal(size=s),
        "abs": _away_from_zero,
        "softplus": lambda r, s: r.normal(size=s) * 3,
        "erf": lambda r, s: r.normal(size=s),
        "expm1": lambda r, s: r.normal(size=s),
        "cos": lambda r, s: r.normal(size=s) * 2,
        "sin": lambda r, s: r.normal(size=s) * 2,
        "reciprocal": lambda r, s: _away_from_zero(r, s, 0.5, 2.0),
        "selu": _away_from_zero,
        "hard_sigmoid": _away_from(-3.0, 3.0, low=-5.0, high=5.0),
        "softsign": _away_from_zero,
        "silu": lambda r, s: r.normal(size=s) * 2,
        "relu6": _away_from(0.0, 6.0, low=-2.0, high=8.0),
        "log_sigmoid": lambda r, s: r.normal(size=s) * 3,
        "gelu": lambda r, s: r.normal(size=s) * 2,
        "gelu_tanh": lambda r, s: r.normal(size=s) * 2,
        # piecewise constant: the rule gives no gradient, and differences give 0
        "sign": _away_from_zero,
        "logical_not": _away_from_zero,
        "floor": _away_from(*range(-3, 4), low=-3.0, high=3.0),
        "zeros_like": lambda r, s: r.normal(size=s),
        "ones_like": lambda r, s: r.normal(size=s),
    }
    for op, gen in domains.items():
        rng = _rng(op)
        case(f"{op}", [op], {"P": gen(rng, (3, 4))},
             lambda g, p, x, op=op: g.add(op, [p["P"]]))
        # the same op on batched data that depends on a parameter
        xb = gen(rng, (BATCH, 4))
        pb = rng.normal(size=(4,)) * 1e-3
        case(f"{op}-batched", [op, "add"], {"P": pb},
             lambda g, p, x, op=op: g.add(op, [g.add("add", [x[0], p["P"]])]),
             {0: xb - pb})
    # relu on a scalar parameter
    case("relu-scalar", ["relu"], {"P": np.array(0.7)}, lambda g, p, x: g.add("relu", [p["P"]]))


_unary_cases()


def _clip_values(rng, shape):
    """Values in (-2, -0.6), (-0.4, 0.6) and (0.8, 2): away from the bounds -0.5 and 0.7."""
    pick = rng.integers(0, 3, size=shape)
    lows = np.array([-2.0, -0.4, 0.8])[pick]
    highs = np.array([-0.6, 0.6, 2.0])[pick]
    return rng.uniform(lows, highs)


case("clip", ["clip"], {"P": _clip_values(_rng("clip"), (3, 5))},
     lambda g, p, x: g.add("clip", [p["P"], const(g, -0.5), const(g, 0.7)]))
_clip_x = _clip_values(_rng("clip-b"), (BATCH, 4))
case("clip-batched", ["clip"], {"P": np.full((4,), 1e-3)},
     lambda g, p, x: g.add("clip", [g.add("add", [x[0], p["P"]]), const(g, -0.5),
                                    const(g, 0.7)]),
     {0: _clip_x - 1e-3})


for _op, _alpha in (("leaky_relu", 0.2), ("elu", 1.3)):
    case(f"{_op}", [_op], {"P": _away_from_zero(_rng(_op), (3, 4))},
         lambda g, p, x, op=_op, alpha=_alpha: g.add(op, [p["P"], const(g, alpha)]))


# -- binary, broadcasting -----------------------------------------------------

def _binary_operands(op, rng, a_shape, b_shape):
    """Operand values in the op's smooth domain; for max/min the operands never tie."""
    if op == "div":
        return rng.normal(size=a_shape), _away_from_zero(rng, b_shape, 0.5, 2.0)
    if op == "pow":
        return rng.uniform(0.5, 2.0, size=a_shape), rng.uniform(-1.5, 1.5, size=b_shape)
    if op in ("maximum", "minimum"):
        # |a| in [1, 2] and |b| <= 0.8: every pair is at least 0.2 apart, and the
        # signs of a make either operand win somewhere
        return _away_from_zero(rng, a_shape, 1.0, 2.0), rng.uniform(-0.8, 0.8, size=b_shape)
    return rng.normal(size=a_shape), rng.normal(size=b_shape)


BINARY_OPS = ["add", "sub", "mul", "div", "maximum", "minimum", "pow"]
# (variant, shape of a, shape of b); both operands are parameters
BINARY_LAYOUTS = [
    ("same", (3, 4), (3, 4)),
    ("row", (3, 4), (4,)),
    ("row-keepdim", (3, 4), (1, 4)),
    ("column", (3, 4), (3, 1)),
    ("scalar", (3, 4), ()),
    ("scalar-first", (), (3, 4)),
    ("column-row", (3, 1), (4,)),
]


def _binary_cases():
    for op in BINARY_OPS:
        for variant, sa, sb in BINARY_LAYOUTS:
            rng = _rng(f"{op}-{variant}")
            a, b = _binary_operands(op, rng, sa, sb)
            case(f"{op}-{variant}", [op], {"A": a, "B": b},
                 lambda g, p, x, op=op: g.add(op, [p["A"], p["B"]]))
        # batched: a batch-dependent operand against a row, a column and a scalar
        rng = _rng(f"{op}-batched")
        a, b = _binary_operands(op, rng, (BATCH, 4), (4,))
        shift = np.full((4,), 1e-3)
        case(f"{op}-batched-row", [op], {"S": shift, "B": b},
             lambda g, p, x, op=op: g.add(op, [g.add("add", [x[0], p["S"]]), p["B"]]),
             {0: a - shift})
        a, col = _binary_operands(op, rng, (BATCH, 4), (BATCH, 1))
        case(f"{op}-batched-column", [op], {"S": shift, "C": np.array(1e-3)},
             lambda g, p, x, op=op: g.add(op, [g.add("add", [x[0], p["S"]]),
                                              g.add("add", [x[1], p["C"]])]),
             {0: a - shift, 1: col - 1e-3})
        a, s = _binary_operands(op, rng, (BATCH, 4), ())
        case(f"{op}-batched-scalar", [op], {"S": shift, "K": s},
             lambda g, p, x, op=op: g.add(op, [g.add("add", [x[0], p["S"]]), p["K"]]),
             {0: a - shift})
        s, a = _binary_operands(op, rng, (), (BATCH, 4))
        case(f"{op}-scalar-batched", [op], {"K": s, "S": shift},
             lambda g, p, x, op=op: g.add(op, [p["K"], g.add("add", [x[0], p["S"]])]),
             {0: a - shift})


_binary_cases()


# comparisons and logic: no gradient, and differences are 0 away from ties and zeros
for _op in ("equal", "greater", "greater_equal", "not_equal", "logical_and", "logical_or"):
    _r = _rng(_op)
    _a = _away_from_zero(_r, (3, 4), 1.0, 2.0)
    case(f"{_op}", [_op], {"A": _a, "B": _away_from_zero(_r, (4,), 0.2, 0.8)},
         lambda g, p, x, op=_op: g.add(op, [p["A"], p["B"]]))
    case(f"{_op}-with-self", [_op], {"A": _a},
         lambda g, p, x, op=_op: g.add(op, [p["A"], p["A"]]))


def _mask(rng, shape):
    """A condition: 0 or 1, with some other nonzero values (which also select x)."""
    return rng.choice([0.0, 1.0, -0.5], size=shape)


_r = _rng("select")
case("select-same", ["select"], {"A": _r.normal(size=(3, 4)), "B": _r.normal(size=(3, 4))},
     lambda g, p, x: g.add("select", [const(g, _mask(_rng("select-c"), (3, 4))), p["A"],
                                      p["B"]]))
case("select-broadcast", ["select"], {"A": _r.normal(size=(3, 4)), "B": _r.normal(size=(1, 4))},
     lambda g, p, x: g.add("select", [const(g, _mask(_rng("select-c2"), (3, 1))), p["A"],
                                      p["B"]]))
case("select-batched", ["select"], {"A": _r.normal(size=(4,)), "B": _r.normal(size=())},
     lambda g, p, x: g.add("select", [x[0], p["A"], p["B"]]),
     {0: _mask(_r, (BATCH, 4))})
case("in_top_k", ["in_top_k"], {"S": _distinct(_r, (5,))},
     lambda g, p, x: g.add("in_top_k", [x[0], g.add("add", [x[1], p["S"]])], {"k": 2}),
     {0: np.array([0.0, 3.0, 4.0]), 1: _distinct(_r, (BATCH, 5)) * 3})
case("random_uniform", ["random_uniform"], {"P": _r.normal(size=(3, 4))},
     lambda g, p, x: g.add("mul", [g.add("random_uniform", [p["P"]]), p["P"]]))


# -- matmul -------------------------------------------------------------------

def _matmul_cases():
    m, k, n = 3, 4, 2
    for ta in (False, True):
        for tb in (False, True):
            rng = _rng(f"matmul-{ta}-{tb}")
            a = rng.normal(size=(k, m) if ta else (m, k))
            b = rng.normal(size=(n, k) if tb else (k, n))
            case(f"matmul-ta{int(ta)}-tb{int(tb)}", ["matmul"], {"A": a, "B": b},
                 lambda g, p, x, ta=ta, tb=tb: g.add("matmul", [p["A"], p["B"]],
                                                     {"ta": ta, "tb": tb}))
    rng = _rng("matmul-batched")
    shift = np.full((k,), 1e-3)
    # a dense layer, and a dense layer with a transposed kernel
    case("matmul-batched-nn", ["matmul"], {"S": shift, "W": rng.normal(size=(k, n))},
         lambda g, p, x: g.add("matmul", [g.add("add", [x[0], p["S"]]), p["W"]]),
         {0: rng.normal(size=(BATCH, k))})
    case("matmul-batched-nt", ["matmul"], {"S": shift, "W": rng.normal(size=(n, k))},
         lambda g, p, x: g.add("matmul", [g.add("add", [x[0], p["S"]]), p["W"]], {"tb": True}),
         {0: rng.normal(size=(BATCH, k))})
    # a weight gradient: the batch is the inner dimension
    case("matmul-batched-inner", ["matmul"], {"S": shift, "T": np.full((n,), 2e-3)},
         lambda g, p, x: g.add("matmul", [g.add("add", [x[0], p["S"]]),
                                          g.add("add", [x[1], p["T"]])], {"ta": True}),
         {0: rng.normal(size=(BATCH, k)), 1: rng.normal(size=(BATCH, n))})


_matmul_cases()


def _batch_matmul_cases():
    m, k, n = 3, 4, 2
    for ta in (False, True):
        for tb in (False, True):
            rng = _rng(f"batch_matmul-{ta}-{tb}")
            a = rng.normal(size=(2,) + ((k, m) if ta else (m, k)))
            b = rng.normal(size=(2,) + ((n, k) if tb else (k, n)))
            case(f"batch_matmul-ta{int(ta)}-tb{int(tb)}", ["batch_matmul"], {"A": a, "B": b},
                 lambda g, p, x, ta=ta, tb=tb: g.add("batch_matmul", [p["A"], p["B"]],
                                                     {"ta": ta, "tb": tb}))
            case(f"batch_matmul-batched-ta{int(ta)}-tb{int(tb)}", ["batch_matmul"],
                 {"S": rng.normal(size=a.shape[1:]) * 0.1,
                  "T": rng.normal(size=b.shape[1:]) * 0.1},
                 lambda g, p, x, ta=ta, tb=tb: g.add(
                     "batch_matmul", [g.add("add", [x[0], p["S"]]), g.add("add", [x[1], p["T"]])],
                     {"ta": ta, "tb": tb}),
                 {0: rng.normal(size=(BATCH,) + a.shape[1:]),
                  1: rng.normal(size=(BATCH,) + b.shape[1:])})


_batch_matmul_cases()


# -- layout: transpose, broadcast_to, concat, slice, pad_axis -------------------

def _layout_cases():
    rng = _rng("layout")
    for variant, shape, axes in [("reverse", (2, 3, 4), None), ("swap-2d", (3, 4), (1, 0)),
                                 ("lead-3d", (2, 3, 4), (1, 0, 2))]:
        case(f"transpose-{variant}", ["transpose"], {"P": rng.normal(size=shape)},
             lambda g, p, x, axes=axes: g.add("transpose", [p["P"]], {"axes": axes}))
    case("transpose-batched", ["transpose"], {"S": rng.normal(size=(3, 4))},
         lambda g, p, x: g.add("transpose", [g.add("add", [x[0], p["S"]])], {"axes": (0, 2, 1)}),
         {0: rng.normal(size=(BATCH, 3, 4))})

    for variant, shape, target in [("over-batch", (3,), (None, 3)), ("column", (3, 1), (3, 4)),
                                   ("scalar", (), (2, 3)), ("lead-and-1", (1, 4), (2, 3, 4)),
                                   ("non-adjacent", (3, 1), (2, 3, 4)),
                                   ("batch-column", (1,), (None, 3))]:
        case(f"broadcast_to-{variant}", ["broadcast_to"], {"P": rng.normal(size=shape)},
             lambda g, p, x, target=target: g.add("broadcast_to", [p["P"]], {"shape": target}))

    case("concat-last", ["concat"], {"A": rng.normal(size=(3, 2)), "B": rng.normal(size=(3, 4))},
         lambda g, p, x: g.add("concat", [p["A"], p["B"]], {"axis": -1}))
    case("concat-first-three", ["concat"],
         {"A": rng.normal(size=(2, 3)), "B": rng.normal(size=(1, 3)),
          "C": rng.normal(size=(2, 3))},
         lambda g, p, x: g.add("concat", [p["A"], p["B"], p["C"]], {"axis": 0}))
    case("concat-batched", ["concat"], {"S": rng.normal(size=(2,)), "T": rng.normal(size=(3,))},
         lambda g, p, x: g.add("concat", [g.add("add", [x[0], p["S"]]),
                                          g.add("add", [x[1], p["T"]])], {"axis": 1}),
         {0: rng.normal(size=(BATCH, 2)), 1: rng.normal(size=(BATCH, 3))})

    for variant, axis, start, stop in [("columns", 1, 1, 4), ("rows", 0, 0, 2),
                                       ("empty", 1, 2, 2)]:
        case(f"slice-{variant}", ["slice"], {"P": rng.normal(size=(4, 6))},
             lambda g, p, x, axis=axis, start=start, stop=stop: g.add(
                 "concat", [g.add("slice", [p["P"]], {"axis": axis, "start": start,
                                                      "stop": stop}),
                            g.add("slice", [p["P"]], {"axis": axis, "start": 0, "stop": 1})],
                 {"axis": axis}))
    case("slice-batched", ["slice"], {"S": rng.normal(size=(5,))},
         lambda g, p, x: g.add("slice", [g.add("add", [x[0], p["S"]])],
                               {"axis": -1, "start": 2, "stop": 5}),
         {0: rng.normal(size=(BATCH, 5))})

    case("pad_axis-rows", ["pad_axis"], {"P": rng.normal(size=(3, 4))},
         lambda g, p, x: g.add("pad_axis", [p["P"]], {"axis": 0, "before": 1, "after": 2}))
    case("pad_axis-batched", ["pad_axis"], {"S": rng.normal(size=(3,))},
         lambda g, p, x: g.add("pad_axis", [g.add("add", [x[0], p["S"]])],
                               {"axis": 1, "before": 2, "after": 0}),
         {0: rng.normal(size=(BATCH, 3))})


_layout_cases()


# -- reductions ---------------------------------------------------------------

REDUCE_VARIANTS = [
    ("axis0", (3, 4), {"axes": (0,)}),
    ("axis-1", (3, 4), {"axes": (-1,)}),
    ("all", (3, 4), {"axes": None}),
    ("axis-1-keepdims", (3, 4), {"axes": (-1,), "keepdims": True}),
    ("all-keepdims", (3, 4), {"axes": None, "keepdims": True}),
    ("middle-3d", (2, 3, 4), {"axes": (1,)}),
    ("int-axis", (2, 3, 4), {"axes": -1}),
]


def _reduce_cases():
    for op in ("reduce_sum", "reduce_mean", "reduce_max"):
        for variant, shape, attrs in REDUCE_VARIANTS:
            rng = _rng(f"{op}-{variant}")
            case(f"{op}-{variant}", [op], {"P": _distinct(rng, shape)},
                 lambda g, p, x, op=op, attrs=attrs: g.add(op, [p["P"]], dict(attrs)))
        rng = _rng(f"{op}-batched")
        shift = np.full((4,), 1e-3)
        data = _distinct(rng, (BATCH, 4))
        for variant, attrs in [("over-batch", {"axes": (0,)}), ("per-sample", {"axes": -1}),
                               ("all", {"axes": None, "keepdims": True})]:
            case(f"{op}-batched-{variant}", [op], {"S": shift},
                 lambda g, p, x, op=op, attrs=attrs: g.add(
                     op, [g.add("add", [x[0], p["S"]])], dict(attrs)),
                 {0: data})


_reduce_cases()


# -- softmax, log-softmax -----------------------------------------------------

def _softmax_cases():
    for op in ("softmax", "log_softmax"):
        rng = _rng(op)
        case(f"{op}-last", [op], {"P": rng.normal(size=(3, 5))},
             lambda g, p, x, op=op: g.add(op, [p["P"]], {"axis": -1}))
        case(f"{op}-middle-3d", [op], {"P": rng.normal(size=(2, 3, 4))},
             lambda g, p, x, op=op: g.add(op, [p["P"]], {"axis": 1}))
        case(f"{op}-batched", [op], {"S": rng.normal(size=(4,)) * 0.1},
             lambda g, p, x, op=op: g.add(op, [g.add("add", [x[0], p["S"]])], {"axis": -1}),
             {0: rng.normal(size=(BATCH, 4))})
        case(f"{op}-batched-middle", [op], {"S": rng.normal(size=(3, 2)) * 0.1},
             lambda g, p, x, op=op: g.add(op, [g.add("add", [x[0], p["S"]])], {"axis": 1}),
             {0: rng.normal(size=(BATCH, 3, 2))})


_softmax_cases()


def _softmax_xent_cases():
    """The fused loss in both forms, with soft targets so every class gets a gradient."""
    for from_logits in (False, True):
        rng = _rng(f"softmax_xent-{from_logits}")
        targets = rng.dirichlet(np.ones(4), size=BATCH)
        case(f"softmax_xent-logits={from_logits}", ["softmax_xent"],
             {"S": rng.normal(size=(4,))},
             lambda g, p, x, fl=from_logits: g.add("softmax_xent", [
                 g.add("add", [x[0], p["S"]]), x[1],
                 g.add("const", [], {"value": np.float64(1e-7), "dtype": "float64"}),
                 g.add("const", [], {"value": np.float64(1 - 1e-7), "dtype": "float64"})],
                 {"from_logits": fl}),
             {0: rng.normal(size=(BATCH, 4)), 1: targets})


_softmax_xent_cases()


# -- shapes: reshape, sum_to, broadcast_axes -----------------------------------

_r = _rng("shapes")
case("reshape", ["reshape"], {"P": _r.normal(size=(2, 6))},
     lambda g, p, x: g.add("reshape", [p["P"]], {"shape": (3, 4)}))
case("reshape-batched", ["reshape"], {"S": _r.normal(size=(6,))},
     lambda g, p, x: g.add("reshape", [g.add("add", [x[0], p["S"]])], {"shape": (None, 2, -1)}),
     {0: _r.normal(size=(BATCH, 6))})

SUM_TO_VARIANTS = [
    ("drop-batch", (None, 3), (3,)),
    ("keep-batch-as-1", (None, 3), (1, 3)),
    ("column", (4, 3), (4, 1)),
    ("drop-lead-and-keep-1", (2, 3, 4), (3, 1)),
    ("drop-lead", (2, 3, 4), (3, 4)),
    ("all-to-scalar", (2, 3), ()),
    ("identity-rank", (2, 3), (1, 1)),
]


def _sum_to_cases():
    for variant, src, target in SUM_TO_VARIANTS:
        rng = _rng(f"sum_to-{variant}")
        if src[0] is None:
            case(f"sum_to-{variant}", ["sum_to"], {"S": rng.normal(size=src[1:])},
                 lambda g, p, x, target=target: g.add(
                     "sum_to", [g.add("add", [x[0], p["S"]])], {"shape": target}),
                 {0: rng.normal(size=(BATCH,) + src[1:])})
        else:
            case(f"sum_to-{variant}", ["sum_to"], {"P": rng.normal(size=src)},
                 lambda g, p, x, target=target: g.add("sum_to", [p["P"]], {"shape": target}))


_sum_to_cases()

BROADCAST_VARIANTS = [
    # (variant, parameter shape, attrs)
    ("over-batch", (3,), {"axes": (0,), "shape": (None, 3)}),
    ("over-batch-mean", (3,), {"axes": (0,), "shape": (None, 3), "mean": True}),
    ("last-mean", (4,), {"axes": (1,), "shape": (4, 5), "mean": True}),
    ("keep1-mean", (1, 5), {"axes": (0,), "shape": (3, 5), "mean": True}),
    ("scalar-all-mean", (), {"axes": None, "shape": (3, 4), "mean": True}),
    ("middle-3d", (2, 4), {"axes": (1,), "shape": (2, 3, 4)}),
]


def _broadcast_cases():
    for variant, shape, attrs in BROADCAST_VARIANTS:
        rng = _rng(f"broadcast_axes-{variant}")
        case(f"broadcast_axes-{variant}", ["broadcast_axes"], {"P": rng.normal(size=shape)},
             lambda g, p, x, attrs=attrs: g.add("broadcast_axes", [p["P"]], dict(attrs)))
    rng = _rng("broadcast_axes-batched")
    case("broadcast_axes-batched-mean", ["broadcast_axes"], {"S": np.array(0.1)},
         lambda g, p, x: g.add("broadcast_axes", [g.add("add", [x[0], p["S"]])],
                               {"axes": (1,), "shape": (None, 4), "mean": True}),
         {0: rng.normal(size=(BATCH,))})


_broadcast_cases()


# -- the check ----------------------------------------------------------------

def _build(c):
    """The lowered graph of case ``c`` with its ``loss`` output, and the data to feed it."""
    g = new_graph(c.id.replace("-", "_"))
    params = {k: param(g, k, np.shape(v)) for k, v in c.params.items()}
    xs = {i: x_input(g, arr.shape[1:], index=i) for i, arr in c.inputs.items()}
    out = c.build(g, params, xs)
    present = {g.op_of(n) for n in g.nx.nodes}
    missing = set(c.ops) - present
    assert not missing, f"case {c.id} does not contain the ops it claims to cover: {missing}"

    rng = _rng(f"projection-{c.id}")
    feeds = {("x", i): arr for i, arr in c.inputs.items()}
    if out.type.batched:
        proj = x_input(g, out.shape[1:], index=0, kind="y")
        feeds[("y", 0)] = rng.normal(size=(BATCH,) + tuple(out.shape[1:]))
    else:
        proj = const(g, rng.normal(size=out.shape))
    loss = g.add("reduce_sum", [g.add("mul", [out, proj])], {"axes": None})
    g.outputs["loss"] = loss.name
    return g, feeds


def _run(g, feeds, params):
    """The interpreter with NumPy's global generator seeded, so random ops repeat."""
    saved = np.random.get_state()
    np.random.seed(0)
    try:
        outputs, _ = interpreter.run(g, feeds, params, batch_size=BATCH)
    finally:
        np.random.set_state(saved)
    return outputs


def _loss(g, feeds, params):
    return float(_run(g, feeds, params)["loss"])


def _numeric_grad(g, feeds, params, key):
    base = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    grad = np.zeros_like(base[key])
    flat = base[key].reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + EPS
        up = _loss(g, feeds, base)
        flat[i] = keep - EPS
        down = _loss(g, feeds, base)
        flat[i] = keep
        grad.reshape(-1)[i] = (up - down) / (2 * EPS)
    return grad


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_gradient_matches_finite_differences(c):
    g, feeds = _build(c)
    stages, _ = run_passes(g, [Autodiff()])
    dg = stages.final()
    grads = dg.meta["grads"]
    assert set(grads) <= set(c.params)
    for p, gv in grads.items():
        assert dg.type_of(gv) == dg.type_of(p), f"gradient of {p} has the parameter's type"
        dg.outputs[f"grad:{p}"] = gv
    outputs = _run(dg, feeds, c.params)
    assert float(outputs["loss"]) == pytest.approx(_loss(g, feeds, c.params), rel=1e-12)
    for key in c.params:
        numeric = _numeric_grad(g, feeds, c.params, key)
        # a parameter the rules give no gradient must not affect the loss either
        analytic = outputs[f"grad:{key}"] if key in grads else np.zeros_like(numeric)
        np.testing.assert_allclose(analytic, numeric, rtol=RTOL, atol=ATOL,
                                   err_msg=f"d loss / d {key} in case {c.id}")


def test_ops_without_gradient_rule_are_exactly_the_known_ones():
    without = {name for name, opdef in REGISTRY.items() if opdef.grad is None}
    assert without == NO_GRAD_OPS


def test_every_gradient_rule_is_checked():
    with_grad = {name for name, opdef in REGISTRY.items() if opdef.grad is not None}
    covered = {op for c in CASES for op in c.ops}
    assert with_grad - covered == set(), "ops with a gradient rule but no case"
    assert covered - with_grad == set(), "cases claim ops that have no gradient rule"


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
