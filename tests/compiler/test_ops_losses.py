"""Fused softmax cross-entropy: gradient, kernels, Keras's clip semantics, and the pass."""

import numpy as np
import pytest

import graphkeras
from compiler import interpreter
from compiler.ir import Graph
from compiler.passes import Autodiff, Schedule
from compiler.passes.softmax_xent import SoftmaxCrossEntropy
from compiler.runtime import Arena, Program
from graphkeras.layers import Dense, Input

LO, HI = np.float32(1e-7), np.float32(1 - 1e-7)


def _graph(dtype, features, classes, from_logits):
    """Logits ``x @ w`` for a batch, the fused loss, its sum and the gradient for ``w``."""
    g = Graph()
    w = g.add("param", [], {"key": "w", "shape": (features, classes), "dtype": dtype,
                            "trainable": True})
    x = g.add("input", [], {"kind": "x", "index": 0, "shape": (None, features),
                            "dtype": dtype, "key": "x:0"})
    y = g.add("input", [], {"kind": "y", "index": 0, "shape": (None, classes),
                            "dtype": dtype, "key": "y:0"})
    lo = g.add("const", [], {"value": np.asarray(LO, dtype), "dtype": dtype})
    hi = g.add("const", [], {"value": np.asarray(HI, dtype), "dtype": dtype})
    loss = g.add("softmax_xent", [g.add("matmul", [x, w]), y, lo, hi],
                 {"from_logits": from_logits})
    g.outputs["per_sample"] = loss.name
    g.outputs["loss"] = g.add("reduce_sum", [loss], {"axes": None}).name
    Autodiff()(g)
    g.outputs["grad"] = g.meta["grads"][w.name]
    return g


@pytest.mark.parametrize("from_logits", [False, True])
def test_gradient_matches_finite_differences(from_logits, rng):
    shape = (3, 4)
    g = _graph("float64", 3, 4, from_logits)
    x = rng.normal(size=(5, 3))
    y = rng.dirichlet(np.ones(4), size=5)
    z0 = rng.normal(size=shape)

    def loss(w):
        return interpreter.run(g, {("x", 0): x, ("y", 0): y}, {"w": w})[0]["loss"]

    grad = interpreter.run(g, {("x", 0): x, ("y", 0): y}, {"w": z0})[0]["grad"]
    numeric = np.zeros_like(z0)
    for idx in np.ndindex(*shape):
        step = np.zeros_like(z0)
        step[idx] = 1e-6
        numeric[idx] = (loss(z0 + step) - loss(z0 - step)) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("from_logits", [False, True])
def test_kernels_match_numpy_at_several_batch_sizes(dtype, from_logits, rng):
    g = _graph(dtype, 5, 7, from_logits)
    Schedule()(g)
    w = rng.normal(size=(5, 7)).astype(dtype)
    program = Program("train", g, Arena(dtype), {"w": (w, None)})
    program.ensure_capacity(6)
    entries = program.entries
    for batch in (1, 3, 6):
        x = rng.normal(size=(batch, 5)).astype(dtype)
        y = np.eye(7, dtype=dtype)[rng.integers(0, 7, batch)]
        program.input_view(("x", 0), batch)[...] = x
        program.input_view(("y", 0), batch)[...] = y
        program.run(batch)
        want, _ = interpreter.run(g, {("x", 0): x, ("y", 0): y}, {"w": w})
        tol = 1e-5 if dtype == "float32" else 1e-12
        for role in ("per_sample", "grad"):
            np.testing.assert_allclose(program.output_view(role, batch), want[role],
                                       rtol=tol, atol=tol)
    assert program.entries is entries


