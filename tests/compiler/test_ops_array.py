"""Layout and batched ops: transpose, broadcast_to, concat, slice, pad_axis, batch_matmul,
matmul over leading dimensions, in_top_k and random_uniform.

Every case is checked twice (see ``opcase_testlib``): gradients against central
differences in float64 through the interpreter, and one compiled program per
dtype against the interpreter at several batch sizes. The rest checks what
those cannot: refusals of the batch axis, the multi-row lowering of a long
``concat``, and the seeding of compiled random numbers.
"""

import numpy as np
import pytest

from compiler import interpreter
from compiler.errors import GraphError, UnsupportedOpError
from compiler.kernels import random as kernel_random
from compiler.passes import Schedule
from compiler.pipeline import run_passes
from compiler.plan import ROW_WIDTH

from compiler_testlib import Runner, new_graph, param, x_input
from opcase_testlib import Case, check_compiled, check_gradient, grid, normal

CASES = []


def case(id, ops, build, params=None, inputs=None, grad=True):
    CASES.append(Case(id, tuple(ops), build, params or {}, inputs or {}, grad))


def _batched(g, x, p):
    """``x + p``: a batched value that carries the parameter's gradient."""
    return g.add("add", [x, p])


# -- transpose -----------------------------------------------------------------------------

case("transpose-batched-3d", ["transpose"],
     lambda g, p, x: {"y": g.add("transpose", [_batched(g, x[0], p["P"])], {"axes": (0, 2, 1)})},
     params={"P": ((3, 4), normal)}, inputs={0: ((3, 4), normal)})
case("transpose-batched-rank6", ["transpose"],
     lambda g, p, x: {"y": g.add("transpose", [_batched(g, x[0], p["P"])],
                                 {"axes": (0, 4, 2, 5, 1, 3)})},
     params={"P": ((2, 1, 3, 2, 2), normal)}, inputs={0: ((2, 1, 3, 2, 2), normal)})
case("transpose-weight-reversed", ["transpose"],
     lambda g, p, x: {"y": g.add("transpose", [p["P"]], {"axes": None})},
     params={"P": ((3, 5), normal)})
case("transpose-weight-rank6", ["transpose"],
     lambda g, p, x: {"y": g.add("transpose", [p["P"]], {"axes": (5, 3, 1, 0, 4, -4)})},
     params={"P": ((2, 1, 3, 2, 1, 2), normal)})
case("transpose-negative-axes", ["transpose"],
     lambda g, p, x: {"y": g.add("transpose", [_batched(g, x[0], p["P"])],
                                 {"axes": (0, -1, 1, 2)})},
     params={"P": ((2, 3, 4), normal)}, inputs={0: ((2, 3, 4), normal)})


# -- broadcast_to ----------------------------------------------------------------------------

case("broadcast-weight-over-batch-and-middle", ["broadcast_to"],
     lambda g, p, x: {"y": g.add("mul", [g.add("broadcast_to", [p["P"]],
                                               {"shape": (None, 3, 4, 5)}), x[0]])},
     params={"P": ((3, 1, 5), normal)}, inputs={0: ((3, 4, 5), normal)})
case("broadcast-batched-middle", ["broadcast_to"],
     lambda g, p, x: {"y": g.add("broadcast_to", [_batched(g, x[0], p["P"])],
                                 {"shape": (None, 3, 4)})},
     params={"P": ((1, 4), normal)}, inputs={0: ((1, 4), normal)})
case("broadcast-batched-last", ["broadcast_to"],
     lambda g, p, x: {"y": g.add("broadcast_to", [_batched(g, x[0], p["P"])],
                                 {"shape": (None, 2, 3, 4)})},
     params={"P": ((2, 1, 1), normal)}, inputs={0: ((2, 1, 1), normal)})
case("broadcast-weight-new-axes", ["broadcast_to"],
     lambda g, p, x: {"y": g.add("broadcast_to", [p["P"]], {"shape": (2, 3, 5)})},
     params={"P": ((5,), normal)})
case("broadcast-scalar-to-batch", ["broadcast_to"],
     lambda g, p, x: {"y": g.add("broadcast_to", [p["P"]], {"shape": (None, 2)})},
     params={"P": ((), normal)})
