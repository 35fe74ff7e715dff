"""Training end to end: numerics against NumPy, Keras's History, and the digits MLP."""

import numpy as np
import pytest

import graphkeras
from compiler.kernels.driver import run_calls
from graphkeras.layers import Dense, Input
from graphkeras.optimizers import SGD, Adam


def _relu(x):
    return np.maximum(x, 0)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_dense_stack_forward_matches_numpy(rng):
    model = graphkeras.Sequential([Input(shape=(5,)), Dense(7, activation="relu"),
                                   Dense(6, activation="tanh"), Dense(3, activation="softmax")])
    x = rng.normal(size=(11, 5)).astype("float32")
    w = model.get_weights()
    ref = _softmax(np.tanh(_relu(x @ w[0] + w[1]) @ w[2] + w[3]) @ w[4] + w[5])
    np.testing.assert_allclose(model.predict(x, batch_size=4), ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model(x), ref, rtol=1e-5, atol=1e-7)


def _numpy_sgd_step(w, x, y, lr):
    """One SGD step of a softmax regression with categorical crossentropy, in float64."""
    kernel, bias = w
    p = _softmax(x @ kernel + bias)
    loss = -np.mean(np.sum(y * np.log(np.clip(p, 1e-7, 1 - 1e-7)), axis=1))
    d = (p - y) / len(x)
    return [kernel - lr * x.T @ d, bias - lr * d.sum(axis=0)], loss


def test_sgd_training_matches_numpy(rng):
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
    model.compile(optimizer=SGD(learning_rate=0.5), loss="categorical_crossentropy")
    x = rng.normal(size=(8, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 8)]
    w = [a.astype(np.float64) for a in model.get_weights()]
    losses = []
    for step in range(3):
        w, loss = _numpy_sgd_step(w, x[step::3].astype(np.float64), y[step::3], 0.5)
        losses.append(loss)
    got = [model.train_on_batch(x[step::3], y[step::3]) for step in range(3)]
    np.testing.assert_allclose(got, losses, rtol=1e-5)
    for a, b in zip(model.get_weights(), w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("momentum,nesterov", [(0.9, False), (0.9, True)])
def test_sgd_momentum_rule(momentum, nesterov, rng):
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(1, use_bias=False)])
    model.compile(optimizer=SGD(0.1, momentum=momentum, nesterov=nesterov), loss="mse")
    x = rng.normal(size=(4, 2)).astype("float32")
    y = rng.normal(size=(4, 1)).astype("float32")
    w = model.get_weights()[0].astype(np.float64)
    m = np.zeros_like(w)
    for _ in range(3):
        g = 2 * x.T @ (x @ w - y) / len(x)
        m = momentum * m - 0.1 * g
        w = w + (momentum * m - 0.1 * g if nesterov else m)
        model.train_on_batch(x, y)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)


def test_adam_rule_and_legacy_lr(rng):
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(2)])
    model.compile(optimizer=Adam(lr=0.01), loss="mse")
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    x = rng.normal(size=(5, 3)).astype("float32")
    y = rng.normal(size=(5, 2)).astype("float32")
    k, b = [a.astype(np.float64) for a in model.get_weights()]
    state = {n: [np.zeros_like(v), np.zeros_like(v)] for n, v in (("k", k), ("b", b))}
    for t in range(1, 4):
        d = 2 * (x @ k + b - y) / y.size
        grads = {"k": x.T @ d, "b": d.sum(axis=0)}
        alpha = 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        new = {}
        for n, v in (("k", k), ("b", b)):
            m, vel = state[n]
            m += (grads[n] - m) * 0.1
            vel += (grads[n] ** 2 - vel) * 0.001
            new[n] = v - alpha * m / (np.sqrt(vel) + 1e-7)
        k, b = new["k"], new["b"]
        model.train_on_batch(x, y)
    assert model.optimizer.iterations == 3
    np.testing.assert_allclose(model.get_weights()[0], k, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-4, atol=1e-6)


