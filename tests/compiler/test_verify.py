"""``verify(graph)``: accepts good graphs and names the op, its neighbours and its layer."""

import pytest

from compiler.errors import InternalCompilerError, VerificationError
from compiler.passes import DeadCodeElimination, Schedule
from compiler.pipeline import run_passes
from compiler.types import TensorType
from compiler.verify import verify

from compiler_testlib import dense_model, new_graph, param, state, x_input


def _model():
    """A scheduled dense layer with a few more ops, all tagged with layer names."""
    g, p = dense_model()
    out = g.outputs["output:0"]
    h = g.add("neg", [out], layer="post", name="negated")
    h = g.add("exp", [h], layer="post", name="exped")
    g.outputs["post"] = h.name
    stages, _ = run_passes(g, [Schedule()])
    return stages.final()


def _fails(graph, *fragments):
    with pytest.raises(VerificationError) as err:
        verify(graph, stage="unit")
    assert isinstance(err.value, InternalCompilerError)
    message = str(err.value)
    assert "IR verification failed" in message and "stage `unit`" in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return err.value, message


def test_accepts_good_graphs():
    verify(dense_model()[0])
    verify(_model())
    g = _model()
    stages, _ = run_passes(g, [DeadCodeElimination(), Schedule()])
    verify(stages.final())


@pytest.mark.parametrize("scheduled", [True, False])
def test_rejects_a_cycle(scheduled):
    g = _model()
    if not scheduled:
        g.order = None
    # feed the last op back into the first op of the layer
    first = next(n for n in g.nx.nodes if g.op_of(n) == "matmul")
    g.nx.add_edge("exped", first, key=2, pos=2)
    err, message = _fails(g, "cycle")
    assert err.op is not None and f"op `{err.op}`" in message
    assert [line for line in message.splitlines() if line.startswith(">>")]


def test_rejects_an_order_that_runs_a_user_before_its_operand():
    g = _model()
    i, j = g.order.index("negated"), g.order.index("exped")
    g.order[i], g.order[j] = g.order[j], g.order[i]
    err, message = _fails(g, "scheduled after its user", "op `exped`", "layer `post`")
    # the failing op is marked, with its neighbours around it
    lines = message.splitlines()
    marked = [line for line in lines if line.startswith(">>")]
    assert len(marked) == 1 and "%exped = exp(%negated)" in marked[0]
    assert any("%negated = neg(" in line for line in lines if not line.startswith(">>"))
    assert any("softmax" in line for line in lines)


def test_rejects_an_order_missing_a_value():
    g = _model()
    g.order.remove("exped")
    _fails(g, "does not list every value")


def test_rejects_a_recorded_type_that_the_operands_do_not_give():
    g = _model()
    g.node("negated")["type"] = TensorType((None, 4), "float64")
    _fails(g, "recorded type", "op `negated`", "layer `post`", ">>  %negated")


def test_rejects_a_dtype_mismatch():
    g = _model()
    g.node("negated")["type"] = TensorType((None, 3), "float32")
    _fails(g, "recorded type", "float32", "op `negated`")


def test_rejects_a_batch_dimension_that_is_not_first():
    g = new_graph()
    x = g.add("input", [], {"kind": "x", "index": 0, "shape": (3, None), "dtype": "float64",
                            "key": "x:0"}, layer="inputs", name="x0")
    g.outputs["out"] = x.name
    _fails(g, "batch dimension is not the first", "op `x0`", "layer `inputs`")


def test_rejects_an_update_of_a_value_that_is_not_persistent():
    g = new_graph()
    x = x_input(g, (3,))
    y = g.add("neg", [x], layer="dense", name="y")
    g.updates[y.name] = x.name
    _fails(g, "only param and state values can be updated", "op `y`", "layer `dense`")


def test_rejects_an_update_of_another_type():
    g = new_graph()
    w = param(g, "w", (4, 3), layer="dense")
    g.updates[w.name] = g.add("reduce_sum", [w], {"axes": 0}, layer="dense",
                              name="colsum").name
    _fails(g, "update of %w has type", "(3,)", "(4, 3)", "op `colsum`", "layer `dense`")


def test_rejects_missing_outputs_and_update_values():
    g = new_graph()
    s = state(g, "s", ())
    g.outputs["gone"] = "nothing"
    _fails(g, "output `gone` names a missing value")
    g = new_graph()
    s = state(g, "s", ())
    g.updates[s.name] = "nothing"
    _fails(g, "names a missing value")


def test_rejects_gaps_in_operand_positions():
    g = _model()
    (src,) = g.operands("exped")
    g.nx.remove_edge(src, "exped", key=0)
    g.nx.add_edge(src, "exped", key=1, pos=1)
    _fails(g, "operand positions are [1]", "op `exped`")
