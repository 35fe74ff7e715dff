"""Activation functions and activation layers: values, gradients, validation, configs."""

import warnings

import numpy as np
import pytest
from scipy.special import erf

import graphkeras
from graphkeras import activations
from graphkeras.layers import (ELU, Activation, Dense, Input, LeakyReLU, PReLU, ReLU,
                               Softmax)
from tests.layer_harness import assert_close, expect_config, run_layer_test


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# name -> NumPy reference, in float64
REFERENCES = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
    "celu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "softplus": _softplus,
    "softsign": lambda x: x / (np.abs(x) + 1),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)),
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "hard_silu": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "hard_swish": lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
    "log_sigmoid": lambda x: -_softplus(-x),
    "mish": lambda x: x * np.tanh(_softplus(x)),
}


def _data(shape=(6, 7), seed=0, scale=3.0):
    return np.random.default_rng(seed).uniform(-scale, scale, size=shape).astype("float32")


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_forward_compiled_and_eager(name):
    x = _data()
    ref = REFERENCES[name](x.astype("float64"))
    fn = activations.get(name)
    assert_close(fn(x), ref, what=f"{name} eager")
    model = graphkeras.Sequential([Input(shape=(7,)), Activation(name)])
    assert_close(model.predict(x), ref, what=f"{name} compiled")


def _numeric_derivative(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.mark.parametrize("name", sorted(set(REFERENCES) - {"softmax", "log_softmax"}))
def test_activation_gradient_in_a_training_step(name, rng):
    """Dense -> activation, one SGD step; the kernel moves by lr * x^T (dL/dout * f'(z))."""
    x = rng.uniform(-1, 1, size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 4)).astype("float32")
    dense = Dense(4, activation=name, use_bias=False)
    model = graphkeras.Sequential([Input(shape=(3,)), dense])
    kernel = rng.uniform(-1, 1, size=(3, 4)).astype("float32")
    dense.set_weights([kernel])
    lr = 0.05
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.train_on_batch(x, y)
    f = REFERENCES[name]
    z = x.astype("float64") @ kernel
    dz = 2 * (f(z) - y) / y.size * _numeric_derivative(f, z)
    np.testing.assert_allclose(dense.get_weights()[0], kernel - lr * x.T @ dz, rtol=1e-4,
                               atol=1e-6)


def test_softmax_axis_and_glu():
    x = _data((3, 4, 6))
    assert_close(activations.softmax(x, axis=1), _softmax(x.astype("float64"), axis=1))
    a, b = x[..., :3].astype("float64"), x[..., 3:].astype("float64")
    assert_close(activations.glu(x), a * _sigmoid(b))
    model = graphkeras.Sequential([Input(shape=(4, 6)), Activation("glu")])
    assert_close(model.predict(x), a * _sigmoid(b))


