"""The ``loss`` pass: loss rules become ops summed into the ``loss`` output."""

import numpy as np
import pytest

from compiler import interpreter
from compiler.passes import LossLowering, ShapeInference
from compiler.passes.loss import LossTerm, PenaltyTerm
from compiler.pipeline import run_passes
from compiler.types import TensorType

from compiler_testlib import dense_model, dense_values, mse, op_names, squared_error

TARGET = TensorType((None, 3), "float64")


def _softmax(h):
    e = np.exp(h - h.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _predict(inputs, params):
    x = inputs[("x", 0)]
    return _softmax(x @ params["dense/kernel"] + params["dense/bias"])


def _lower(terms, penalties=None, graph=None):
    g = graph if graph is not None else dense_model()[0]
    stages, _ = run_passes(g, [ShapeInference(), LossLowering(terms, penalties)])
    return g, stages["loss"]


def test_adds_target_input_and_loss_outputs(rng):
    g, lowered = _lower([LossTerm("output:0", "dense", TARGET, mse)])
    ys = [n for n in lowered.sources("input") if lowered.attrs_of(n)["kind"] == "y"]
    assert len(ys) == 1
    assert lowered.type_of(ys[0]) == TARGET
    assert lowered.attrs_of(ys[0])["index"] == 0
    assert {"loss", "loss:dense", "output:0"} <= set(lowered.outputs)
    assert lowered.type_of(lowered.outputs["loss"]).shape == ()
    # the pass only adds: the forward graph is untouched
    assert set(g.nx.nodes) < set(lowered.nx.nodes)
    assert lowered.outputs["output:0"] == g.outputs["output:0"]

    inputs, params = dense_values(rng)
    out, _ = interpreter.run(lowered, inputs, params)
    before, _ = interpreter.run(g, inputs, params)
    np.testing.assert_array_equal(out["output:0"], before["output:0"])
    expected = np.mean(np.mean((_predict(inputs, params) - inputs[("y", 0)]) ** 2, axis=-1))
    np.testing.assert_allclose(out["loss"], expected, rtol=1e-12)
    np.testing.assert_allclose(out["loss:dense"], expected, rtol=1e-12)


def test_reuses_an_existing_target_input():
    g, _ = dense_model()
    g.add("input", [], {"kind": "y", "index": 0, "shape": (None, 3), "dtype": "float64",
                        "key": "y:0"}, name="y0")
    _, lowered = _lower([LossTerm("output:0", "dense", TARGET, mse)], graph=g)
    assert len([n for n in lowered.sources("input") if lowered.attrs_of(n)["kind"] == "y"]) == 1


def test_sample_weights_divide_by_the_number_of_elements(rng):
    """Keras's ``sum_over_batch_size``: sum of weighted losses / number of loss elements."""
    term = LossTerm("output:0", "dense", TARGET, squared_error, weighted=True)
    _, lowered = _lower([term])
    sw = lowered.find_source("input", kind="sample_weight", index=0)
    assert sw is not None and lowered.type_of(sw).shape == (None,)
    # a rank-2 per-element loss needs the weights as a column
    reshapes = [n for n in lowered.nx.nodes if lowered.op_of(n) == "reshape"]
    assert [lowered.type_of(n).shape for n in reshapes] == [(None, 1)]

    inputs, params = dense_values(rng)
    weights = rng.uniform(0.0, 2.0, size=5)
    inputs[("sample_weight", 0)] = weights
    out, _ = interpreter.run(lowered, inputs, params)
    per = (_predict(inputs, params) - inputs[("y", 0)]) ** 2
    np.testing.assert_allclose(out["loss"], np.sum(per * weights[:, None]) / per.size,
                               rtol=1e-12)


def test_loss_weight_scales_the_total_but_not_the_logged_term(rng):
    _, lowered = _lower([LossTerm("output:0", "dense", TARGET, mse, weight=0.25)])
    inputs, params = dense_values(rng)
    out, _ = interpreter.run(lowered, inputs, params)
    np.testing.assert_allclose(out["loss"], 0.25 * out["loss:dense"], rtol=1e-12)


def test_terms_and_penalties_are_summed(rng):
    g, _ = dense_model()

    def l2(p):
        gg = p.graph
        sq = gg.add("reduce_sum", [gg.add("square", [p])], {"axes": None})
        return gg.add("mul", [sq, gg.add("const", [], {"value": np.float64(0.01)})])

    meta_penalty = l2(g.value("dense/bias"))
    g.meta["penalties"] = [meta_penalty.name]
    terms = [LossTerm("output:0", "first", TARGET, mse),
             LossTerm("output:0", "second", TARGET, squared_error, weight=2.0, index=1)]
    penalties = [PenaltyTerm("dense/kernel", l2), PenaltyTerm("no/such/param", l2)]
    _, lowered = _lower(terms, penalties, graph=g)
    assert lowered.find_source("input", kind="y", index=1) is not None
    assert {"loss:first", "loss:second"} <= set(lowered.outputs)

    inputs, params = dense_values(rng)
    inputs[("y", 1)] = rng.normal(size=(5, 3))
    out, _ = interpreter.run(lowered, inputs, params)
    pred = _predict(inputs, params)
    first = np.mean((pred - inputs[("y", 0)]) ** 2)
    second = np.mean((pred - inputs[("y", 1)]) ** 2)
    penalty = 0.01 * (np.sum(params["dense/kernel"] ** 2) + np.sum(params["dense/bias"] ** 2))
    np.testing.assert_allclose(out["loss:first"], first, rtol=1e-12)
    np.testing.assert_allclose(out["loss:second"], second, rtol=1e-12)
    np.testing.assert_allclose(out["loss"], first + 2.0 * second + penalty, rtol=1e-12)


def test_no_loss_is_a_user_error():
    g, _ = dense_model()
    with pytest.raises(ValueError, match="loss="):
        run_passes(g, [LossLowering([])])


def test_only_adds_ops():
    g, lowered = _lower([LossTerm("output:0", "dense", TARGET, mse)])
    added = set(lowered.nx.nodes) - set(g.nx.nodes)
    assert added and set(g.nx.nodes) <= set(lowered.nx.nodes)
    assert sorted(op_names(g)) == sorted(lowered.op_of(n) for n in g.nx.nodes)