case("broadcast-non-adjacent-weight", ["broadcast_to"],
     lambda g, p, x: {"y": g.add("broadcast_to", [p["P"]], {"shape": (None, 4, 3, 2)})},
     params={"P": ((4, 1, 2), normal)})


# -- concat, slice, pad_axis ---------------------------------------------------------------------

case("concat-last-axis", ["concat"],
     lambda g, p, x: {"y": g.add("concat", [g.add("mul", [x[0], p["A"]]),
                                            _batched(g, x[1], p["B"])], {"axis": -1})},
     params={"A": ((2, 3), normal), "B": ((2, 1), normal)},
     inputs={0: ((2, 3), normal), 1: ((2, 1), normal)})
case("concat-middle-axis", ["concat"],
     lambda g, p, x: {"y": g.add("concat", [_batched(g, x[0], p["A"]),
                                            _batched(g, x[1], p["B"])], {"axis": 1})},
     params={"A": ((2, 3), normal), "B": ((1, 3), normal)},
     inputs={0: ((2, 3), normal), 1: ((1, 3), normal)})
case("concat-weights-axis0", ["concat"],
     lambda g, p, x: {"y": g.add("concat", [p["A"], p["B"], p["A"]], {"axis": 0})},
     params={"A": ((2, 3), normal), "B": ((1, 3), normal)})
case("concat-seventeen-operands", ["concat"],
     lambda g, p, x: {"y": g.add("concat", [g.add("mul", [x[0], p["P"]])] * 17, {"axis": 1})},
     params={"P": ((2,), normal)}, inputs={0: ((2,), normal)})
case("slice-batched-last", ["slice"],
     lambda g, p, x: {"y": g.add("slice", [_batched(g, x[0], p["P"])],
                                 {"axis": 1, "start": 1, "stop": 4})},
     params={"P": ((6,), normal)}, inputs={0: ((6,), normal)})
case("slice-batched-middle", ["slice"],
     lambda g, p, x: {"y": g.add("slice", [_batched(g, x[0], p["P"])],
                                 {"axis": -2, "start": 1, "stop": 3})},
     params={"P": ((3, 4, 2), normal)}, inputs={0: ((3, 4, 2), normal)})
case("slice-weight-axis0", ["slice"],
     lambda g, p, x: {"y": g.add("slice", [p["P"]], {"axis": 0, "start": 1, "stop": 3})},
     params={"P": ((4, 5), normal)})
case("pad-batched-last", ["pad_axis"],
     lambda g, p, x: {"y": g.add("pad_axis", [_batched(g, x[0], p["P"])],
                                 {"axis": 1, "before": 2, "after": 1})},
     params={"P": ((3,), normal)}, inputs={0: ((3,), normal)})
case("pad-batched-middle", ["pad_axis"],
     lambda g, p, x: {"y": g.add("pad_axis", [_batched(g, x[0], p["P"])],
                                 {"axis": 1, "before": 0, "after": 2})},
     params={"P": ((2, 3), normal)}, inputs={0: ((2, 3), normal)})
case("pad-weight-axis0", ["pad_axis"],
     lambda g, p, x: {"y": g.add("pad_axis", [p["P"]], {"axis": 0, "before": 1, "after": 0})},
     params={"P": ((2, 3), normal)})


# -- batch_matmul -------------------------------------------------------------------------------

def _bmm(ta, tb):
    def build(g, p, x):
        a = _batched(g, x[0], p["A"])
        b = _batched(g, x[1], p["B"])
        return {"y": g.add("batch_matmul", [a, b], {"ta": ta, "tb": tb})}
    return build


for _ta in (False, True):
    for _tb in (False, True):
        _a = (4, 3) if _ta else (3, 4)
        _b = (5, 4) if _tb else (4, 5)
        case(f"batch-matmul-{'t' if _ta else 'n'}{'t' if _tb else 'n'}", ["batch_matmul"],
             _bmm(_ta, _tb), params={"A": (_a, normal), "B": (_b, normal)},
             inputs={0: (_a, normal), 1: (_b, normal)})

case("batch-matmul-weights", ["batch_matmul"],
     lambda g, p, x: {"y": g.add("batch_matmul", [p["A"], p["B"]])},
     params={"A": ((2, 3, 4), normal), "B": ((2, 4, 1), normal)})


