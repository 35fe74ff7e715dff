"""The ``optimizer`` pass: parameter and slot updates become part of the program."""

import numpy as np
import pytest

from compiler import interpreter
from compiler.passes import Autodiff, LossLowering, OptimizerLowering
from compiler.passes.loss import LossTerm
from compiler.pipeline import run_passes
from compiler.types import TensorType

from compiler_testlib import SGD, Momentum, dense_model, dense_values, mse

TARGET = TensorType((None, 3), "float64")
KEYS = ("dense/kernel", "dense/bias")


def _train(spec, constraints=None, graph=None):
    g = graph if graph is not None else dense_model(activation=None)[0]
    passes = [LossLowering([LossTerm("output:0", "dense", TARGET, mse)]), Autodiff(),
              OptimizerLowering(spec, constraints)]
    stages, _ = run_passes(g, passes)
    return stages


def _grads(stages, inputs, params):
    """The gradients (by parameter key) as the autodiff stage computes them."""
    d = stages["autodiff"].copy()
    for p, grad in d.meta["grads"].items():
        d.outputs[f"grad:{d.attrs_of(p)['key']}"] = grad
    out, _ = interpreter.run(d, inputs, params)
    return {k: out[f"grad:{k}"] for k in KEYS}


def test_sgd_updates_every_parameter_and_counts_iterations(rng):
    stages = _train(SGD())
    opt = stages["optimizer"]
    states = {opt.attrs_of(n)["key"]: n for n in opt.sources("state")}
    assert set(states) == {"sgd/learning_rate", "sgd/iterations"}
    assert opt.attrs_of(states["sgd/learning_rate"])["init"] == pytest.approx(0.1)
    updated = {opt.attrs_of(n)["key"] for n in opt.updates}
    assert updated == set(KEYS) | {"sgd/iterations"}
    for target, value in opt.updates.items():
        assert opt.type_of(target) == opt.type_of(value)

    inputs, params = dense_values(rng)
    out, updates = interpreter.run(opt, inputs, params, state={"sgd/iterations": 4.0})
    before, _ = interpreter.run(stages["autodiff"], inputs, params)
    np.testing.assert_array_equal(out["loss"], before["loss"])
    grads = _grads(stages, inputs, params)
    for k in KEYS:
        np.testing.assert_allclose(updates[k], params[k] - 0.1 * grads[k], rtol=1e-12)
    assert updates["sgd/iterations"] == 5.0


def test_learning_rate_is_state_read_at_run_time(rng):
    stages = _train(SGD())
    inputs, params = dense_values(rng)
    _, updates = interpreter.run(stages.final(), inputs, params,
                                 state={"sgd/learning_rate": 0.5})
    grads = _grads(stages, inputs, params)
    np.testing.assert_allclose(updates["dense/bias"], params["dense/bias"] - 0.5 * grads[
        "dense/bias"], rtol=1e-12)


def test_slots_are_state_and_updated(rng):
    stages = _train(Momentum())
    opt = stages.final()
    keys = {opt.attrs_of(n)["key"] for n in opt.sources("state")}
    assert {"momentum/dense/kernel/m", "momentum/dense/bias/m"} <= keys
    inputs, params = dense_values(rng)
    m0 = {k: rng.normal(size=params[k].shape) for k in KEYS}
    state = {f"momentum/{k}/m": m0[k] for k in KEYS}
    _, updates = interpreter.run(opt, inputs, params, state=state)
    grads = _grads(stages, inputs, params)
    for k in KEYS:
        m = 0.9 * m0[k] - 0.1 * grads[k]
        np.testing.assert_allclose(updates[f"momentum/{k}/m"], m, rtol=1e-12)
        np.testing.assert_allclose(updates[k], params[k] + m, rtol=1e-12)


@pytest.mark.parametrize("option", ["clipvalue", "clipnorm", "global_clipnorm"])
def test_gradient_clipping(rng, option):
    limit = 0.05
    stages = _train(SGD(**{option: limit}))
    inputs, params = dense_values(rng)
    grads = _grads(stages, inputs, params)
    if option == "clipvalue":
        clipped = {k: np.clip(grads[k], -limit, limit) for k in KEYS}
    elif option == "clipnorm":
        clipped = {k: grads[k] * limit / max(np.linalg.norm(grads[k]), limit) for k in KEYS}
    else:
        norm = np.sqrt(sum(np.sum(grads[k] ** 2) for k in KEYS))
        clipped = {k: grads[k] * limit / max(norm, limit) for k in KEYS}
    assert any(not np.allclose(clipped[k], grads[k]) for k in KEYS), "the limit must bite"
    _, updates = interpreter.run(stages.final(), inputs, params)
    for k in KEYS:
        np.testing.assert_allclose(updates[k], params[k] - 0.1 * clipped[k], rtol=1e-12)


def test_two_clipping_options_are_a_user_error():
    with pytest.raises(ValueError, match="Only one of"):
        _train(SGD(clipnorm=1.0, clipvalue=1.0))


def test_weight_decay_and_constraints(rng):
    def non_negative(value):
        g = value.graph
        return g.add("relu", [value])

    stages = _train(SGD(weight_decay=0.01), constraints={"dense/kernel": non_negative})
    inputs, params = dense_values(rng)
    grads = _grads(stages, inputs, params)
    _, updates = interpreter.run(stages.final(), inputs, params)
    for k in KEYS:
        expected = params[k] - 0.1 * 0.01 * params[k] - 0.1 * grads[k]
        if k == "dense/kernel":
            expected = np.maximum(expected, 0)
        np.testing.assert_allclose(updates[k], expected, rtol=1e-12)


def test_without_gradients_nothing_changes():
    g, _ = dense_model()
    g.meta["grads"] = {}
    work = g.copy()
    assert OptimizerLowering(SGD())(work) is False
    assert set(work.nx.nodes) == set(g.nx.nodes) and work.updates == {}


def test_existing_optimizer_state_is_reused():
    g, _ = dense_model(activation=None)
    g.add("state", [], {"key": "sgd/iterations", "shape": (), "dtype": "float64", "init": 0.0},
          name="sgd/iterations")
    opt = _train(SGD(), graph=g).final()
    keys = [opt.attrs_of(n)["key"] for n in opt.sources("state")]
    assert sorted(keys) == ["sgd/iterations", "sgd/learning_rate"]
