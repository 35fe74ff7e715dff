"""BatchNormalization: statistics, moving-average updates, gradients, frozen layers, configs."""

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import BatchNormalization, Dense, Input
from tests.layer_harness import assert_close, expect_config, run_layer_test

EPS = 1e-3


def bn_inference(x, gamma, beta, mean, var, eps=EPS, shape=None):
    shape = shape or mean.shape
    return ((x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * gamma.reshape(shape)
            + beta.reshape(shape))


def random_bn_weights(c, seed=3):
    rng = np.random.default_rng(seed)
    bounds = [(0.5, 1.5), (-0.5, 0.5), (-0.5, 0.5), (0.5, 1.5)]
    return [rng.uniform(lo, hi, c).astype("float32") for lo, hi in bounds]


def test_layer_test_inference_forward():
    w = random_bn_weights(5)
    run_layer_test(BatchNormalization, input_shape=(8, 5), expected_output_shape=(None, 5),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=2,
                   weights=w, reference=lambda x, ws: bn_inference(x, *ws))


def test_weight_names_and_order_follow_keras():
    for kwargs, names in [({}, ["gamma", "beta", "moving_mean", "moving_variance"]),
                          ({"scale": False}, ["beta", "moving_mean", "moving_variance"]),
                          ({"center": False}, ["gamma", "moving_mean", "moving_variance"]),
                          ({"center": False, "scale": False},
                           ["moving_mean", "moving_variance"])]:
        layer = BatchNormalization(**kwargs)
        graphkeras.Sequential([Input(shape=(3,)), layer])
        assert [v.name for v in layer.weights] == names
        assert all(not v.trainable for v in layer.non_trainable_weights)


def test_default_initial_weights():
    layer = BatchNormalization()
    graphkeras.Sequential([Input(shape=(3,)), layer])
    gamma, beta, mean, var = layer.get_weights()
    np.testing.assert_array_equal(gamma, np.ones(3))
    np.testing.assert_array_equal(beta, np.zeros(3))
    np.testing.assert_array_equal(mean, np.zeros(3))
    np.testing.assert_array_equal(var, np.ones(3))


def _bn_backward(dout, xhat, gamma, inv_std):
    """Gradient of the training-mode output with respect to its input (over axis 0)."""
    n = dout.shape[0]
    dxhat = dout * gamma
    return inv_std / n * (n * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0))


def test_train_step_matches_numpy(rng):
    """Dense -> BN, one SGD step: kernel, bias, gamma, beta and moving statistics."""
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 3)).astype("float32")
    inputs = Input(shape=(4,))
    dense = Dense(3)
    bn = BatchNormalization(momentum=0.9)
    model = graphkeras.Model(inputs, bn(dense(inputs)))
    kernel = rng.normal(size=(4, 3)).astype("float32")
    bias = rng.normal(size=3).astype("float32")
    bn_w = random_bn_weights(3)
    dense.set_weights([kernel, bias])
    bn.set_weights(bn_w)
    lr = 0.1
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    loss = model.train_on_batch(x, y)

    # NumPy, in float64
    gamma, beta, mm, mv = [w.astype("float64") for w in bn_w]
    h = x.astype("float64") @ kernel + bias
    mean, var = h.mean(0), h.var(0)
    inv_std = 1.0 / np.sqrt(var + EPS)
    xhat = (h - mean) * inv_std
    out = gamma * xhat + beta
    np.testing.assert_allclose(loss, np.mean((out - y) ** 2), rtol=1e-5)
    dout = 2.0 * (out - y) / out.size
    dh = _bn_backward(dout, xhat, gamma, inv_std)
    want = [kernel - lr * x.T @ dh, bias - lr * dh.sum(0),
            gamma - lr * (dout * xhat).sum(0), beta - lr * dout.sum(0),
            0.9 * mm + 0.1 * mean, 0.9 * mv + 0.1 * var]
    for got, expected in zip(dense.get_weights() + bn.get_weights(), want):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_inference_uses_moving_statistics_after_training(rng):
    x = rng.normal(2.0, 3.0, size=(16, 3)).astype("float32")
    bn = BatchNormalization()
    model = graphkeras.Sequential([Input(shape=(3,)), bn])
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(x, np.zeros_like(x))
    gamma, beta, mm, mv = bn.get_weights()
    np.testing.assert_allclose(mm, 0.01 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(mv, 0.99 + 0.01 * x.var(0), rtol=1e-5)
    assert_close(model.predict(x), bn_inference(x, gamma, beta, mm, mv))
    # evaluate runs in inference mode too: its loss uses the moving statistics
    loss = model.evaluate(x, np.zeros_like(x), verbose=0)
    np.testing.assert_allclose(loss, np.mean(bn_inference(x, gamma, beta, mm, mv) ** 2),
                               rtol=1e-5)


def test_fit_partial_last_batch_uses_its_own_statistics(rng):
    x = rng.normal(size=(10, 2)).astype("float32")
    bn = BatchNormalization(momentum=0.5, center=False, scale=False)
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(2, use_bias=False), bn])
    model.layers[0].set_weights([np.eye(2, dtype="float32")])
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.fit(x, np.zeros_like(x), batch_size=8, epochs=1, shuffle=False, verbose=0)
    mm, mv = np.zeros(2), np.ones(2)
    for part in (x[:8], x[8:]):
        mm = 0.5 * mm + 0.5 * part.mean(0)
        mv = 0.5 * mv + 0.5 * part.var(0)
    np.testing.assert_allclose(bn.get_weights()[0], mm, rtol=1e-5)
    np.testing.assert_allclose(bn.get_weights()[1], mv, rtol=1e-5)