# matmul with leading dimensions as rows: (B, T, k) @ (k, n), and the weight-gradient form
case("matmul-sequence-nn", ["matmul"],
     lambda g, p, x: {"y": g.add("matmul", [_batched(g, x[0], p["A"]), p["W"]])},
     params={"A": ((3, 4), normal), "W": ((4, 2), normal)}, inputs={0: ((3, 4), normal)})
case("matmul-sequence-nt", ["matmul"],
     lambda g, p, x: {"y": g.add("matmul", [_batched(g, x[0], p["A"]), p["W"]], {"tb": True})},
     params={"A": ((2, 3, 4), normal), "W": ((5, 4), normal)}, inputs={0: ((2, 3, 4), normal)})
case("matmul-sequence-tn", ["matmul"],
     lambda g, p, x: {"y": g.add("matmul", [_batched(g, x[0], p["A"]),
                                            _batched(g, x[1], p["B"])], {"ta": True})},
     params={"A": ((3, 4), normal), "B": ((3, 2), normal)},
     inputs={0: ((3, 4), normal), 1: ((3, 2), normal)})


# -- non-differentiable ops -----------------------------------------------------------------------

def _labels(rng, shape):
    """Class indices 0..4 carried as floats, with invalid ones (-1, 5, 1.5) among them."""
    return rng.choice([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 1.5], size=shape)


case("in-top-k", ["in_top_k"],
     lambda g, p, x: {f"k{k}": g.add("in_top_k", [x[0], x[1]], {"k": k}) for k in (1, 2, 5)},
     inputs={0: ((), _labels), 1: ((5,), grid)}, grad=False)


@pytest.mark.parametrize("c", [c for c in CASES if c.grad], ids=lambda c: c.id)
def test_gradient_matches_finite_differences(c):
    check_gradient(c)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_program_matches_interpreter(dtype):
    graph, program = check_compiled(CASES, dtype, f"array_ops_{dtype}")
    kernels = {call.kernel for call in program.generated.calls}
    assert {"copy_strided", "copy_block", "in_top_k", "batch_matmul_nn", "batch_matmul_nt",
            "batch_matmul_tn", "batch_matmul_tt"} <= kernels


def test_in_top_k_counts_ties_as_in_and_rejects_invalid_targets():
    g = new_graph()
    t = x_input(g, ())
    p = x_input(g, (3,), index=1)
    g.outputs["hit"] = g.add("in_top_k", [t, p], {"k": 1}).name
    preds = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 2.0, 1.0]] * 2)
    targets = np.array([0.0, 1.0, 2.0, 1.0, 3.0, -1.0, 0.5, 1.0])
    out, _ = interpreter.run(g, {("x", 0): targets, ("x", 1): preds}, {})
    np.testing.assert_array_equal(out["hit"], [1, 1, 0, 1, 0, 0, 0, 1])


def test_non_differentiable_ops_give_no_gradient():
    """``in_top_k`` and ``random_uniform`` contribute nothing (and do not stop autodiff)."""
    from compiler.passes import Autodiff
    g = new_graph()
    w = param(g, "w", (3,))
    x = x_input(g, (3,))
    z = g.add("mul", [x, w])
    noise = g.add("random_uniform", [z])
    hit = g.add("in_top_k", [g.add("argmax", [z]), z], {"k": 1})
    total = g.add("add", [g.add("reduce_sum", [g.add("mul", [z, noise])], {"axes": None}),
                          g.add("reduce_sum", [hit], {"axes": None})])
    g.outputs["loss"] = total.name
    stages, _ = run_passes(g, [Autodiff()])
    grads = stages.final().meta["grads"]
    assert set(grads) == {"w"}


# -- refusals -----------------------------------------------------------------------------------

@pytest.mark.parametrize("op, attrs, match", [
    ("transpose", {"axes": (1, 0, 2)}, "batch dimension"),
    ("concat", {"axis": 0}, "batch axis"),
    ("slice", {"axis": 0, "start": 0, "stop": 1}, "batch axis"),
    ("pad_axis", {"axis": 0, "before": 1, "after": 0}, "batch axis"),
])
def test_the_batch_axis_stays_whole(op, attrs, match):
    g = new_graph()
    x = x_input(g, (3, 4))
    with pytest.raises(UnsupportedOpError, match=f"(?s)layer `mixer`.*{match}"):
        g.add(op, [x], attrs, layer="mixer")


