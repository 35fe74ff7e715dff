"""Every op that has a kernel, compiled into a ``Program`` and compared with the interpreter.

Each case is run in float32 and float64, on one compiled program, at batch
sizes 1, an odd size and the capacity, then again below a larger capacity after
the program re-links; the program's function must stay the same object with a
single compiled signature (the batch size is plan data, not code).
"""

import gc
import re
import zlib
from dataclasses import dataclass, field
from typing import Callable, Dict, Tuple

import numpy as np
import pytest

from compiler import interpreter
from compiler.errors import InternalCompilerError
from compiler.kernels import random
from compiler.ops import REGISTRY
from compiler.ops.registry import Source
from compiler.passes import Schedule
from compiler.pipeline import run_passes
from compiler.runtime import Arena, Program

from compiler_testlib import (Runner, compiled_signatures, const, new_graph, param, state,
                              x_input)

DTYPES = ("float32", "float64")
TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}
# (capacity, batch sizes run at that capacity): 1, odd, full, then below a larger capacity
SCHEDULE = [(8, (1, 5, 8)), (13, (11, 1))]
MAX_ROWS = 13


# -- data ---------------------------------------------------------------------

def normal(rng, shape):
    return rng.normal(size=shape)


def grid(rng, shape):
    """Multiples of 0.5 in [-2, 2]: zeros and ties on purpose."""
    return rng.integers(-4, 5, size=shape) / 2.0


def positive(rng, shape):
    return rng.uniform(0.2, 3.0, size=shape)


def positive_grid(rng, shape):
    return rng.integers(1, 5, size=shape) / 2.0


def nonzero_grid(rng, shape):
    return rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], size=shape)


def labels(depth):
    """Class indices carried as floats, with out-of-range (-1, depth) and fractional ones."""
    def gen(rng, shape):
        idx = rng.integers(-1, depth + 1, size=shape).astype(np.float64)
        return np.where(rng.random(shape) < 0.2, idx + 0.5, idx)
    return gen


@dataclass
class Case:
    id: str
    ops: Tuple[str, ...]
    build: Callable                      # (g, params, xs, dtype) -> {role: Value}
    inputs: Dict[int, tuple] = field(default_factory=dict)   # index -> (sample shape, gen)
    params: Dict[str, tuple] = field(default_factory=dict)   # key -> (shape, gen)


CASES = []


def case(id, ops, build, inputs=None, params=None):
    CASES.append(Case(id, tuple(ops), build, inputs or {}, params or {}))


# -- Map: unary ops, on a batched tensor, an unbatched tensor and a scalar -----

def wide(rng, shape):
    return rng.normal(size=shape) * 4


UNARY = {"neg": normal, "relu": grid, "sigmoid": normal, "tanh": normal, "exp": normal,
         "log": positive, "log1p": positive, "sqrt": positive, "square": normal, "abs": grid,
         "softplus": wide, "erf": normal, "expm1": normal, "cos": wide, "sin": wide,
         "reciprocal": nonzero_grid, "selu": grid, "softsign": normal, "silu": wide,
         "log_sigmoid": wide, "gelu": wide, "gelu_tanh": wide,
         # kinks hit exactly: multiples of 1.5 reach -3, 0, 3 and 6
         "hard_sigmoid": lambda r, s: r.integers(-4, 5, size=s) * 1.5,
         "relu6": lambda r, s: r.integers(-2, 6, size=s) * 1.5,
         "sign": grid, "logical_not": grid, "floor": wide, "zeros_like": normal,
         "ones_like": normal}

for _op, _gen in UNARY.items():
    case(_op, [_op],
         lambda g, p, x, dt, op=_op: {"batched": g.add(op, [x[0]]),
                                      "unbatched": g.add(op, [p["U"]]),
                                      "scalar": g.add(op, [p["K"]]),
                                      "size-1": g.add(op, [x[1]])},
         inputs={0: ((3, 4), _gen), 1: ((1,), _gen)},
         params={"U": ((2, 3), _gen), "K": ((), _gen)})