def test_keras_relu_options_match_the_documented_examples():
    x = np.array([-10, -5, 0.0, 5, 10], "float32")
    assert_close(activations.relu(x), [0, 0, 0, 5, 10])
    assert_close(activations.relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    assert_close(activations.relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    assert_close(activations.relu(x, threshold=5.0), [0, 0, 0, 0, 10])
    assert_close(activations.relu(x, negative_slope=0.5, max_value=6.0), [-5, -2.5, 0, 5, 6])
    assert_close(activations.relu(x, negative_slope=0.1, threshold=2.0, max_value=8.0),
                 [-1.2, -0.7, -0.2, 5, 8])


def test_gelu_approximate_and_threshold():
    x = _data().astype("float64")
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    assert_close(activations.gelu(x.astype("float32"), approximate=True), tanh_form)
    assert_close(activations.threshold(x.astype("float32"), 1.0, -3.0),
                 np.where(x > 1.0, x, -3.0))


def test_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.serialize(activations.gelu) == "gelu"
    assert activations.serialize(activations.get("swish")) == "silu"
    for name in ("relu", "gelu", "leaky_relu", "hard_sigmoid", "linear"):
        assert activations.deserialize(activations.serialize(activations.get(name))) is \
            activations.get(name)
    with pytest.raises(ValueError, match="Unknown activation function: 'nope'"):
        activations.get("nope")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(3)

    def scaled(x):
        return x * 2

    assert activations.get(scaled) is scaled
    ref = activations.serialize(scaled)
    assert ref["class_name"] == "function" and ref["config"] == "scaled"
    assert activations.deserialize(ref, custom_objects={"scaled": scaled}) is scaled
    with pytest.raises(NotImplementedError, match="safe_mode"):
        activations.serialize(lambda x: x)
    with pytest.raises(NotImplementedError, match="sorting"):
        activations.sparsemax(np.zeros((2, 3)))
    assert Dense(2, activation="swish").get_config()["activation"] == "silu"


# -- layers -------------------------------------------------------------------------------

def test_relu_layer():
    run_layer_test(ReLU, input_shape=(4, 5), expected_output_shape=(None, 5),
                   reference=lambda x, w: np.maximum(x, 0))
    run_layer_test(ReLU, {"max_value": 1.0, "negative_slope": 0.3, "threshold": 0.5},
                   input_shape=(4, 5),
                   reference=lambda x, w: np.where(x >= 1.0, 1.0,
                                                   np.where(x > 0.5, x, 0.3 * (x - 0.5))))
    expect_config(ReLU(), {"max_value": None, "negative_slope": 0.0, "threshold": 0.0})


def test_relu_layer_validation():
    with pytest.raises(ValueError, match="threshold of a ReLU layer cannot be None or a negative"):
        ReLU(threshold=-1.0)
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative"):
        ReLU(max_value=-1.0)
    with pytest.raises(ValueError, match="negative_slope of a ReLU layer cannot be None"):
        ReLU(negative_slope=None)
    with pytest.raises(ValueError, match="negative_slope"):
        ReLU(negative_slope=-0.1)


def test_leaky_relu_layer_default_and_alpha_alias():
    layer = LeakyReLU()
    assert layer.negative_slope == 0.3
    run_layer_test(LeakyReLU, input_shape=(4, 5),
                   reference=lambda x, w: np.where(x >= 0, x, 0.3 * x))
    with pytest.warns(UserWarning, match="`alpha` is deprecated"):
        old = LeakyReLU(alpha=0.1)
    assert old.negative_slope == 0.1
    expect_config(old, {"negative_slope": 0.1})
    assert "alpha" not in old.get_config()
    with pytest.raises(ValueError, match="cannot be None or negative value"):
        LeakyReLU(negative_slope=-0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LeakyReLU(negative_slope=0.2)


def test_elu_layer():
    run_layer_test(ELU, input_shape=(4, 5), reference=lambda x, w: np.where(x > 0, x,
                                                                            np.expm1(x)))
    run_layer_test(ELU, {"alpha": 0.5}, input_shape=(4, 5),
                   reference=lambda x, w: np.where(x > 0, x, 0.5 * np.expm1(x)))
    expect_config(ELU(alpha=0.5), {"alpha": 0.5})
    with pytest.raises(ValueError, match="alpha"):
        ELU(alpha="big")


def test_softmax_layer():
    run_layer_test(Softmax, input_shape=(4, 5), reference=lambda x, w: _softmax(x))
    run_layer_test(Softmax, {"axis": 1}, input_shape=(3, 4, 5),
                   reference=lambda x, w: _softmax(x, axis=1))

    def two_axes(x, w):
        e = np.exp(x - x.max(axis=(1, 2), keepdims=True))
        return e / e.sum(axis=(1, 2), keepdims=True)
    run_layer_test(Softmax, {"axis": [1, 2]}, input_shape=(3, 4, 5), reference=two_axes)
    expect_config(Softmax(), {"axis": -1})
    with pytest.raises(ValueError, match="axis"):
        Softmax(axis="last")
    with pytest.raises(NotImplementedError, match="mask"):
        Softmax()(np.ones((2, 3)), mask=np.ones((2, 3)))


def test_prelu_layer_weights_and_values(rng):
    layer = PReLU()
    graphkeras.Sequential([Input(shape=(3, 4)), layer])
    assert layer.alpha.shape == (3, 4)
    np.testing.assert_array_equal(layer.get_weights()[0], np.zeros((3, 4)))
    alpha = rng.uniform(0, 0.5, size=(3, 4)).astype("float32")
    run_layer_test(PReLU, input_shape=(5, 3, 4), weights=[alpha],
                   expected_num_trainable_weights=1,
                   reference=lambda x, w: np.where(x >= 0, x, w[0] * x))
    shared = rng.uniform(0, 0.5, size=(1, 1, 3)).astype("float32")
    run_layer_test(PReLU, {"shared_axes": [1, 2]}, input_shape=(2, 4, 5, 3), weights=[shared],
                   reference=lambda x, w: np.where(x >= 0, x, w[0] * x))
    middle = rng.uniform(0, 0.5, size=(3, 1)).astype("float32")
    run_layer_test(PReLU, {"shared_axes": 2}, input_shape=(2, 3, 4), weights=[middle],
                   reference=lambda x, w: np.where(x >= 0, x, w[0] * x))


def test_prelu_sgd_step_matches_numpy(rng):
    x = rng.normal(size=(6, 2, 3)).astype("float32")
    y = rng.normal(size=(6, 2, 3)).astype("float32")
    layer = PReLU(shared_axes=[1])
    model = graphkeras.Sequential([Input(shape=(2, 3)), layer])
    alpha = np.array([[0.1, 0.2, 0.3]], "float32")
    layer.set_weights([alpha])
    lr = 0.5
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.train_on_batch(x, y)
    out = np.where(x >= 0, x, alpha * x)
    dout = 2 * (out - y) / y.size
    grad = (dout * np.minimum(x, 0)).sum(axis=(0, 1), keepdims=True)[0]
    np.testing.assert_allclose(layer.get_weights()[0], alpha - lr * grad, rtol=1e-5,
                               atol=1e-7)


def test_prelu_config_and_validation():
    expect_config(PReLU(shared_axes=[1, 2]), {
        "alpha_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                              "config": {}, "registered_name": None},
        "alpha_regularizer": None, "alpha_constraint": None, "shared_axes": [1, 2]})
    assert PReLU(shared_axes=1).shared_axes == [1]
    with pytest.raises(ValueError, match="shared_axes"):
        PReLU(shared_axes=[0])
    with pytest.raises(ValueError, match="shared_axes"):
        graphkeras.Sequential([Input(shape=(3,)), PReLU(shared_axes=[2])])
    restored = PReLU.from_config(PReLU(alpha_initializer="ones",
                                       alpha_regularizer="l2").get_config())
    assert restored.alpha_regularizer.l2 == pytest.approx(0.01)