@pytest.mark.parametrize("from_logits", [False, True])
def test_float32_kernels_with_underflowing_exponentials_and_soft_targets(from_logits, rng):
    """Logits 200 apart: most exponentials fall below float32's range (``vmath.exp`` gives 0)."""
    g = _graph("float32", 5, 7, from_logits)
    Schedule()(g)
    w = (40 * rng.normal(size=(5, 7))).astype("float32")
    program = Program("train", g, Arena("float32"), {"w": (w, None)})
    program.ensure_capacity(9)
    x = rng.normal(size=(9, 5)).astype("float32")
    y = rng.dirichlet(np.ones(7), size=9).astype("float32")
    program.input_view(("x", 0), 9)[...] = x
    program.input_view(("y", 0), 9)[...] = y

    program.run(9)

    want, _ = interpreter.run(g, {("x", 0): x, ("y", 0): y}, {"w": w})
    assert np.ptp(x @ w, axis=1).max() > 100
    for role in ("per_sample", "grad"):
        np.testing.assert_allclose(program.output_view(role, 9), want[role], rtol=1e-5,
                                   atol=1e-5 * np.abs(want[role]).max())


def _cce_model(from_logits):
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(2, activation=None if from_logits
                                                             else "softmax", use_bias=False)])
    loss = graphkeras.losses.CategoricalCrossentropy(from_logits=from_logits)
    model.compile(optimizer="sgd", loss=loss)
    return model


def test_saturated_probabilities_follow_keras_3_clipping():
    model = _cce_model(from_logits=False)
    model.set_weights([np.array([[30.0, -30.0], [0.0, 0.0]], "float32")])
    x, y = np.array([[1.0, 0.0]], "float32"), np.array([[0.0, 1.0]], "float32")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(16.118, abs=1e-3)
    assert "softmax_xent" in str(model.get_ir("test", "final"))


@pytest.mark.parametrize("from_logits", [False, True])
def test_pass_rewrites_both_forms_and_keeps_the_prediction(from_logits):
    model = _cce_model(from_logits)
    graph = model.get_ir("train", "softmax_xent")
    ops = [graph.op_of(n) for n in graph.nx.nodes]
    assert ops.count("softmax_xent") == 1
    before = model.get_ir("train", "metrics")
    assert "softmax_xent" not in [before.op_of(n) for n in before.nx.nodes]
    final = model.get_ir("train", "final")
    assert "softmax_grad" not in [final.op_of(n) for n in final.nx.nodes]


def test_pass_leaves_chains_with_other_users_alone():
    g = Graph()
    z = g.add("input", [], {"kind": "x", "index": 0, "shape": (None, 3), "dtype": "float32",
                            "key": "x:0"})
    y = g.add("input", [], {"kind": "y", "index": 0, "shape": (None, 3), "dtype": "float32",
                            "key": "y:0"})
    logp = g.add("log_softmax", [z], {"axis": -1})
    neg = g.add("neg", [g.add("reduce_sum", [g.add("mul", [y, logp])], {"axes": (-1,)})])
    g.outputs["loss"] = neg.name
    g.outputs["logp"] = logp.name
    assert SoftmaxCrossEntropy()(g) is False


def test_targets_that_depend_on_weights_keep_their_gradient(rng):
    from graphkeras import ops

    class Distill(graphkeras.layers.Layer):
        """A student learning from a teacher that learns too: both get gradients."""

        def build(self, input_shape):
            self.teacher = Dense(3, activation="softmax", name="teacher")
            self.student = Dense(3, activation="softmax", name="student")

        def call(self, x):
            t, s = self.teacher(x), self.student(x)
            self.add_loss(ops.mean(graphkeras.losses.categorical_crossentropy(t, s)))
            return s

    model = graphkeras.Sequential([Input(shape=(4,)), Distill(name="distill")])
    model.compile(optimizer=graphkeras.optimizers.SGD(1.0), loss="mse")
    x = rng.normal(size=(8, 4)).astype("float32")
    layer = model.get_layer("distill")
    before = layer.teacher.kernel.numpy()
    model.fit(x, np.zeros((8, 3), "float32"), verbose=0)
    assert not np.allclose(layer.teacher.kernel.numpy(), before)
    ops_used = [g for g in model.get_ir("train", "softmax_xent").nx.nodes
                if model.get_ir("train", "softmax_xent").op_of(g) == "softmax_xent"]
    assert not ops_used