case("clip", ["clip"],
     lambda g, p, x, dt: {"const-bounds": g.add("clip", [x[0], const(g, -0.5, dt),
                                                          const(g, 1.0, dt)]),
                          "param-bounds": g.add("clip", [p["U"], p["L"], p["H"]])},
     inputs={0: ((5,), grid)},
     params={"U": ((2, 3), grid), "L": ((), lambda r, s: np.array(-1.0)),
             "H": ((), lambda r, s: np.array(0.5))})

# activations with a scalar operand (alpha): a constant or a scalar parameter
for _op in ("leaky_relu", "elu"):
    case(_op, [_op],
         lambda g, p, x, dt, op=_op: {"const-alpha": g.add(op, [x[0], const(g, 0.3, dt)]),
                                      "param-alpha": g.add(op, [p["U"], p["A"]])},
         inputs={0: ((2, 3), grid)},
         params={"U": ((4,), normal), "A": ((), lambda r, s: np.array(1.7))})

# the gradients of unary ops: (d, y or x), both of the output's shape
UNARY_GRADS = {"relu_grad": grid, "sigmoid_grad": lambda r, s: r.uniform(0, 1, size=s),
               "tanh_grad": lambda r, s: r.uniform(-1, 1, size=s), "log1p_grad": positive,
               "sqrt_grad": positive, "square_grad": normal, "abs_grad": grid,
               "softplus_grad": normal, "erf_grad": normal,
               "expm1_grad": lambda r, s: r.uniform(-0.9, 3.0, size=s), "cos_grad": wide,
               "sin_grad": wide, "reciprocal_grad": nonzero_grid, "selu_grad": grid,
               "hard_sigmoid_grad": lambda r, s: r.integers(-4, 5, size=s) * 1.5,
               "softsign_grad": normal, "silu_grad": wide,
               "relu6_grad": lambda r, s: r.integers(-2, 6, size=s) * 1.5,
               "log_sigmoid_grad": wide, "gelu_grad": wide, "gelu_tanh_grad": wide}

for _op, _gen in UNARY_GRADS.items():
    case(_op, [_op],
         lambda g, p, x, dt, op=_op: {"batched": g.add(op, [x[0], x[1]]),
                                      "unbatched": g.add(op, [p["D"], p["Y"]])},
         inputs={0: ((2, 3), normal), 1: ((2, 3), _gen)},
         params={"D": ((4,), normal), "Y": ((4,), _gen)})

for _op in ("leaky_relu_grad", "elu_grad"):
    case(_op, [_op],
         lambda g, p, x, dt, op=_op: {"batched": g.add(op, [x[0], x[1], const(g, 0.3, dt)])},
         inputs={0: ((5,), normal), 1: ((5,), grid)})

case("select", ["select"],
     lambda g, p, x, dt: {"batched": g.add("select", [x[0], x[1], x[2]]),
                          "unbatched": g.add("select", [p["C"], p["U"], p["V"]])},
     inputs={0: ((2, 3), grid), 1: ((2, 3), normal), 2: ((2, 3), normal)},
     params={"C": ((4,), grid), "U": ((4,), normal), "V": ((4,), normal)})

case("clip_grad", ["clip_grad"],
     lambda g, p, x, dt: {"batched": g.add("clip_grad", [x[0], x[1], const(g, -0.5, dt),
                                                         const(g, 1.0, dt)])},
     inputs={0: ((6,), normal), 1: ((6,), grid)})


# -- Binary: every op over every broadcasting pattern in one program -----------

BINARY = {"add": grid, "sub": grid, "mul": grid, "div": nonzero_grid, "maximum": grid,
          "minimum": grid, "max_mask": grid, "min_mask": grid, "equal": grid,
          "greater": grid, "pow": positive_grid, "greater_equal": grid, "not_equal": grid,
          "logical_and": grid, "logical_or": grid}


