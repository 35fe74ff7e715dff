"""The ``autodiff`` pass: gradients of ``loss`` for every trainable parameter."""

import numpy as np
import pytest

from compiler import interpreter
from compiler.errors import UnsupportedOpError
from compiler.passes import Autodiff, LossLowering
from compiler.passes.loss import LossTerm
from compiler.pipeline import run_passes
from compiler.types import TensorType

from compiler_testlib import dense_model, dense_values, mse, new_graph, param, x_input

TARGET = TensorType((None, 3), "float64")


def _with_grads(stage):
    g = stage.copy()
    for p, grad in g.meta["grads"].items():
        g.outputs[f"grad:{p}"] = grad
    return g


def test_dense_gradients_match_the_analytic_ones(rng):
    g, _ = dense_model(activation=None)
    stages, _ = run_passes(g, [LossLowering([LossTerm("output:0", "dense", TARGET, mse)]),
                               Autodiff()])
    lowered, diffed = stages["loss"], stages["autodiff"]
    grads = diffed.meta["grads"]
    assert set(grads) == {"dense/kernel", "dense/bias"}
    for p, grad in grads.items():
        assert diffed.type_of(grad) == diffed.type_of(p)
    # the pass only adds ops: everything the loss stage computed is still there
    assert set(lowered.nx.nodes) <= set(diffed.nx.nodes)
    assert diffed.outputs == lowered.outputs

    inputs, params = dense_values(rng)
    out, _ = interpreter.run(_with_grads(diffed), inputs, params)
    before, _ = interpreter.run(lowered, inputs, params)
    for role in lowered.outputs:
        np.testing.assert_array_equal(out[role], before[role])

    x, y = inputs[("x", 0)], inputs[("y", 0)]
    pred = x @ params["dense/kernel"] + params["dense/bias"]
    dpred = 2 * (pred - y) / pred.size
    np.testing.assert_allclose(out["grad:dense/kernel"], x.T @ dpred, rtol=1e-12)
    np.testing.assert_allclose(out["grad:dense/bias"], dpred.sum(0), rtol=1e-12)


def test_only_trainable_parameters_on_the_loss_path_get_gradients():
    g = new_graph()
    x = x_input(g, (2,))
    w = param(g, "w", (2,))
    frozen = param(g, "frozen", (2,), trainable=False)
    unused = param(g, "unused", (2,))
    h = g.add("mul", [g.add("mul", [x, w]), frozen])
    g.add("neg", [unused])                                  # off the loss path
    g.outputs["loss"] = g.add("reduce_sum", [h], {"axes": None}).name
    stages, _ = run_passes(g, [Autodiff()])
    assert set(stages.final().meta["grads"]) == {"w"}


def test_a_shared_weight_gets_the_sum_of_both_uses(rng):
    g = new_graph()
    x = x_input(g, (3,))
    w = param(g, "w", (3, 3))
    h = g.add("tanh", [g.add("matmul", [x, w])])
    h2 = g.add("matmul", [h, w])
    g.outputs["loss"] = g.add("reduce_sum", [g.add("square", [h2])], {"axes": None}).name
    stages, _ = run_passes(g, [Autodiff()])
    d = _with_grads(stages.final())
    adds = [n for n in d.nx.nodes if d.op_of(n) == "add"]
    assert adds, "the two contributions are summed"

    xs = {("x", 0): rng.normal(size=(4, 3))}
    w0 = rng.normal(size=(3, 3)) * 0.5
    out, _ = interpreter.run(d, xs, {"w": w0})
    xv = xs[("x", 0)]
    a = np.tanh(xv @ w0)
    d2 = 2 * (a @ w0)
    dh = (d2 @ w0.T) * (1 - a ** 2)
    np.testing.assert_allclose(out["grad:w"], a.T @ d2 + xv.T @ dh, rtol=1e-12)


def test_no_gradient_rule_on_the_path_is_unsupported():
    g = new_graph()
    x = x_input(g, (3,))
    w = param(g, "w", (3,))
    y = g.add("mul", [x, w], layer="scale")
    y = g.add("relu_grad", [y, y], layer="odd")
    g.outputs["loss"] = g.add("reduce_sum", [y], {"axes": None}).name
    with pytest.raises(UnsupportedOpError, match="relu_grad.*layer `odd`"):
        run_passes(g, [Autodiff()])


def test_a_loss_without_parameters_has_no_gradients():
    g = new_graph()
    x = x_input(g, (3,))
    g.outputs["loss"] = g.add("reduce_sum", [x], {"axes": None}).name
    param(g, "w", (3,))
    stages, _ = run_passes(g, [Autodiff()])
    assert stages.final().meta["grads"] == {}
