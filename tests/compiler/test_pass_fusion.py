"""Fusion: which ops share a loop, that groups stay legal, and that results do not change."""

import re

import numpy as np

import graphkeras
from compiler import interpreter
from compiler.ir import Graph
from compiler.passes import Fusion, Schedule
from compiler.passes.fusion import MAX_PORTS
from compiler.verify import verify
from graphkeras.layers import Dense, Input
from graphkeras.optimizers import Adam


def _x(graph, shape=(None, 4)):
    return graph.add("input", [], {"kind": "x", "index": 0, "shape": shape,
                                   "dtype": "float32", "key": "x:0"})


def _run(graph):
    g = graph.copy()
    Schedule()(g)
    changed = Fusion()(g)
    verify(g)
    return g, changed


def test_chain_with_bias_row_is_one_group():
    g = Graph()
    x = _x(g)
    b = g.add("param", [], {"key": "b", "shape": (4,), "dtype": "float32", "trainable": True})
    h = g.add("add", [x, b])
    r = g.add("relu", [h])
    g.outputs["out"] = g.add("mul", [r, r]).name
    fused, changed = _run(g)
    assert changed
    (info,) = fused.meta["fusion"].values()
    assert info["ops"] == [h.name, r.name, fused.outputs["out"]]
    assert info["outputs"] == [fused.outputs["out"]]
    assert fused.node(h.name).get("fused_internal")
    assert "[fused_" in str(fused)


def test_group_never_needs_to_run_before_and_after_an_outside_op():
    g = Graph()
    x = _x(g)
    w = g.add("param", [], {"key": "w", "shape": (4, 4), "dtype": "float32",
                            "trainable": True})
    a = g.add("exp", [x])
    m = g.add("matmul", [a, w])         # outside any group, reads a
    c = g.add("add", [a, m])            # joining a's group would form a cycle
    g.outputs["out"] = g.add("neg", [c]).name
    fused, _ = _run(g)
    groups = fused.meta.get("fusion", {})
    assert not any(a.name in info["ops"] and c.name in info["ops"] for info in groups.values())


def test_groups_respect_the_port_limit():
    g = Graph()
    x = _x(g)
    acc = x
    for i in range(MAX_PORTS + 4):
        p = g.add("param", [], {"key": f"p{i}", "shape": (None, 4)[1:], "dtype": "float32",
                                "trainable": True})
        acc = g.add("add", [acc, p])
    g.outputs["out"] = acc.name
    fused, _ = _run(g)
    for info in fused.meta["fusion"].values():
        assert len(info["inputs"]) + len(info["outputs"]) <= MAX_PORTS


def test_each_adam_update_is_one_loop_and_steps_match_the_interpreter(rng):
    model = graphkeras.Sequential([Input(shape=(6,)), Dense(8, activation="relu"),
                                   Dense(3, activation="softmax")])
    model.compile(optimizer=Adam(0.01), loss="categorical_crossentropy")
    graph = model.get_ir("train", "final")
    fusion = graph.meta["fusion"]
    for param in graph.sources("param"):
        home = next(g for g, info in fusion.items() if graph.updates[param] in info["ops"])
        in_home = [v for v in graph.updates.values() if v in fusion[home]["ops"]]
        assert len(in_home) == 3, "weight, momentum and velocity in one loop"

    x = rng.normal(size=(5, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 5)]
    params = {graph.attrs_of(p)["key"]: v.numpy()
              for p, v in zip(graph.sources("param"), model.weights)}
    _, updates = interpreter.run(graph, {("x", 0): x, ("y", 0): y}, params)
    model.train_on_batch(x, y)
    for p, v in zip(graph.sources("param"), model.weights):
        np.testing.assert_allclose(v.numpy(), updates[graph.attrs_of(p)["key"]], rtol=1e-5,
                                   atol=1e-6)


def test_outputs_written_in_place_store_through_the_input_view():
    """Slots updated in place are loaded and stored through one view (so LLVM vectorizes)."""
    from compiler.kernels import fused
    model = graphkeras.Sequential([Input(shape=(6,)), Dense(8, activation="relu"),
                                   Dense(3, activation="softmax")])
    model.compile(optimizer=Adam(0.01), loss="categorical_crossentropy")
    source = model.get_source("train")
    names = sorted(set(re.findall(r"\b(fused_[0-9a-f]{16}_float32)\b", source)))
    adam = [fused.source_of(n) for n in names if fused.source_of(n).count("[i] = ") == 3]
    assert adam, "an Adam update group with three outputs"
    for text in adam:
        assert "_view(A, plan[q, 2]" not in text, "no separate view for in-place outputs"
        assert re.search(r"t\d+\[i\] = v\d+", text)