def _binary_build(op):
    def build(g, p, x, dt):
        a, col, cube, cube_col = x[0], x[1], x[2], x[3]
        return {
            "same": g.add(op, [a, x[4]]),
            "self": g.add(op, [a, a]),
            "row": g.add(op, [a, p["R"]]),
            "row-first": g.add(op, [p["R"], a]),
            "row-keepdim": g.add(op, [a, p["R1"]]),
            "column": g.add(op, [a, col]),
            "column-first": g.add(op, [col, a]),
            "scalar": g.add(op, [a, p["K"]]),
            "scalar-op-batch": g.add(op, [p["K"], a]),
            "outer": g.add(op, [col, p["R"]]),
            "size-1": g.add(op, [col, col]),
            "3d-row": g.add(op, [cube, p["M"]]),
            "3d-column": g.add(op, [cube, cube_col]),
            "unbatched-row": g.add(op, [p["U"], p["R"]]),
            "unbatched-column": g.add(op, [p["U"], p["C"]]),
            "unbatched-scalar": g.add(op, [p["K"], p["U"]]),
            "scalars": g.add(op, [p["K"], p["K2"]]),
        }
    return build


for _op, _gen in BINARY.items():
    case(_op, [_op], _binary_build(_op),
         inputs={0: ((3,), _gen), 1: ((1,), _gen), 2: ((2, 3), _gen), 3: ((2, 1), _gen),
                 4: ((3,), _gen)},
         params={"R": ((3,), _gen), "R1": ((1, 3), _gen), "K": ((), _gen), "K2": ((), _gen),
                 "M": ((2, 3), _gen), "U": ((2, 3), _gen), "C": ((2, 1), _gen)})


# -- matmul: every transpose pattern, batched and not ---------------------------

def _mm(g, a, b, ta=False, tb=False):
    return g.add("matmul", [a, b], {"ta": ta, "tb": tb})


case("matmul-nn", ["matmul"],
     lambda g, p, x, dt: {"dense": _mm(g, x[0], p["W"]), "unbatched": _mm(g, p["A"], p["W"]),
                          "inner-1": _mm(g, x[1], p["V"])},
     inputs={0: ((4,), normal), 1: ((1,), normal)},
     params={"W": ((4, 3), normal), "A": ((2, 4), normal), "V": ((1, 3), normal)})
case("matmul-nt", ["matmul"],
     lambda g, p, x, dt: {"dense-t": _mm(g, x[0], p["W"], tb=True),
                          "unbatched": _mm(g, p["A"], p["W"], tb=True)},
     inputs={0: ((4,), normal)},
     params={"W": ((3, 4), normal), "A": ((2, 4), normal)})
case("matmul-tn", ["matmul"],
     lambda g, p, x, dt: {"batched-inner": _mm(g, x[0], x[1], ta=True),
                          "batched-inner-col": _mm(g, x[0], x[2], ta=True),
                          "unbatched": _mm(g, p["A"], p["B"], ta=True)},
     inputs={0: ((4,), normal), 1: ((3,), normal), 2: ((1,), normal)},
     params={"A": ((4, 2), normal), "B": ((4, 3), normal)})
case("matmul-tt", ["matmul"],
     lambda g, p, x, dt: {"unbatched": _mm(g, p["A"], p["B"], ta=True, tb=True),
                          "after-batched": _mm(g, _mm(g, x[0], x[1], ta=True), p["C"],
                                               ta=True, tb=True)},
     inputs={0: ((4,), normal), 1: ((3,), normal)},
     params={"A": ((4, 2), normal), "B": ((3, 4), normal), "C": ((5, 4), normal)})


def _bmm(g, a, b, ta=False, tb=False):
    return g.add("batch_matmul", [a, b], {"ta": ta, "tb": tb})


for _ta in (False, True):
    for _tb in (False, True):
        _a = (4, 3) if _ta else (3, 4)
        _b = (2, 4) if _tb else (4, 2)
        case(f"batch_matmul-{'t' if _ta else 'n'}{'t' if _tb else 'n'}", ["batch_matmul"],
             lambda g, p, x, dt, ta=_ta, tb=_tb: {
                 "batched": _bmm(g, x[0], x[1], ta, tb),
                 "unbatched": _bmm(g, p["A"], p["B"], ta, tb)},
             inputs={0: (_a, normal), 1: (_b, normal)},
             params={"A": ((2,) + _a, normal), "B": ((2,) + _b, normal)})