def test_fit_history_evaluate_predict(rng):
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(8, activation="relu"),
                                   Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x = rng.normal(size=(50, 4)).astype("float32")
    y = rng.integers(0, 3, 50)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert len(history.history["loss"]) == 3
    assert history.epoch == [0, 1, 2]
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, list) and len(result) == 2
    ref_loss = -np.mean(np.log(model.predict(x)[np.arange(50), y]))
    assert result[0] == pytest.approx(ref_loss, rel=1e-5)
    assert result[1] == pytest.approx(np.mean(model.predict(x).argmax(1) == y))
    assert model.evaluate(x, y, return_dict=True, verbose=0).keys() == {"loss", "accuracy"}


def test_fit_loss_is_the_batch_size_weighted_mean_of_batch_losses(rng):
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(1)])
    model.compile(optimizer=SGD(0.0), loss="mse")
    x = rng.normal(size=(10, 2)).astype("float32")
    y = rng.normal(size=(10, 1)).astype("float32")
    history = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(model.evaluate(x, y, verbose=0),
                                                       rel=1e-5)


def test_last_smaller_batch_runs_without_recompiling(rng):
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(10, 3)).astype("float32")
    y = rng.normal(size=(10, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    program = model._programs.latest("train")[0]
    entries, driver_signatures = program.entries, len(run_calls.signatures)
    model.fit(x, y, batch_size=3, epochs=2, verbose=0)
    assert model._programs.latest("train")[0].entries is entries
    assert len(run_calls.signatures) == driver_signatures


def test_scalar_evaluate_without_metrics(rng):
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    x = rng.normal(size=(6, 2)).astype("float32")
    y = rng.normal(size=(6, 1)).astype("float32")
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    assert loss == pytest.approx(float(np.mean((model.predict(x) - y) ** 2)), rel=1e-5)


@pytest.mark.parametrize("loss,target,from_logits", [
    ("binary_crossentropy", "binary", False),
    ("binary_crossentropy", "binary", True),
    ("categorical_crossentropy", "onehot", True),
])
def test_losses_match_numpy(loss, target, from_logits, rng):
    units = 1 if target == "binary" else 3
    act = None if from_logits else ("sigmoid" if target == "binary" else "softmax")
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(units, activation=act)])
    loss_obj = graphkeras.losses.get(loss)
    loss_obj = type(loss_obj)(from_logits=from_logits)
    model.compile(optimizer="sgd", loss=loss_obj)
    x = rng.normal(size=(9, 4)).astype("float32")
    y = (rng.integers(0, 2, (9, 1)).astype("float32") if target == "binary"
         else np.eye(3, dtype="float32")[rng.integers(0, 3, 9)])
    z = model.predict(x).astype(np.float64)
    if target == "binary":
        p = 1 / (1 + np.exp(-z)) if from_logits else np.clip(z, 1e-7, 1 - 1e-7)
        ref = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    else:
        ref = -np.mean(np.sum(y * np.log(_softmax(z)), axis=1))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(ref, rel=1e-5)


def test_digits_mlp_reaches_95_percent():
    from graphkeras.examples import digits_mlp
    accuracy = digits_mlp.main(["--epochs", "30"])
    assert accuracy >= 0.95


def test_repeated_small_predicts_take_the_fast_path_and_stay_correct(rng):
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
    x = rng.normal(size=(2, 4)).astype("float32")
    first = model.predict(x)
    assert model._fast_predict is not None and model._fast_predict.accepts(x, 32)
    np.testing.assert_array_equal(model.predict(x), first)
    model.compile(optimizer=SGD(1.0), loss="categorical_crossentropy")
    model.fit(x, np.eye(3, dtype="float32")[[0, 1]], verbose=0)
    w = model.get_weights()
    np.testing.assert_allclose(model.predict(x), _softmax(x @ w[0] + w[1]), rtol=1e-5)
    model.layers[0].trainable = False
    assert not model._fast_predict.accepts(x, 32)
    np.testing.assert_allclose(model.predict(x.astype("float64")), _softmax(x @ w[0] + w[1]),
                               rtol=1e-5)
