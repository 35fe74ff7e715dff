"""Elementwise ops for Keras activations, comparisons and ``where`` (the ``select`` op).

Each differentiable op is checked against central differences in float64
(data kept away from its kinks), and every op, with the gradient ops autodiff
emits for it, runs in one compiled program per dtype against the interpreter
at several batch sizes. Piecewise-constant ops must pass no gradient and must
not stop autodiff; their compiled results are compared on grid data, where
zeros and ties happen.
"""

import numpy as np
import pytest
from scipy.special import erf

from compiler import interpreter
from compiler.ops import REGISTRY
from compiler.passes import Autodiff
from compiler.pipeline import run_passes

from compiler_testlib import const, new_graph, param
from opcase_testlib import Case, away_from, check_compiled, check_gradient, grid, normal

CASES = []

UNARY = {
    # op: (data away from the kinks, NumPy reference in float64)
    "erf": (normal, erf),
    "expm1": (normal, np.expm1),
    "cos": (normal, np.cos),
    "sin": (normal, np.sin),
    "reciprocal": (away_from(0.0, margin=0.5), lambda x: 1 / x),
    "selu": (away_from(0.0), lambda x: np.where(x >= 0, 1.0507009873554805 * x,
                                                1.0507009873554805 * 1.6732632423543772
                                                * np.expm1(x))),
    "hard_sigmoid": (away_from(-3.0, 3.0, low=-4, high=4),
                     lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    "softsign": (normal, lambda x: x / (1 + np.abs(x))),
    "silu": (normal, lambda x: x / (1 + np.exp(-x))),
    "relu6": (away_from(0.0, 6.0, low=-2, high=8), lambda x: np.clip(x, 0, 6)),
    "log_sigmoid": (normal, lambda x: -np.logaddexp(0, -x)),
    "gelu": (normal, lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2)))),
    "gelu_tanh": (normal, lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi)
                                                           * (x + 0.044715 * x ** 3)))),
}
WITH_ALPHA = {
    "leaky_relu": (0.2, lambda x, a: np.where(x > 0, x, a * x)),
    "elu": (1.3, lambda x, a: np.where(x >= 0, x, a * np.expm1(x))),
}
FLAGS = {
    # binary: NumPy reference
    "greater_equal": np.greater_equal,
    "not_equal": np.not_equal,
    "logical_and": np.logical_and,
    "logical_or": np.logical_or,
}
FLAT = {"sign": np.sign, "floor": np.floor, "logical_not": np.logical_not,
        "zeros_like": np.zeros_like, "ones_like": np.ones_like}


def case(id, ops, build, params=None, inputs=None, grad=True):
    CASES.append(Case(id, tuple(ops), build, params or {}, inputs or {}, grad))


def small(rng, shape):
    return 0.1 * rng.normal(size=shape)


def zeros(rng, shape):
    return np.zeros(shape)


def kinks(rng, shape):
    """Multiples of 1.5 in [-6, 6]: every kink of these activations (0, +-3, 6) and ties."""
    return 3 * grid(rng, shape)


def _unary(op, alpha=None):
    """``op`` on a weight and on a batch (``x + Q``), with a scalar ``alpha`` operand if given."""
    def build(g, p, x):
        extra = [] if alpha is None else [const(g, alpha, p["Q"].dtype)]
        out = {"x": g.add(op, [g.add("add", [x[0], p["Q"]]), *extra])}
        if "P" in p:
            out["w"] = g.add(op, [p["P"], *extra])
        return out
    return build


for _op, (_gen, _) in UNARY.items():
    case(_op, [_op], _unary(_op), params={"P": ((3, 4), _gen), "Q": ((4,), small)},
         inputs={0: ((4,), _gen)})
for _op, (_alpha, _) in WITH_ALPHA.items():
    case(_op, [_op], _unary(_op, _alpha),
         params={"P": ((3, 4), away_from(0.0)), "Q": ((4,), small)},
         inputs={0: ((4,), away_from(0.0))})
for _op in list(UNARY) + list(WITH_ALPHA) + list(FLAT):
    # at the kinks: no gradient check, but kernel and reference must agree exactly there
    _a = WITH_ALPHA[_op][0] if _op in WITH_ALPHA else None
    case(f"{_op}-at-kinks", [_op], _unary(_op, _a), params={"Q": ((5,), zeros)},
         inputs={0: ((5,), kinks)}, grad=False)

for _op in FLAGS:
    case(f"{_op}-broadcast", [_op],
         lambda g, p, x, op=_op: {"xx": g.add(op, [x[0], x[1]]), "xw": g.add(op, [x[0], p["W"]]),
                                  "wx": g.add(op, [p["W"], x[0]]),
                                  "scalar": g.add(op, [x[0], const(g, 0.5, x[0].dtype)])},
         params={"W": ((3,), grid)}, inputs={0: ((3,), grid), 1: ((3,), grid)}, grad=False)


# -- select (Keras `where`) -------------------------------------------------------------------