# -- layout kernels ---------------------------------------------------------------

case("transpose", ["transpose"],
     lambda g, p, x, dt: {
         "batched": g.add("transpose", [x[0]], {"axes": (0, 2, 1)}),
         "batched-unit": g.add("transpose", [x[1]], {"axes": (0, 2, 1)}),
         "reverse": g.add("transpose", [p["P"]], {"axes": None}),
         "2d": g.add("transpose", [p["M"]], {"axes": (1, 0)}),
         "lead-3d": g.add("transpose", [p["P"]], {"axes": (1, 0, 2)})},
     inputs={0: ((3, 4), normal), 1: ((1, 4), normal)},
     params={"P": ((2, 3, 4), normal), "M": ((3, 5), normal)})

case("broadcast_to", ["broadcast_to"],
     lambda g, p, x, dt: {
         "over-batch": g.add("broadcast_to", [p["R"]], {"shape": (None, 3)}),
         "column": g.add("broadcast_to", [x[0]], {"shape": (None, 3)}),
         "scalar": g.add("broadcast_to", [p["K"]], {"shape": (None, 2, 3)}),
         "middle": g.add("broadcast_to", [x[1]], {"shape": (None, 3, 4)}),
         "unbatched": g.add("broadcast_to", [p["C"]], {"shape": (2, 3, 4)})},
     inputs={0: ((1,), normal), 1: ((1, 4), normal)},
     params={"R": ((3,), normal), "K": ((), normal), "C": ((3, 1), normal)})

case("concat", ["concat"],
     lambda g, p, x, dt: {
         "batched": g.add("concat", [x[0], x[1], x[2]], {"axis": 1}),
         "batched-3d": g.add("concat", [x[3], x[4]], {"axis": -1}),
         "unbatched": g.add("concat", [p["A"], p["B"]], {"axis": 0}),
         "single": g.add("concat", [x[0]], {"axis": -1})},
     inputs={0: ((2,), normal), 1: ((3,), normal), 2: ((1,), normal), 3: ((2, 2), normal),
             4: ((2, 1), normal)},
     params={"A": ((2, 3), normal), "B": ((1, 3), normal)})

case("slice", ["slice"],
     lambda g, p, x, dt: {
         "batched": g.add("slice", [x[0]], {"axis": -1, "start": 2, "stop": 5}),
         "batched-middle": g.add("slice", [x[1]], {"axis": 1, "start": 1, "stop": 2}),
         "unbatched": g.add("slice", [p["P"]], {"axis": 0, "start": 1, "stop": 3}),
         "empty": g.add("slice", [x[0]], {"axis": 1, "start": 3, "stop": 3})},
     inputs={0: ((5,), normal), 1: ((3, 4), normal)},
     params={"P": ((4, 6), normal)})

case("pad_axis", ["pad_axis"],
     lambda g, p, x, dt: {
         "batched": g.add("pad_axis", [x[0]], {"axis": 1, "before": 2, "after": 1}),
         "batched-3d": g.add("pad_axis", [x[1]], {"axis": 2, "before": 0, "after": 2}),
         "unbatched": g.add("pad_axis", [p["P"]], {"axis": 0, "before": 1, "after": 0})},
     inputs={0: ((3,), normal), 1: ((2, 2), normal)},
     params={"P": ((3, 4), normal)})


# -- row-wise kernels -----------------------------------------------------------

for _op in ("softmax", "log_softmax"):
    case(_op, [_op],
         lambda g, p, x, dt, op=_op: {
             "last": g.add(op, [x[0]], {"axis": -1}),
             "middle-3d": g.add(op, [x[1]], {"axis": 1}),
             "over-batch": g.add(op, [x[0]], {"axis": 0}),
             "size-1": g.add(op, [x[2]], {"axis": -1}),
             "unbatched": g.add(op, [p["U"]], {"axis": 0})},
         inputs={0: ((5,), lambda r, s: r.normal(size=s) * 3), 1: ((3, 4), normal),
                 2: ((1,), normal)},
         params={"U": ((3, 4), normal)})

