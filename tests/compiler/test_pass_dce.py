"""The ``dce`` pass: drops every value that no output or update depends on."""

import networkx as nx
import numpy as np

from compiler import interpreter
from compiler.passes import DeadCodeElimination
from compiler.pipeline import run_passes

from compiler_testlib import const, new_graph, param, state, x_input


def _graph():
    g = new_graph()
    x = x_input(g, (3,))
    w = param(g, "w", (3,))
    live = g.add("mul", [x, w])
    g.outputs["out"] = g.add("tanh", [live]).name
    # dead: a chain hanging off a live value, an unused parameter and a constant
    g.add("exp", [g.add("neg", [live])], name="dead_tail")
    param(g, "unused", (2,))
    const(g, 3.0)
    # a counter: its update is live, and so is the state it replaces
    count = state(g, "count", ())
    g.updates[count.name] = g.add("add", [count, const(g, 1.0)], name="count_next").name
    # a state whose only role is to be replaced (not read) stays too
    reset = state(g, "reset", (3,))
    g.updates[reset.name] = g.add("reduce_sum", [live], {"axes": 0}).name
    return g


def test_removes_exactly_the_dead_values(rng):
    g = _graph()
    stages, _ = run_passes(g, [DeadCodeElimination()])
    after = stages["dce"]
    removed = set(g.nx.nodes) - set(after.nx.nodes)
    assert removed == {"dead_tail", "neg", "unused", "const"}
    assert set(after.nx.nodes) <= set(g.nx.nodes)
    # post-condition: every value is an output, an update (target) or an ancestor of one
    roots = set(after.outputs.values()) | set(after.updates.values()) | set(after.updates)
    for n in after.nx.nodes:
        assert n in roots or nx.descendants(after.nx, n) & roots, n
    assert after.outputs == g.outputs and after.updates == g.updates

    inputs = {("x", 0): rng.normal(size=(4, 3))}
    params = {"w": rng.normal(size=3), "unused": np.zeros(2)}
    before = interpreter.run(g, inputs, params, state={"count": 2.0})
    out = interpreter.run(after, inputs, params, state={"count": 2.0})
    for b, a in zip(before, out):
        assert b.keys() == a.keys()
        for k in b:
            np.testing.assert_array_equal(a[k], b[k])


def test_is_idempotent():
    g = _graph()
    assert DeadCodeElimination()(g) is True
    assert DeadCodeElimination()(g) is False


def test_dropped_outputs_take_what_only_they_needed():
    g = new_graph()
    x = x_input(g, (3,))
    g.outputs["output:0"] = g.add("exp", [x], name="prediction").name
    g.outputs["loss"] = g.add("reduce_sum", [x], {"axes": 1}, name="loss").name
    stages, _ = run_passes(g, [DeadCodeElimination(drop_outputs=("output:",))])
    kept = stages.final()
    assert set(kept.outputs) == {"loss"}
    assert "prediction" not in kept and "loss" in kept
