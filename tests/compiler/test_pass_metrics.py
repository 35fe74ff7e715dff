"""The ``metrics`` pass: per-batch increments accumulated into ``state`` totals."""

import numpy as np

from compiler import interpreter
from compiler.passes import MetricLowering
from compiler.passes.metrics import MetricTerm, state_key
from compiler.pipeline import run_passes
from compiler.types import TensorType

from compiler_testlib import dense_model, dense_values, mean_metric

TARGET = TensorType((None, 3), "float64")


def _softmax(h):
    e = np.exp(h - h.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _argmax_hits(y_true, y_pred, batch):
    """An accuracy-like metric: a total of hits and a count."""
    g = y_pred.graph
    hits = g.add("equal", [g.add("argmax", [y_pred], {"axis": -1}),
                           g.add("argmax", [y_true], {"axis": -1})])
    return {"total": g.add("reduce_sum", [hits], {"axes": None}), "count": batch}


def _max_prob(y_true, y_pred, batch):
    """A metric that ignores the target."""
    g = y_pred.graph
    top = g.add("reduce_max", [y_pred], {"axes": -1})
    return {"total": g.add("reduce_sum", [top], {"axes": None})}


def test_no_metrics_changes_nothing():
    g, _ = dense_model()
    stages, _ = run_passes(g, [MetricLowering([])])
    after = stages["metrics"]
    assert set(after.nx.nodes) == set(g.nx.nodes)
    assert after.updates == {} and "metrics" not in after.meta


def test_accumulators_become_updated_state(rng):
    g, _ = dense_model()
    terms = [MetricTerm("mse", "output:0", TARGET, mean_metric),
             MetricTerm("acc", "output:0", TARGET, _argmax_hits)]
    stages, _ = run_passes(g, [MetricLowering(terms, prefix="train")])
    m = stages["metrics"]

    assert m.meta["metrics"] == {
        "mse": {"total": "train/metric/mse/total", "count": "train/metric/mse/count"},
        "acc": {"total": "train/metric/acc/total", "count": "train/metric/acc/count"}}
    states = {m.attrs_of(n)["key"]: n for n in m.sources("state")}
    assert set(states) == {state_key("train", t, a) for t in ("mse", "acc")
                           for a in ("total", "count")}
    for key, node in states.items():
        assert m.type_of(node) == TensorType((), "float64")
        assert m.attrs_of(node)["init"] == 0.0
        update = m.updates[node]
        assert m.op_of(update) == "add" and m.operands(update)[0] == node
    (batch,) = m.sources("batch_size")
    assert m.type_of(batch).dtype == "float64"
    # one shared target input for both metrics
    assert len([n for n in m.sources("input") if m.attrs_of(n)["kind"] == "y"]) == 1

    inputs, params = dense_values(rng)
    start = {"train/metric/mse/total": 1.5, "train/metric/mse/count": 10.0,
             "train/metric/acc/total": 2.0, "train/metric/acc/count": 10.0}
    out, updates = interpreter.run(m, inputs, params, state=start)
    before, _ = interpreter.run(g, inputs, params)
    np.testing.assert_array_equal(out["output:0"], before["output:0"])

    x, y = inputs[("x", 0)], inputs[("y", 0)]
    pred = _softmax(x @ params["dense/kernel"] + params["dense/bias"])
    mse_total = np.sum(np.mean((pred - y) ** 2, axis=-1))
    hits = np.sum(pred.argmax(-1) == y.argmax(-1))
    np.testing.assert_allclose(updates["train/metric/mse/total"], 1.5 + mse_total, rtol=1e-12)
    np.testing.assert_allclose(updates["train/metric/mse/count"], 15.0)
    np.testing.assert_allclose(updates["train/metric/acc/total"], 2.0 + hits)
    np.testing.assert_allclose(updates["train/metric/acc/count"], 15.0)


def test_prefix_keeps_programs_apart_and_target_is_optional():
    g, _ = dense_model()
    stages, _ = run_passes(g, [MetricLowering([MetricTerm("top", "output:0", None, _max_prob)],
                                              prefix="test")])
    m = stages["metrics"]
    assert [m.attrs_of(n)["key"] for n in m.sources("state")] == ["test/metric/top/total"]
    assert not [n for n in m.sources("input") if m.attrs_of(n)["kind"] == "y"]
    assert MetricLowering([])(g.copy()) is False