for _op, _fwd in (("softmax_grad", "softmax"), ("log_softmax_grad", "log_softmax")):
    case(_op, [_op, _fwd],
         lambda g, p, x, dt, op=_op, fwd=_fwd: {
             "last": g.add(op, [x[0], g.add(fwd, [x[1]], {"axis": -1})], {"axis": -1}),
             "middle-3d": g.add(op, [x[2], g.add(fwd, [x[3]], {"axis": 1})], {"axis": 1})},
         inputs={0: ((4,), normal), 1: ((4,), normal), 2: ((3, 2), normal),
                 3: ((3, 2), normal)})

for _logits in (False, True):
    case(f"softmax_xent-logits={_logits}", ["softmax_xent", "softmax_xent_grad"],
         lambda g, p, x, dt, fl=_logits: {
             "loss": g.add("softmax_xent", [x[0], x[1], const(g, 1e-7, dt),
                                            const(g, 1 - 1e-7, dt)], {"from_logits": fl}),
             "grad": g.add("softmax_xent_grad", [x[2], x[0], x[1], const(g, 1e-7, dt),
                                                 const(g, 1 - 1e-7, dt)], {"from_logits": fl})},
         inputs={0: ((5,), lambda r, s: r.normal(size=s) * 3),
                 1: ((5,), lambda r, s: r.dirichlet(np.ones(5), size=s[:-1])),
                 2: ((), normal)})

case("argmax", ["argmax"],
     lambda g, p, x, dt: {"last": g.add("argmax", [x[0]], {"axis": -1}),
                          "middle-3d": g.add("argmax", [x[1]], {"axis": 1}),
                          "over-batch": g.add("argmax", [x[0]], {"axis": 0}),
                          "unbatched": g.add("argmax", [p["U"]], {"axis": 0})},
     inputs={0: ((5,), grid), 1: ((3, 4), grid)},
     params={"U": ((3, 4), grid)})

case("one_hot", ["one_hot"],
     lambda g, p, x, dt: {"vector": g.add("one_hot", [x[0]], {"depth": 4}),
                          "matrix": g.add("one_hot", [x[1]], {"depth": 3}),
                          "depth-1": g.add("one_hot", [x[0]], {"depth": 1})},
     inputs={0: ((), labels(4)), 1: ((2,), labels(3))})


case("in_top_k", ["in_top_k"],
     lambda g, p, x, dt: {f"k{k}": g.add("in_top_k", [x[0], x[1]], {"k": k})
                          for k in (1, 2, 5)},
     inputs={0: ((), labels(5)), 1: ((5,), grid)})

case("random_uniform", ["random_uniform"],
     lambda g, p, x, dt: {"batched": g.add("random_uniform", [x[0]]),
                          "unbatched": g.add("random_uniform", [p["P"]])},
     inputs={0: ((3,), normal)},
     params={"P": ((2, 3), normal)})


# -- reductions and their adjoints ---------------------------------------------

REDUCE_ATTRS = {
    "over-batch": (0, {"axes": (0,)}),
    "per-sample": (0, {"axes": -1}),
    "all": (0, {"axes": None}),
    "keepdims": (0, {"axes": (-1,), "keepdims": True}),
    "all-keepdims": (1, {"axes": None, "keepdims": True}),
    "middle-3d": (1, {"axes": (1,)}),
    "trailing-3d": (1, {"axes": (1, 2)}),
    "leading-3d": (1, {"axes": (0, 1)}),
    "size-1": (2, {"axes": -1}),
}

for _op in ("reduce_sum", "reduce_mean", "reduce_max"):
    case(_op, [_op],
         lambda g, p, x, dt, op=_op: dict(
             {name: g.add(op, [x[i]], dict(attrs)) for name, (i, attrs) in REDUCE_ATTRS.items()},
             unbatched=g.add(op, [p["U"]], {"axes": 0})),
         inputs={0: ((5,), grid), 1: ((3, 4), normal), 2: ((1,), normal)},
         params={"U": ((3, 4), normal)})

