"""The ``shape_inference`` pass: re-derives every value's type from its operands."""

import numpy as np
import pytest

from compiler import interpreter
from compiler.errors import GraphError
from compiler.passes import ShapeInference
from compiler.pipeline import run_passes
from compiler.types import TensorType
from compiler.verify import verify

from compiler_testlib import dense_model, dense_values, new_graph, param, x_input


def _types(g):
    return {n: g.type_of(n) for n in g.nx.nodes}


def test_fresh_graph_is_unchanged(rng):
    g, _ = dense_model()
    stages, _ = run_passes(g, [ShapeInference()])
    after = stages["shape_inference"]
    assert _types(after) == _types(g)
    assert set(after.nx.edges) == set(g.nx.edges)
    inputs, params = dense_values(rng)
    before, _ = interpreter.run(g, inputs, params)
    out, _ = interpreter.run(after, inputs, params)
    np.testing.assert_array_equal(out["output:0"], before["output:0"])


def test_returns_false_when_nothing_changes():
    g, _ = dense_model()
    assert ShapeInference()(g.copy()) is False


def test_restores_a_stale_type():
    g, _ = dense_model()
    node = next(n for n in g.nx.nodes if g.op_of(n) == "matmul")
    g.node(node)["type"] = TensorType((None, 7), "float64")
    with pytest.raises(Exception, match="recorded type"):
        verify(g)
    assert ShapeInference()(g) is True
    assert g.type_of(node) == TensorType((None, 3), "float64")
    verify(g)


def test_propagates_types_after_rewiring(rng):
    """Rewiring an operand to a value of another shape re-types every op downstream."""
    g = new_graph()
    x = x_input(g, (4,))
    h = g.add("neg", [x])
    s = g.add("reduce_sum", [h], {"axes": 0})
    e = g.add("exp", [s])
    g.outputs["out"] = e.name
    wider = x_input(g, (6,), index=1)
    g.replace_uses(x.name, wider.name)
    assert ShapeInference()(g) is True
    assert g.type_of(h.name).shape == (None, 6)
    assert g.type_of(s.name).shape == (6,)
    assert g.type_of(e.name).shape == (6,)
    verify(g)
    data = rng.normal(size=(3, 6))
    out, _ = interpreter.run(g, {("x", 0): np.zeros((3, 4)), ("x", 1): data}, {})
    np.testing.assert_allclose(out["out"], np.exp(-data.sum(0)))


def test_mismatch_is_a_graph_error_naming_layer_and_shapes():
    g = new_graph()
    x = x_input(g, (3,))
    b = param(g, "dense/bias", (3,))
    y = g.add("add", [x, b], layer="dense")
    g.outputs["out"] = y.name
    g.replace_uses(x.name, x_input(g, (5,), index=1).name)
    with pytest.raises(GraphError) as err:
        ShapeInference()(g)
    message = str(err.value)
    assert "layer `dense`" in message
    assert "(B, 5)" in message and "(3,)" in message


def test_mismatch_passes_through_the_pass_manager_as_a_user_error(monkeypatch):
    monkeypatch.setenv("GRAPHKERAS_CHECKS", "0")
    g = new_graph()
    x = x_input(g, (3,))
    y = g.add("add", [x, param(g, "b", (3,))], layer="dense")
    g.outputs["out"] = y.name
    g.replace_uses(x.name, x_input(g, (5,), index=1).name)
    with pytest.raises(GraphError, match="dense"):
        run_passes(g, [ShapeInference()])
