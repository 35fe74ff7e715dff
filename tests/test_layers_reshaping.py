"""Flatten, Reshape, Permute and RepeatVector: shapes, values, gradients, validation, configs."""

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import Dense, Flatten, Input, Permute, RepeatVector, Reshape
from tests.layer_harness import assert_close, expect_config, run_layer_test


# -- Flatten ------------------------------------------------------------------------------

def test_flatten_channels_last():
    run_layer_test(Flatten, input_shape=(4, 2, 3, 5), expected_output_shape=(None, 30),
                   reference=lambda x, w: x.reshape(4, -1))


def test_flatten_channels_first_orders_features_channels_last():
    run_layer_test(Flatten, {"data_format": "channels_first"}, input_shape=(4, 2, 3, 5),
                   expected_output_shape=(None, 30),
                   reference=lambda x, w: np.transpose(x, (0, 2, 3, 1)).reshape(4, -1))
    # rank 2: nothing to transpose
    run_layer_test(Flatten, {"data_format": "channels_first"}, input_shape=(4, 6),
                   expected_output_shape=(None, 6), reference=lambda x, w: x)


def test_flatten_config_and_validation():
    expect_config(Flatten(), {"data_format": "channels_last"})
    with pytest.raises(ValueError, match="data_format"):
        Flatten(data_format="channels_middle")


# -- Reshape ------------------------------------------------------------------------------

def test_reshape_forms():
    run_layer_test(Reshape, {"target_shape": (3, 4)}, input_shape=(2, 12),
                   expected_output_shape=(None, 3, 4), reference=lambda x, w: x.reshape(2, 3, 4))
    run_layer_test(Reshape, {"target_shape": (-1, 2, 2)}, input_shape=(2, 12),
                   expected_output_shape=(None, 3, 2, 2),
                   reference=lambda x, w: x.reshape(2, 3, 2, 2))
    run_layer_test(Reshape, {"target_shape": (6,)}, input_shape=(2, 2, 3),
                   expected_output_shape=(None, 6), reference=lambda x, w: x.reshape(2, 6))


def test_reshape_config_and_validation():
    expect_config(Reshape((3, 4)), {"target_shape": (3, 4)})
    assert Reshape([2, -1]).target_shape == (2, -1)
    with pytest.raises(ValueError, match="more than one `-1`"):
        Reshape((-1, -1))
    with pytest.raises(TypeError, match="target_shape"):
        Reshape(("a", 2))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        Reshape((5,))(Input(shape=(12,)))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        Reshape((5, -1))(Input(shape=(12,)))


# -- Permute ------------------------------------------------------------------------------

def test_permute_values():
    run_layer_test(Permute, {"dims": (2, 1)}, input_shape=(3, 4, 5),
                   expected_output_shape=(None, 5, 4),
                   reference=lambda x, w: np.transpose(x, (0, 2, 1)))
    run_layer_test(Permute, {"dims": (3, 1, 2)}, input_shape=(3, 2, 4, 5),
                   expected_output_shape=(None, 5, 2, 4),
                   reference=lambda x, w: np.transpose(x, (0, 3, 1, 2)))


def test_permute_config_and_validation():
    expect_config(Permute((2, 1)), {"dims": (2, 1)})
    for bad in [(0, 1), (1, 1), (1, 3), (2, 3)]:
        with pytest.raises(ValueError, match="Invalid permutation argument `dims`"):
            Permute(bad)
    with pytest.raises(TypeError, match="dims"):
        Permute((1.5, 2))
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        Permute((2, 1))(Input(shape=(4,)))


# -- RepeatVector -------------------------------------------------------------------------

def test_repeat_vector_values():
    run_layer_test(RepeatVector, {"n": 3}, input_shape=(4, 5), expected_output_shape=(None, 3, 5),
                   reference=lambda x, w: np.repeat(x[:, None, :], 3, axis=1))


def test_repeat_vector_config_and_validation():
    expect_config(RepeatVector(2), {"n": 2})
    with pytest.raises(TypeError, match="Expected an integer value for `n`"):
        RepeatVector(2.5)
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        RepeatVector(2)(Input(shape=(3, 4)))


# -- gradients through the layout layers --------------------------------------------------

def test_sgd_step_through_reshape_permute_repeat_flatten(rng):
    """Dense -> Reshape -> Permute -> RepeatVector-free path and a repeat path, vs NumPy."""
    x = rng.normal(size=(5, 4)).astype("float32")
    y = rng.normal(size=(5, 1)).astype("float32")
    inputs = Input(shape=(4,))
    d1 = Dense(6, name="d1")
    d2 = Dense(1, name="d2")
    h = d1(inputs)
    h = Reshape((2, 3))(h)
    h = Permute((2, 1))(h)
    h = Flatten()(h)
    h = RepeatVector(2)(h)
    h = Flatten()(h)
    model = graphkeras.Model(inputs, d2(h))
    w1, b1 = rng.normal(size=(4, 6)).astype("float32"), rng.normal(size=6).astype("float32")
    w2, b2 = rng.normal(size=(12, 1)).astype("float32"), rng.normal(size=1).astype("float32")
    d1.set_weights([w1, b1])
    d2.set_weights([w2, b2])
    lr = 0.05
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")

    # the layout layers pick feature `perm[j]` of d1's output for feature j of d2's input
    perm = np.tile(np.arange(6).reshape(2, 3).T.reshape(-1), 2)
    h1 = x.astype("float64") @ w1 + b1
    out = h1[:, perm] @ w2 + b2
    assert_close(model.predict(x), out, rtol=1e-5, atol=1e-5)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, np.mean((out - y) ** 2), rtol=1e-5)
    dout = 2 * (out - y) / out.size
    dh = np.zeros_like(h1)
    np.add.at(dh.T, perm, (dout @ w2.T).T)
    want = [w1 - lr * x.T @ dh, b1 - lr * dh.sum(0), w2 - lr * h1[:, perm].T @ dout,
            b2 - lr * dout.sum(0)]
    got = d1.get_weights() + d2.get_weights()
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-6)