case("sum_to", ["sum_to"],
     lambda g, p, x, dt: {"drop-batch": g.add("sum_to", [x[0]], {"shape": (3,)}),
                          "batch-to-1": g.add("sum_to", [x[0]], {"shape": (1, 3)}),
                          "drop-batch-3d": g.add("sum_to", [x[1]], {"shape": (2, 3)}),
                          "size-1": g.add("sum_to", [x[2]], {"shape": (1,)}),
                          "unbatched-column": g.add("sum_to", [p["U"]], {"shape": (4, 1)})},
     inputs={0: ((3,), normal), 1: ((2, 3), normal), 2: ((1,), normal)},
     params={"U": ((4, 3), normal)})

case("broadcast_axes", ["broadcast_axes"],
     lambda g, p, x, dt: {
         "over-batch": g.add("broadcast_axes", [p["R"]], {"axes": (0,), "shape": (None, 3)}),
         "per-sample-mean": g.add("broadcast_axes", [x[0]],
                                  {"axes": (1,), "shape": (None, 4), "mean": True}),
         "scalar-all-mean": g.add("broadcast_axes", [p["K"]],
                                  {"axes": None, "shape": (None, 3), "mean": True}),
         "keep1-middle": g.add("broadcast_axes", [x[1]], {"axes": (1,), "shape": (None, 3, 4)}),
         "unbatched": g.add("broadcast_axes", [p["V"]], {"axes": (1,), "shape": (4, 5)})},
     inputs={0: ((), normal), 1: ((1, 4), normal)},
     params={"R": ((3,), normal), "K": ((), normal), "V": ((4,), normal)})


# -- Alias and batch_size -------------------------------------------------------

case("reshape", ["reshape"],
     lambda g, p, x, dt: {
         # an output that aliases an input's storage
         "of-input": g.add("reshape", [x[0]], {"shape": (None, 2, 3)}),
         "consumed": g.add("neg", [g.add("reshape", [x[0]], {"shape": (None, 3, -1)})]),
         "of-computed": g.add("reshape", [g.add("exp", [x[0]])], {"shape": (None, 6, 1)}),
         "of-param": g.add("add", [g.add("reshape", [p["P"]], {"shape": (2, 3)}),
                                   g.add("reshape", [x[0]], {"shape": (None, 2, 3)})]),
         "of-const": g.add("reshape", [const(g, np.arange(6.0), dt)], {"shape": (3, 2)})},
     inputs={0: ((6,), normal)},
     params={"P": ((6,), normal)})

case("batch_size", ["batch_size"],
     lambda g, p, x, dt: {"n": g.add("batch_size", [], {"dtype": dt}),
                          "scaled": g.add("mul", [x[0], g.add("batch_size", [], {"dtype": dt})])},
     inputs={0: ((2,), normal)})


# -- the check ------------------------------------------------------------------

def _rng(tag):
    return np.random.default_rng(zlib.crc32(tag.encode()))


def _build(c, dtype):
    g = new_graph(f"{c.id}-{dtype}")
    rng = _rng(c.id)
    values = {k: np.asarray(gen(rng, shape), dtype=dtype) for k, (shape, gen) in c.params.items()}
    params = {k: param(g, k, np.shape(v), dtype) for k, v in values.items()}
    data = {i: np.asarray(gen(rng, (MAX_ROWS,) + tuple(shape)), dtype=dtype)
            for i, (shape, gen) in c.inputs.items()}
    xs = {i: x_input(g, shape, index=i, dtype=dtype) for i, (shape, _) in c.inputs.items()}
    for role, value in c.build(g, params, xs, dtype).items():
        g.outputs[role] = value.name
    stages, _ = run_passes(g, [Schedule()])
    return stages.final(), values, data


