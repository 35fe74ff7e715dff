"""The memory plan: buffers reused without overlap, in-place updates, same results."""

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import Dense, Input
from graphkeras.optimizers import SGD, Adam
from compiler.passes.memory_plan import layout


def _mlp(optimizer):
    model = graphkeras.Sequential([Input(shape=(32,)), Dense(64, activation="relu"),
                                   Dense(64, activation="relu"),
                                   Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.mark.parametrize("rows", [1, 32, 128])
@pytest.mark.parametrize("optimizer", [SGD(0.1, momentum=0.9), Adam()])
def test_live_buffers_never_overlap(optimizer, rows):
    graph = _mlp(optimizer).get_ir("train", "memory_plan")
    memory = graph.meta["memory"]
    where, total = layout(memory, rows)
    order = graph.execution_order()
    step = {n: i for i, n in enumerate(order)}
    fusion = graph.meta.get("fusion", {})

    def at(name):  # a fusion group runs at the place of its first op
        group = graph.node(name).get("group")
        return step[fusion[group]["ops"][0]] if group else step[name]

    items = []
    for name, buf in memory["values"].items():
        born = -1 if graph.op_of(name) == "input" else at(name)
        last = max([at(u) for u in graph.users(name)] + [born])
        if name in graph.outputs.values() or name in graph.updates.values():
            last = len(order)
        vtype = graph.type_of(name)
        items.append((name, where[buf], vtype.numel(rows), born, last, buf))
    for n, offset, size, _, _, _ in items:
        assert offset % 16 == 0 and offset + size <= total, f"%{n} is out of the arena"
    for i, (n1, o1, s1, b1, l1, f1) in enumerate(items):
        for n2, o2, s2, b2, l2, f2 in items[i + 1:]:
            if f1 == f2:
                continue  # one buffer: a reshape or an op written over its operand
            overlap_mem = o1 < o2 + s2 and o2 < o1 + s1
            overlap_time = b1 <= l2 and b2 <= l1
            assert not (overlap_mem and overlap_time), f"%{n1} and %{n2} collide"


def test_plan_is_smaller_than_naive_and_listed():
    model = _mlp(Adam())
    model.fit(np.random.rand(64, 32), np.random.randint(0, 10, 64), batch_size=32,
              verbose=0)
    report = model.memory_report("train")
    assert report["capacity"] == 32
    assert report["peak_live"] <= report["arena"] < report["naive"]
    assert report["arena"] <= 0.6 * report["naive"]
    listing = str(model.get_ir("train", "memory_plan"))
    assert " in %" in listing and "in place of %" in listing


def test_weight_updates_happen_in_place():
    graph = _mlp(SGD(0.1)).get_ir("train", "final")
    inplace = graph.meta["memory"]["inplace"]
    params = {n for n in graph.sources("param")}
    assert params <= set(inplace), "every SGD weight update should be written in place"


def test_results_match_with_the_plan(rng):
    model = _mlp(Adam(0.01))
    x = rng.normal(size=(40, 32)).astype("float32")
    y = rng.integers(0, 10, 40)
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    clone = _mlp(Adam(0.01))
    clone.set_weights(before)
    graph = clone.get_ir("train", "final")
    from compiler import interpreter
    params = {graph.attrs_of(p)["key"]: v.numpy() for p, v in zip(
        graph.sources("param"), clone.weights)}
    state = {}
    for _ in range(2):
        for start in range(0, 40, 16):
            _, updates = interpreter.run(
                graph, {("x", 0): x[start:start + 16], ("y", 0): y[start:start + 16]},
                params, state)
            for key, value in updates.items():
                (params if key in params else state)[key] = value
    for w, p in zip(model.weights, graph.sources("param")):
        np.testing.assert_allclose(w.numpy(), params[graph.attrs_of(p)["key"]], rtol=2e-4,
                                   atol=1e-5)


def test_a_reshaped_weight_lives_in_its_own_slot(rng):
    class Flat(graphkeras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2, 3), name="w")

        def call(self, x):
            return graphkeras.ops.multiply(x, graphkeras.ops.reshape(self.w, (6,)))

    model = graphkeras.Sequential([Input(shape=(6,)), Flat(name="flat")])
    model.compile(optimizer=SGD(0.1), loss="mse")
    x = rng.normal(size=(4, 6)).astype("float32")
    np.testing.assert_allclose(model.predict(x), x * model.weights[0].numpy().reshape(6),
                               rtol=1e-6)
    model.fit(x, np.zeros((4, 6)), verbose=0)


def test_small_models_get_no_padding_per_sample():
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(2)])
    model.compile(optimizer=SGD(0.1), loss="mse")
    report = model.memory_report("train")
    assert report["arena"] <= report["naive"]


def test_mlp_arena_is_at_most_half_the_naive_sum():
    """The benchmark mlp (784-512-512-10, Dropout, Adam) at batch 128: one region, reused."""
    from graphkeras.layers import Dropout
    from compiler.passes.memory_plan import sizes
    model = graphkeras.Sequential([Input(shape=(784,)), Dense(512, activation="relu"),
                                   Dropout(0.2), Dense(512, activation="relu"), Dropout(0.2),
                                   Dense(10, activation="softmax")])
    model.compile(optimizer=Adam(), loss="sparse_categorical_crossentropy")
    memory = model.get_ir("train", "final").meta["memory"]
    arena = layout(memory, 128)[1]
    naive, peak = sizes(memory, 128)
    assert peak <= arena <= 0.5 * naive