def _cond(rng, shape):
    return rng.integers(0, 2, size=shape).astype(np.float64)


case("select-same-shapes", ["select"],
     lambda g, p, x: {"y": g.add("select", [x[0], g.add("add", [x[1], p["A"]]),
                                           g.add("mul", [x[1], p["B"]])])},
     params={"A": ((2, 3), normal), "B": ((2, 3), normal)},
     inputs={0: ((2, 3), _cond), 1: ((2, 3), normal)})
case("select-broadcast-operands", ["select"],
     lambda g, p, x: {"y": g.add("select", [x[0], p["A"], p["B"]]),
                      "scalar-cond": g.add("select", [const(g, 1.0, x[0].dtype), p["A"],
                                                      g.add("mul", [x[1], p["B"]])])},
     params={"A": ((2, 1), normal), "B": ((3,), normal)},
     inputs={0: ((2, 3), _cond), 1: ((2, 3), normal)})
case("select-nonzero-condition", ["select"],
     lambda g, p, x: {"y": g.add("select", [x[0], g.add("add", [x[1], p["A"]]), p["B"]])},
     params={"A": ((3,), normal), "B": ((), normal)},
     inputs={0: ((3,), grid), 1: ((3,), normal)})


@pytest.mark.parametrize("c", [c for c in CASES if c.grad], ids=lambda c: c.id)
def test_gradient_matches_finite_differences(c):
    check_gradient(c)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_program_matches_interpreter(dtype):
    graph, program = check_compiled(CASES, dtype, f"elementwise_extra_{dtype}")
    kernels = {call.kernel for call in program.generated.calls}
    expected = {f"map_{op}_{dtype}" for op in list(UNARY) + list(WITH_ALPHA) + list(FLAT)}
    expected |= {f"map_{op}_grad_{dtype}" for op in list(UNARY) + list(WITH_ALPHA)}
    expected |= {f"bin_{op}_{dtype}" for op in FLAGS} | {f"map_select_{dtype}"}
    assert expected <= kernels


@pytest.mark.parametrize("op", list(UNARY) + list(WITH_ALPHA) + list(FLAT) + list(FLAGS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpy_reference_matches_the_keras_definition(op, dtype):
    """The registry's reference (what the interpreter and eager ops run) in float64 terms."""
    x = np.linspace(-7, 7, 57).astype(dtype)
    if op == "reciprocal":
        x = x + np.asarray(0.3, dtype)   # the grid holds 0
    y = np.roll(x, 5)
    if op in UNARY:
        args, want = [x], UNARY[op][1](x.astype(np.float64))
    elif op in WITH_ALPHA:
        alpha = WITH_ALPHA[op][0]
        args, want = [x, np.asarray(alpha, dtype)], WITH_ALPHA[op][1](x.astype(np.float64), alpha)
    elif op in FLAT:
        args, want = [x], FLAT[op](x.astype(np.float64))
    else:
        args, want = [x, y], FLAGS[op](x, y)
    got = REGISTRY[op].numpy(args, {})
    assert got.dtype == np.dtype(dtype)
    tol = dict(rtol=2e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, np.asarray(want, dtype=np.float64), **tol)


@pytest.mark.parametrize("op", ["sign", "floor"] + list(FLAGS))
def test_piecewise_constant_ops_pass_no_gradient(op):
    """``loss = sum(w * f(w))`` has gradient ``f(w)``: f itself contributes nothing."""
    g = new_graph()
    w = param(g, "w", (4,))
    flat = g.add(op, [w] if op in FLAT else [w, const(g, 0.25)])
    g.outputs["loss"] = g.add("reduce_sum", [g.add("mul", [w, flat])], {"axes": None}).name
    dg = run_passes(g, [Autodiff()])[0].final()
    dg.outputs["grad"] = dg.meta["grads"]["w"]
    values = {"w": np.array([-1.5, -0.25, 0.0, 0.75])}
    out, _ = interpreter.run(dg, {}, values)
    np.testing.assert_array_equal(out["grad"], REGISTRY[op].numpy(
        [values["w"]] if op in FLAT else [values["w"], np.asarray(0.25)], {}))


def test_select_condition_gets_no_gradient_and_values_split():
    g = new_graph()
    c = param(g, "c", (3,))
    a = param(g, "a", (3,))
    b = param(g, "b", (3,))
    y = g.add("select", [c, a, b])
    g.outputs["loss"] = g.add("reduce_sum", [y], {"axes": None}).name
    dg = run_passes(g, [Autodiff()])[0].final()
    grads = dg.meta["grads"]
    assert set(grads) == {"a", "b"}
    dg.outputs.update({"da": grads["a"], "db": grads["b"]})
    out, _ = interpreter.run(dg, {}, {"c": np.array([1.0, 0.0, -2.0]), "a": np.ones(3),
                                      "b": np.ones(3)})
    np.testing.assert_array_equal(out["da"], [1, 0, 1])
    np.testing.assert_array_equal(out["db"], [0, 1, 0])