def _interpret(graph, feeds, values, batch, seed):
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        return interpreter.run(graph, feeds, values, batch_size=batch)[0]
    finally:
        np.random.set_state(saved)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_kernel_matches_interpreter(c, dtype):
    graph, values, data = _build(c, dtype)
    present = {graph.op_of(n) for n in graph.nx.nodes}
    assert set(c.ops) <= present
    name = "k_" + re.sub(r"\W", "_", c.id) + "_" + dtype
    runner = Runner(graph, dtype, values, name=name)
    program = runner.program
    entries = counts = None
    for capacity, batches in SCHEDULE:
        program.ensure_capacity(capacity)
        assert program.capacity == capacity
        for batch in batches:
            feeds = {("x", i): arr[:batch] for i, arr in data.items()}
            # random ops draw the same numbers compiled and interpreted when seeded alike
            random.seed(batch)
            got = runner.run(feeds, batch)
            want = _interpret(graph, feeds, values, batch, seed=batch)
            for role in graph.outputs:
                assert got[role].shape == want[role].shape, role
                np.testing.assert_allclose(got[role], want[role], **TOLERANCE[dtype],
                                           err_msg=f"output {role} at batch {batch}")
            if entries is None:
                entries, counts = program.entries, compiled_signatures(program)
            assert program.entries is entries, "a new batch size must not recompile"
    assert compiled_signatures(program) == counts, "one specialization for every batch size"


def test_every_kernel_is_covered():
    with_kernel = {name for name, opdef in REGISTRY.items()
                   if not isinstance(opdef.kernel, Source) or name == "batch_size"}
    covered = {op for c in CASES for op in c.ops}
    assert with_kernel - covered == set()
    assert covered - with_kernel == set()


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def _unlegalized(op, operands_of):
    g = new_graph()
    x = x_input(g, (3,), dtype="float32")
    g.outputs["y"] = g.add(op, operands_of(g, x), layer="odd").name
    return g


@pytest.mark.parametrize("op, operands_of", [
    # a tensor where the kernel reads a scalar once
    ("clip", lambda g, x: [x, x_input(g, (3,), index=1, dtype="float32"),
                           const(g, 1.0, "float32")]),
    # a scalar where the kernel reads a tensor per element
    ("relu_grad", lambda g, x: [x, const(g, 1.0, "float32")]),
    # broadcasting operands of a Map op
    ("select", lambda g, x: [x, const(g, 1.0, "float32"), x]),
], ids=["tensor-for-S", "scalar-for-T", "select-broadcast"])
def test_codegen_refuses_map_operands_its_kernel_cannot_read(op, operands_of):
    """The shape rules accept what ``legalize_broadcast`` widens later; without that
    pass, codegen must refuse rather than emit a kernel that reads the wrong elements."""
    g = _unlegalized(op, operands_of)
    with pytest.raises(InternalCompilerError, match="stage `codegen`.*op `odd/"):
        Program("odd", g, Arena("float32"), {})


# -- programs: linking and compiling -------------------------------------------------

def test_constants_of_a_freed_program_are_never_read_by_a_later_one():
    """Python reuses the ids of freed objects; constants must not be keyed by them."""
    arena = Arena("float32")
    for i in range(40):
        g = new_graph("consts")
        x = x_input(g, (3,), dtype="float32")
        # an array constant is listed as `<3 values>`: every program has the same source
        k = const(g, np.arange(3.0) + i, "float32")
        g.outputs["y"] = g.add("mul", [x, k]).name
        program = Program("consts", g, arena, {})
        program.ensure_capacity(2)
        program.entries
        program.input_view(("x", 0), 2)[...] = 1.0
        program.run(2)
        np.testing.assert_array_equal(program.output_view("y", 2)[1], np.arange(3.0) + i)
        del program, g, x, k
        gc.collect()


def test_compiling_does_not_run_the_program():
    g = new_graph("counter")
    x = x_input(g, (2,), dtype="float32")
    count = state(g, "count", (), dtype="float32", init=5.0)
    g.updates[count.name] = g.add("add", [count, const(g, 1.0, "float32")]).name
    g.outputs["y"] = g.add("mul", [x, count]).name
    runner = Runner(g, "float32", name="counter")
    runner.program.ensure_capacity(4)
    runner.program.entries
    assert runner.arena.view("count") == 5.0
    got = runner.run({("x", 0): np.ones((3, 2))}, 3)
    np.testing.assert_array_equal(got["y"], np.full((3, 2), 5.0))
    assert runner.arena.view("count") == 6.0