def test_rank_above_six_is_refused():
    g = new_graph()
    w = param(g, "w", (1,) * 7)
    with pytest.raises(UnsupportedOpError, match="rank up to 6"):
        g.add("transpose", [w], {"axes": None})


@pytest.mark.parametrize("op, shapes, attrs, match", [
    ("transpose", [(3, 4)], {"axes": (0, 0)}, "not a permutation"),
    ("broadcast_to", [(3, 4)], {"shape": (None, 3, 5)}, "cannot broadcast"),
    ("broadcast_to", [(3,)], {"shape": (3, None)}, "batch dimension"),
    ("concat", [(3, 4), (2, 4)], {"axis": -1}, "dimension 0 differs"),
    ("slice", [(3,)], {"axis": 0, "start": 2, "stop": 5}, "does not fit"),
    ("pad_axis", [(3,)], {"axis": 0, "before": -1, "after": 0}, "non-negative"),
    ("batch_matmul", [(2, 3, 4), (2, 5, 4)], {}, "inner dimensions"),
    ("batch_matmul", [(2, 3, 4), (3, 4, 4)], {}, "leading"),
    ("in_top_k", [(3,), (3, 4)], {"k": 0}, "positive integer"),
    ("matmul", [(2, 3, 4), (2, 4, 5)], {}, "only the rows"),
    ("matmul", [(2, 3, 4), (5, 4)], {}, "inner dimensions differ: expected 4, received 5"),
])
def test_shape_errors_name_the_layer(op, shapes, attrs, match):
    g = new_graph()
    operands = [param(g, f"w{i}", s) for i, s in enumerate(shapes)]
    with pytest.raises(GraphError, match=f"(?s)layer `mixer`.*{match}"):
        g.add(op, operands, attrs, layer="mixer")


# -- lowering ---------------------------------------------------------------------------------

def test_a_long_concat_is_one_kernel_call_per_operand():
    g = new_graph("long_concat")
    x = x_input(g, (2,))
    parts = [g.add("mul", [x, param(g, f"w{i}", (2,))]) for i in range(20)]
    g.outputs["y"] = g.add("concat", parts, {"axis": 1}, name="joined").name
    stages, _ = run_passes(g, [Schedule()])
    final = stages.final()
    values = {f"w{i}": np.full(2, float(i)) for i in range(20)}
    runner = Runner(final, "float64", values, name="long_concat")
    data = np.arange(10.0).reshape(5, 2)
    got = runner.run({("x", 0): data}, 5)
    np.testing.assert_array_equal(got["y"], np.concatenate([data * i for i in range(20)], 1))
    calls = [c for c in runner.program.generated.calls if c.value == "joined"]
    assert len(calls) == 20 and {c.kernel for c in calls} == {"copy_block"}
    assert runner.program.source.count("copy_block(A, plan") == 20
    assert runner.program.plan.shape[1] == ROW_WIDTH


# -- random numbers --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_uniform_is_seeded_from_python(dtype):
    """Seeded alike, the compiled generator and NumPy's give the same draws."""
    g = new_graph("draws")
    x = x_input(g, (4, 3), dtype=dtype)
    g.outputs["u"] = g.add("random_uniform", [x]).name
    stages, _ = run_passes(g, [Schedule()])
    runner = Runner(stages.final(), dtype, name=f"draws_{dtype}")
    feeds = {("x", 0): np.zeros((6, 4, 3))}

    kernel_random.seed(1234)
    first = runner.run(feeds, 6)["u"]
    second = runner.run(feeds, 6)["u"]
    kernel_random.seed(1234)
    again = runner.run(feeds, 6)["u"]
    assert first.shape == (6, 4, 3) and first.dtype == np.dtype(dtype)
    assert ((first >= 0) & (first < 1)).all() and len(np.unique(first)) > 60
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, again)

    np.random.seed(1234)
    want, _ = interpreter.run(stages.final(), feeds, {})
    np.testing.assert_array_equal(first, want["u"])


def test_seed_takes_integers_only():
    with pytest.raises(TypeError, match="integer"):
        kernel_random.seed(1.5)
