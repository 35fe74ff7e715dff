"""The ``schedule`` pass: fixes a deterministic topological execution order."""

import numpy as np

from compiler import interpreter
from compiler.passes import Schedule
from compiler.pipeline import run_passes

from compiler_testlib import new_graph, param, x_input


def _graph():
    g = new_graph()
    x = x_input(g, (3,))
    late = param(g, "late", (3,))            # created after x, used first by nothing early
    a = g.add("neg", [x], name="a")
    b = g.add("exp", [x], name="b")
    c = g.add("add", [a, late], name="c")
    d = g.add("mul", [b, c], name="d")
    g.outputs["out"] = d.name
    return g


def test_order_is_topological_with_ties_by_creation(rng):
    g = _graph()
    assert g.order is None
    stages, _ = run_passes(g, [Schedule()])
    s = stages["schedule"]
    assert s.order == ["x0", "late", "a", "b", "c", "d"]
    position = {n: i for i, n in enumerate(s.order)}
    assert sorted(s.order) == sorted(s.nx.nodes)
    for src, dst in s.nx.edges():
        assert position[src] < position[dst]
    # the listing follows the schedule
    listed = [line.split()[0] for line in str(s).splitlines()[1:] if line.startswith("  %")]
    assert listed == [f"%{n}" for n in s.order]

    inputs = {("x", 0): rng.normal(size=(2, 3))}
    params = {"late": rng.normal(size=3)}
    np.testing.assert_array_equal(interpreter.run(s, inputs, params)[0]["out"],
                                  interpreter.run(g, inputs, params)[0]["out"])


def test_reports_whether_the_order_changed():
    g = _graph()
    assert Schedule()(g) is True
    assert Schedule()(g) is False
    g.order = list(reversed(g.order))
    assert Schedule()(g) is True
    assert g.order[0] == "x0"


def _mlp_train_graph():
    import graphkeras
    from graphkeras.layers import Dense, Dropout, Input
    model = graphkeras.Sequential([Input(shape=(20,)), Dense(16, activation="relu"),
                                   Dropout(0.2), Dense(16, activation="relu"),
                                   Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model.get_ir("train", "schedule")


def test_every_reader_of_a_weight_runs_before_its_replacement():
    g = _mlp_train_graph()
    position = {n: i for i, n in enumerate(g.order)}
    for src, dst in g.nx.edges():
        assert position[src] < position[dst]
    for target, value in g.updates.items():
        for reader in g.users(target):
            assert position[reader] <= position[value], (target, reader)


def test_each_update_runs_before_the_next_layer_down_makes_its_gradient():
    """A weight's gradient buffer is free before the gradients of the layers below exist."""
    import networkx as nx
    g = _mlp_train_graph()
    position = {n: i for i, n in enumerate(g.order)}
    kernels = [p for p in g.sources("param") if "kernel" in p]
    gradient = {}
    for p in kernels:
        made = [n for n in nx.ancestors(g.nx, g.updates[p])
                if g.op_of(n) == "matmul" and g.type_of(n).shape == g.type_of(p).shape]
        (gradient[p],) = made
    assert len(kernels) == 3
    for upper, lower in zip(kernels[1:], kernels[:-1]):
        assert position[g.updates[upper]] < position[gradient[lower]], (upper, lower)


def test_anti_dependencies_that_would_form_a_cycle_are_left_out():
    """Two states that each replace the other from its old value (a swap) cannot both have
    every reader first; the schedule keeps the data order and as many as it can."""
    from compiler_testlib import state
    from compiler.passes.schedule import anti_dependencies
    g = new_graph()
    x = x_input(g, (2,))
    a, b = state(g, "a", (2,)), state(g, "b", (2,))
    new_a = g.add("exp", [b], name="new_a")
    new_b = g.add("neg", [a], name="new_b")
    g.updates[a.name], g.updates[b.name] = new_a.name, new_b.name
    g.outputs["out"] = g.add("mul", [a, x], name="out").name
    assert len(anti_dependencies(g)) == 3
    stages, _ = run_passes(g, [Schedule()])
    s = stages["schedule"]
    position = {n: i for i, n in enumerate(s.order)}
    for src, dst in s.nx.edges():
        assert position[src] < position[dst]
    assert position["out"] < position["new_a"]
    kept = [(r, v) for r, v in anti_dependencies(s) if position[r] < position[v]]
    assert len(kept) == 2