def test_frozen_layer_uses_moving_statistics_and_keeps_them(rng):
    x = rng.normal(1.0, 2.0, size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 3)).astype("float32")
    bn = BatchNormalization()
    model = graphkeras.Sequential([Input(shape=(3,)), bn])
    weights = random_bn_weights(3)
    bn.set_weights(weights)
    bn.trainable = False
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4
    model.compile(optimizer="sgd", loss="mse")
    expected = np.mean((bn_inference(x, *weights) - y) ** 2)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    model.fit(x, y, epochs=2, verbose=0)
    for got, want in zip(bn.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_training_call_argument_and_eager_updates(rng):
    x = rng.normal(size=(6, 4)).astype("float32")
    bn = BatchNormalization(momentum=0.8)
    out = bn(x, training=True)
    xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + EPS)
    assert_close(out, xhat)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.2 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.8 + 0.2 * x.var(0), rtol=1e-5)
    # inference call leaves them alone
    before = bn.moving_mean.numpy()
    bn(x)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


def test_channels_first_axis_in_the_middle(rng):
    """axis=1 on (N, C, L): statistics over axes 0 and 2, which are not adjacent."""
    x = rng.normal(size=(5, 3, 4)).astype("float32")
    bn = BatchNormalization(axis=1, momentum=0.0, center=False, scale=False)
    model = graphkeras.Sequential([Input(shape=(3, 4)), bn])
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(x, np.zeros_like(x))
    np.testing.assert_allclose(bn.get_weights()[0], x.mean(axis=(0, 2)), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(bn.get_weights()[1], x.var(axis=(0, 2)), rtol=1e-5)
    w = random_bn_weights(3)
    layer = BatchNormalization(axis=1)
    model = graphkeras.Sequential([Input(shape=(3, 4)), layer])
    layer.set_weights(w)
    assert_close(model.predict(x), bn_inference(x, *w, shape=(1, 3, 1)))


def test_layer_test_axis_1_and_list_axes(rng):
    w = random_bn_weights(3)
    run_layer_test(BatchNormalization, {"axis": 1}, input_shape=(5, 3, 4),
                   expected_output_shape=(None, 3, 4), weights=w,
                   reference=lambda x, ws: bn_inference(x, *ws, shape=(1, 3, 1)))
    # Keras 2 configs write the axis as a one-element list
    layer = BatchNormalization(axis=[1])
    assert layer.axis == 1
    # several feature axes: statistics per (A, C) pair, over axes 0 and 2
    x = rng.normal(size=(6, 2, 3, 4)).astype("float32")
    layer = BatchNormalization(axis=[1, 3], momentum=0.0)
    model = graphkeras.Sequential([Input(shape=(2, 3, 4)), layer])
    assert layer.moving_mean.shape == (2, 4)
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.train_on_batch(x, np.zeros_like(x))
    np.testing.assert_allclose(layer.moving_mean.numpy(), x.mean(axis=(0, 2)), rtol=1e-5,
                               atol=1e-7)
    assert layer.get_config()["axis"] == [1, 3]


def test_get_config_keys_and_defaults():
    layer = BatchNormalization()
    expect_config(layer, {
        "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
        "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                             "config": {}, "registered_name": None},
        "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones",
                              "config": {}, "registered_name": None},
        "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
        "gamma_constraint": None, "synchronized": False, "renorm": False,
        "renorm_clipping": None, "renorm_momentum": 0.99})
    restored = BatchNormalization.from_config(
        BatchNormalization(axis=1, momentum=0.9, center=False, gamma_regularizer="l2",
                           name="bn_x").get_config())
    assert (restored.axis, restored.momentum, restored.center) == (1, 0.9, False)
    assert restored.gamma_regularizer.l2 == pytest.approx(0.01)


def test_regularized_gamma_adds_to_the_loss(rng):
    x = rng.normal(size=(4, 2)).astype("float32")
    bn = BatchNormalization(gamma_regularizer=graphkeras.regularizers.L2(0.5))
    model = graphkeras.Sequential([Input(shape=(2,)), bn])
    model.compile(optimizer="sgd", loss="mse")
    pred = model.predict(x)
    loss = model.evaluate(x, np.zeros_like(x), verbose=0)
    np.testing.assert_allclose(loss, np.mean(pred ** 2) + 0.5 * 2.0, rtol=1e-5)


def test_argument_validation():
    with pytest.raises(TypeError, match="axis"):
        BatchNormalization(axis="channels")
    with pytest.raises(TypeError, match="axis"):
        BatchNormalization(axis=[])
    with pytest.raises(NotImplementedError, match="renorm"):
        BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="Invalid axis 3"):
        graphkeras.Sequential([Input(shape=(4,)), BatchNormalization(axis=3)])
    with pytest.raises(ValueError, match="batch axis"):
        graphkeras.Sequential([Input(shape=(4,)), BatchNormalization(axis=0)])
    with pytest.raises(ValueError, match="Unknown initializer"):
        BatchNormalization(gamma_initializer="nope")
