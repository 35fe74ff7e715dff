"""Dropout and ActivityRegularization."""

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import ActivityRegularization, Dense, Dropout, Input
from tests.layer_harness import assert_close, expect_config, run_layer_test


# -- Dropout: inference ---------------------------------------------------------------------

def test_dropout_is_the_identity_outside_training():
    run_layer_test(Dropout, {"rate": 0.5}, input_shape=(4, 6), reference=lambda x, w: x)
    x = np.random.default_rng(0).normal(size=(16, 6)).astype("float32")
    model = graphkeras.Sequential([Input(shape=(6,)), Dropout(0.9)])
    model.compile(optimizer="sgd", loss="mse")
    assert_close(model.predict(x), x)
    # evaluate runs in inference mode: the loss of the identity against zeros
    np.testing.assert_allclose(model.evaluate(x, np.zeros_like(x), verbose=0),
                               np.mean(x ** 2), rtol=1e-6)
    assert_close(Dropout(0.9)(x), x)


# -- Dropout: training ----------------------------------------------------------------------

def test_eager_training_call_keeps_and_scales(rng):
    x = rng.uniform(1.0, 2.0, size=(200, 500)).astype("float32")
    for rate in (0.2, 0.5, 0.8):
        out = Dropout(rate)(x, training=True)
        kept = out != 0
        assert abs(kept.mean() - (1 - rate)) < 0.01
        assert_close(out[kept], x[kept] / (1 - rate))
    assert_close(Dropout(0.0)(x, training=True), x)
    np.testing.assert_array_equal(Dropout(1.0)(x, training=True), np.zeros_like(x))


def _dropout_step(rate, d, lr=0.1, seed=None):
    """One SGD step of Input(d) -> Dropout -> Dense(1, no bias) on one sample.

    Returns ``(x, y, kernel before, kernel after, loss)``.
    """
    rng = np.random.default_rng(42)
    x = rng.uniform(0.5, 1.5, size=(1, d)).astype("float32")
    y = np.array([[-3.0]], "float32")
    kernel = rng.uniform(0.5, 1.5, size=(d, 1)).astype("float32")
    dense = Dense(1, use_bias=False)
    model = graphkeras.Sequential([Input(shape=(d,)), Dropout(rate), dense])
    dense.set_weights([kernel])
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    if seed is not None:
        graphkeras.utils.set_random_seed(seed)
    loss = model.train_on_batch(x, y)
    return x, y, kernel, dense.get_weights()[0], loss


def test_training_step_uses_one_mask_for_forward_and_gradient():
    """The mask is recovered from the gradient; the loss must be the forward pass with it."""
    rate, d, lr = 0.3, 4000, 0.1
    x, y, kernel, after, loss = _dropout_step(rate, d, lr)
    keep = 1 - rate
    mask = (after != kernel)[:, 0]
    assert abs(mask.mean() - keep) < 0.03
    x64, k64 = x[0].astype("float64"), kernel[:, 0].astype("float64")
    out = np.sum(x64 * mask * k64) / keep
    np.testing.assert_allclose(loss, (out - y[0, 0]) ** 2, rtol=1e-4)
    grad = 2 * (out - y[0, 0]) * x64 * mask / keep
    np.testing.assert_allclose(after[:, 0], k64 - lr * grad, rtol=1e-4, atol=1e-6)


def test_training_is_reproducible_after_set_random_seed():
    first = _dropout_step(0.5, 300, seed=7)[3]
    second = _dropout_step(0.5, 300, seed=7)[3]
    other = _dropout_step(0.5, 300, seed=8)[3]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)
    # eager training calls draw from NumPy's generator, which the same call seeds
    x = np.ones((4, 50), "float32")
    graphkeras.utils.set_random_seed(3)
    a = Dropout(0.5)(x, training=True)
    graphkeras.utils.set_random_seed(3)
    np.testing.assert_array_equal(Dropout(0.5)(x, training=True), a)


