"""The IR's renderings (listing, JSON, DOT) and its build-time errors."""

import json
import re

import numpy as np
import pytest

from compiler.errors import GraphError, UnsupportedOpError
from compiler.passes import Schedule
from compiler.pipeline import run_passes

from compiler_testlib import const, dense_model, new_graph, param, state, x_input


def _graph():
    g, _ = dense_model(dtype="float32")
    s = state(g, "steps", (), dtype="float32")
    g.updates[s.name] = g.add("add", [s, const(g, 1.0, "float32")], name="steps_next").name
    stages, _ = run_passes(g, [Schedule()])
    return stages.final()


def test_listing_has_one_line_per_op():
    g = _graph()
    lines = str(g).splitlines()
    assert lines[0] == f"graph tiny ({len(g)} values)"
    op_lines = [line for line in lines if line.startswith("  %")]
    assert len(op_lines) == len(g)
    assert [line.split()[0][1:] for line in op_lines] == g.order

    (matmul,) = [line for line in op_lines if "= matmul(" in line]
    assert re.match(r"  %dense/matmul = matmul\(%x0, %dense/kernel\)\s+\(B, 3\)\s+float32"
                    r"\s+@dense$", matmul), matmul
    (softmax,) = [line for line in op_lines if "softmax" in line]
    assert "softmax[axis=1](%dense/add)" in softmax
    (bias,) = [line for line in op_lines if line.startswith("  %dense/bias ")]
    assert "(3,)" in bias and "@dense" in bias
    (x,) = [line for line in op_lines if line.startswith("  %x0 ")]
    assert "(B, 4)" in x and "@" not in x
    (one,) = [line for line in op_lines if line.startswith("  %const ")]
    assert "value=1.0" in one and "()" in one
    assert "  output output:0 = %dense/softmax" in lines
    assert "  update %steps <- %steps_next" in lines


def test_json_round_trips():
    g = _graph()
    doc = json.loads(g.to_json())
    assert doc["name"] == "tiny"
    assert [n["name"] for n in doc["nodes"]] == g.order
    assert doc["outputs"] == {"output:0": "dense/softmax"}
    assert doc["updates"] == {"steps": "steps_next"}
    by_name = {n["name"]: n for n in doc["nodes"]}
    mm = by_name["dense/matmul"]
    assert mm["op"] == "matmul" and mm["operands"] == ["x0", "dense/kernel"]
    assert mm["shape"] == [None, 3] and mm["dtype"] == "float32" and mm["layer"] == "dense"
    assert by_name["x0"]["attrs"]["shape"] == [None, 4]
    assert json.loads(json.dumps(doc)) == doc


def test_json_shows_large_constants_as_a_summary():
    g = new_graph()
    small = const(g, np.arange(3.0))
    big = const(g, np.zeros((10, 10)))
    g.outputs["out"] = g.add("add", [big, g.add("reduce_sum", [small], {"axes": None})]).name
    nodes = {n["name"]: n for n in json.loads(g.to_json())["nodes"]}
    assert nodes[small.name]["attrs"]["value"] == [0.0, 1.0, 2.0]
    assert nodes[big.name]["attrs"]["value"] == "<array (10, 10) float64>"


def test_dot_is_a_digraph_with_every_node():
    g = _graph()
    dot = g.to_dot()
    assert dot.startswith('digraph "tiny" {') and dot.rstrip().endswith("}")
    for name in g.nx.nodes:
        assert f"{name}\\n{g.op_of(name)}" in dot, name
    edges = re.findall(r"^\s+n\d+ -> n\d+ \[label=\"\d+\"\];$", dot, re.M)
    assert len(edges) == g.nx.number_of_edges()
    assert '"out:output:0"' in dot


def test_parallel_edges_keep_operand_positions():
    g = new_graph()
    x = x_input(g, (3,))
    sq = g.add("mul", [x, x])
    assert g.operands(sq.name) == [x.name, x.name]
    assert g.users(x.name) == [sq.name]
    assert "mul(%x0, %x0)" in str(g)


def test_shape_error_names_the_layer_and_both_shapes():
    g = new_graph()
    x = x_input(g, (3,))
    w = param(g, "w", (4, 2))
    with pytest.raises(GraphError) as err:
        g.add("matmul", [x, w], layer="dense_7")
    assert isinstance(err.value, ValueError)
    message = str(err.value)
    assert "layer `dense_7`" in message and "(B, 3)" in message and "(4, 2)" in message
    assert len(g) == 2, "a failed add leaves the graph as it was"


def test_broadcast_error_names_both_shapes():
    g = new_graph()
    with pytest.raises(GraphError, match=r"layer `adder`.*\(B, 3\), \(4,\)"):
        g.add("add", [x_input(g, (3,)), param(g, "b", (4,))], layer="adder")


def test_unknown_op_is_unsupported():
    g = new_graph()
    x = x_input(g, (3,))
    with pytest.raises(UnsupportedOpError, match="no op `fft`") as err:
        g.add("fft", [x], layer="spectral")
    assert isinstance(err.value, NotImplementedError)


def test_operand_from_elsewhere_is_a_graph_error():
    g = new_graph()
    with pytest.raises(GraphError, match="not a value of this graph"):
        g.add("neg", ["ghost"])


def test_names_are_unique():
    g = new_graph()
    x = x_input(g, (3,))
    names = [g.add("neg", [x], layer="d").name for _ in range(3)]
    assert names == ["d/neg", "d/neg_1", "d/neg_2"]