def test_rate_one_drops_everything_in_training():
    x, y, kernel, after, loss = _dropout_step(1.0, 10)
    np.testing.assert_allclose(loss, 9.0)
    np.testing.assert_array_equal(after, kernel)


def test_noise_shape_broadcasts_the_mask(rng):
    x = rng.uniform(1.0, 2.0, size=(8, 5, 40)).astype("float32")
    out = Dropout(0.5, noise_shape=(None, 1, 40))(x, training=True)
    kept = out != 0
    assert (kept == kept[:, :1, :]).all()
    assert 0.3 < kept.mean() < 0.7
    out = Dropout(0.5, noise_shape=(1, 5, 1))(x, training=True)
    kept = out != 0
    assert (kept == kept[:1, :, :1]).all()
    # in a compiled training step as well: the per-feature mask is shared over timesteps
    inputs = Input(shape=(5, 40))
    dense = Dense(1, use_bias=False, kernel_initializer="ones")
    model = graphkeras.Model(inputs, dense(Dropout(0.5, noise_shape=(None, 1, 40))(inputs)))
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=0.0), loss="mse")
    loss = model.train_on_batch(x[:1], np.zeros((1, 5, 1), "float32"))
    assert np.isfinite(loss)


def test_dropout_validation_and_config():
    expect_config(Dropout(0.25), {"rate": 0.25, "seed": None, "noise_shape": None})
    expect_config(Dropout(0.5, noise_shape=(None, 1, 8), seed=3),
                  {"rate": 0.5, "seed": 3, "noise_shape": [None, 1, 8]})
    restored = Dropout.from_config(Dropout(0.5, noise_shape=(None, 1, 8), seed=3).get_config())
    assert restored.noise_shape == (None, 1, 8) and restored.seed == 3
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
            Dropout(bad)
    with pytest.raises(TypeError, match="rate"):
        Dropout("half")
    with pytest.raises(ValueError, match="seed"):
        Dropout(0.5, seed=1.5)
    with pytest.raises(ValueError, match="noise_shape"):
        Dropout(0.5, noise_shape=(None, 3))(Input(shape=(5,)))
    with pytest.raises(ValueError, match="noise_shape"):
        Dropout(0.5, noise_shape=(None, 1, 1))(Input(shape=(5,)))


# -- ActivityRegularization -----------------------------------------------------------------

def test_activity_regularization_is_identity_and_penalizes(rng):
    run_layer_test(ActivityRegularization, {"l1": 0.1, "l2": 0.2}, input_shape=(4, 3),
                   reference=lambda x, w: x)
    x = rng.normal(size=(4, 3)).astype("float32")
    model = graphkeras.Sequential([Input(shape=(3,)), ActivityRegularization(l1=0.1, l2=0.2)])
    model.compile(optimizer="sgd", loss="mse")
    penalty = (0.1 * np.abs(x).sum() + 0.2 * np.square(x).sum()) / len(x)
    np.testing.assert_allclose(model.evaluate(x, x, verbose=0), penalty, rtol=1e-5)


def test_activity_regularization_gradient(rng):
    x = rng.normal(size=(4, 3)).astype("float32")
    dense = Dense(2, use_bias=False)
    model = graphkeras.Sequential([Input(shape=(3,)), dense, ActivityRegularization(l2=0.5)])
    kernel = rng.normal(size=(3, 2)).astype("float32")
    dense.set_weights([kernel])
    lr = 0.1
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    h = x.astype("float64") @ kernel
    model.train_on_batch(x, h.astype("float32"))
    # the loss term is zero at the start; only the penalty 0.5 * sum(h^2) / 4 pulls
    grad = x.T @ (0.5 * 2 * h / 4)
    np.testing.assert_allclose(dense.get_weights()[0], kernel - lr * grad, rtol=1e-4,
                               atol=1e-6)


def test_activity_regularization_config_and_validation():
    expect_config(ActivityRegularization(l1=0.5), {"l1": 0.5, "l2": 0.0})
    assert "activity_regularizer" not in ActivityRegularization().get_config()
    with pytest.raises(ValueError, match="l1"):
        ActivityRegularization(l1=-1.0)
