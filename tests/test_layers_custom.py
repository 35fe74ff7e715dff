"""User-written computations: ``Layer`` subclasses (weights, sublayers, configs) and ``Lambda``."""

import numpy as np
import pytest

import graphkeras
from graphkeras import ops
from graphkeras.layers import Dense, Input, Lambda, Layer
from tests.layer_harness import assert_close, run_layer_test


class ScaledLinear(Layer):
    """``(x @ w + b) * scale``: a trainable kernel and bias, a non-trainable scale."""

    def __init__(self, units=3, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale_value = scale

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="glorot_uniform", trainable=True, name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True,
                                 name="b")
        self.scale = self.add_weight(shape=(), initializer=graphkeras.initializers.Constant(
            self.scale_value), trainable=False, name="scale")

    def call(self, inputs):
        return ops.multiply(ops.add(ops.matmul(inputs, self.w), self.b), self.scale)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "scale": self.scale_value})
        return config


class OperatorLayer(Layer):
    """The same kind of layer written with Python operators on the symbolic values."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        h = inputs * self.w + 1.0
        return h[:, 1:] - h[:, :1] ** 2


class NoisyInTraining(Layer):
    """Adds 1 in training and nothing in inference: checks the ``training`` argument."""

    def call(self, inputs, training=None):
        if training:
            return ops.add(inputs, 1.0)
        return inputs


def _reference(x, w, b, scale):
    return (x.astype("float64") @ w + b) * scale


def test_custom_layer_through_the_harness(rng):
    w = rng.normal(size=(4, 3)).astype("float32")
    b = rng.normal(size=3).astype("float32")
    run_layer_test(ScaledLinear, {"units": 3, "scale": 0.5}, input_shape=(5, 4),
                   expected_output_shape=(None, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=1,
                   weights=[w, b, np.float32(0.5)],
                   reference=lambda x, ws: _reference(x, *ws))


def test_custom_layer_in_sequential_and_functional_trains_like_numpy(rng):
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 3)).astype("float32")
    w = rng.normal(size=(4, 3)).astype("float32")
    b = rng.normal(size=3).astype("float32")
    lr = 0.1
    for build in ("sequential", "functional"):
        layer = ScaledLinear(units=3, scale=2.0)
        if build == "sequential":
            model = graphkeras.Sequential([Input(shape=(4,)), layer])
        else:
            inputs = Input(shape=(4,))
            model = graphkeras.Model(inputs, layer(inputs))
        assert [v.name for v in layer.weights] == ["w", "b", "scale"]
        assert [v.name for v in layer.trainable_weights] == ["w", "b"]
        layer.set_weights([w, b, np.float32(2.0)])
        assert_close(model.predict(x), _reference(x, w, b, 2.0))
        model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
        model.train_on_batch(x, y)
        dout = 2 * (_reference(x, w, b, 2.0) - y) / y.size * 2.0
        new_w, new_b, scale = layer.get_weights()
        np.testing.assert_allclose(new_w, w - lr * x.T @ dout, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(new_b, b - lr * dout.sum(0), rtol=1e-5, atol=1e-6)
        assert scale == 2.0
        # eager call agrees with the compiled model after training
        assert_close(layer(x), model.predict(x))


def test_custom_layer_fit_reduces_the_loss(rng):
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x @ rng.normal(size=(4, 2)).astype("float32")
    model = graphkeras.Sequential([Input(shape=(4,)), ScaledLinear(units=2, scale=1.0)])
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_custom_layer_config_round_trip():
    layer = ScaledLinear(units=5, scale=3.0, name="mine")
    config = layer.get_config()
    assert config["units"] == 5 and config["scale"] == 3.0 and config["name"] == "mine"
    clone = ScaledLinear.from_config(config)
    assert (clone.units, clone.scale_value, clone.name) == (5, 3.0, "mine")


def test_layer_written_with_python_operators(rng):
    x = rng.normal(size=(4, 3)).astype("float32")
    w = rng.normal(size=3).astype("float32")
    layer = OperatorLayer()
    model = graphkeras.Sequential([Input(shape=(3,)), layer, Dense(1)])
    layer.set_weights([w])
    h = x.astype("float64") * w + 1.0
    expected = h[:, 1:] - h[:, :1] ** 2
    assert_close(layer(x), expected)
    inner = graphkeras.Model(model.inputs, layer.output)
    assert_close(inner.predict(x), expected)
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(x, np.zeros((4, 1), "float32"))
    assert not np.allclose(layer.get_weights()[0], w)


def test_training_argument_reaches_a_custom_call(rng):
    x = rng.normal(size=(4, 2)).astype("float32")
    inputs = Input(shape=(2,))
    dense = Dense(1, use_bias=False, kernel_initializer="ones")
    model = graphkeras.Model(inputs, dense(NoisyInTraining()(inputs)))
    assert_close(model.predict(x), x.sum(1, keepdims=True))
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=0.0), loss="mse")
    # in training the +1 shifts each of the two features: the loss against the
    # inference output is exactly (1 + 1)**2
    loss = model.train_on_batch(x, x.sum(1, keepdims=True))
    np.testing.assert_allclose(loss, 4.0, rtol=1e-6)
    assert_close(NoisyInTraining()(x, training=True), x + 1)


def test_custom_layer_errors_name_the_layer():
    class Broken(Layer):
        def call(self, inputs):
            return ops.matmul(inputs, np.ones((5, 2), "float32"))

    with pytest.raises(Exception, match="broken"):
        Broken()(Input(shape=(3,)))

    class NoCall(Layer):
        pass

    with pytest.raises(NotImplementedError, match="NoCall"):
        NoCall()(Input(shape=(3,)))


# -- layers holding layers ------------------------------------------------------------------

class Block(Layer):
    """Two Dense layers created in ``__init__``: their weights are the block's (as in Keras)."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = Dense(units, activation="tanh", name=f"{self.name}_hidden")
        self.heads = [Dense(1, name=f"{self.name}_head")]

    def call(self, inputs):
        return self.heads[0](self.hidden(inputs))

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        return config


def test_sublayers_are_tracked_and_trained(rng):
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    block = Block(units=4)
    model = graphkeras.Sequential([Input(shape=(3,)), block])
    assert [w.shape for w in block.weights] == [(3, 4), (4,), (4, 1), (1,)]
    assert [w.shape for w in model.weights] == [(3, 4), (4,), (4, 1), (1,)]
    assert block.count_params() == 21
    values = [rng.normal(size=w.shape).astype("float32") for w in model.weights]
    model.set_weights(values)
    w1, b1, w2, b2 = [v.astype("float64") for v in values]
    h = np.tanh(x @ w1 + b1)
    assert_close(model.predict(x), h @ w2 + b2)
    lr = 0.1
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.train_on_batch(x, y)
    dout = 2 * (h @ w2 + b2 - y) / y.size
    dz = (dout @ w2.T) * (1 - h ** 2)
    want = [w1 - lr * x.T @ dz, b1 - lr * dz.sum(0), w2 - lr * h.T @ dout, b2 - lr * dout.sum(0)]
    for got, expected in zip(model.get_weights(), want):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    # freezing the block freezes its sublayers
    block.trainable = False
    assert block.trainable_weights == [] and not block.hidden.trainable
    assert len(model.non_trainable_weights) == 4


# -- Lambda -----------------------------------------------------------------------------------

def scale_by(x, factor):
    return ops.multiply(x, factor)


def test_lambda_with_an_ops_function_through_the_harness():
    run_layer_test(Lambda, {"function": ops.square}, input_shape=(4, 3),
                   reference=lambda x, w: x ** 2)
    config = Lambda(ops.square).get_config()
    assert config["function"] == {"module": "keras.ops", "class_name": "function",
                                  "config": "square", "registered_name": "function"}
    assert config["arguments"] == {}


def test_lambda_arguments_output_shape_and_custom_objects(rng):
    x = rng.normal(size=(4, 3)).astype("float32")
    layer = Lambda(scale_by, arguments={"factor": 3.0}, output_shape=(3,))
    model = graphkeras.Sequential([Input(shape=(3,)), layer])
    assert_close(model.predict(x), 3 * x)
    assert layer.compute_output_shape((None, 3)) == (None, 3)
    config = layer.get_config()
    assert config["arguments"] == {"factor": 3.0} and config["output_shape"] == [3]
    with pytest.raises(TypeError, match="custom_objects"):
        Lambda.from_config(config)
    clone = Lambda.from_config(config, custom_objects={"scale_by": scale_by})
    assert clone.function is scale_by and clone.arguments == {"factor": 3.0}
    with pytest.raises(ValueError, match="output_shape"):
        Lambda(scale_by, arguments={"factor": 2.0}, output_shape=(4,))(Input(shape=(3,)))


def test_lambda_python_lambda_computes_but_does_not_serialize(rng):
    x = rng.normal(size=(4, 3)).astype("float32")
    a, b = Input(shape=(3,)), Input(shape=(3,))
    summed = Lambda(lambda t: ops.add(t[0], ops.square(t[1])))([a, b])
    model = graphkeras.Model([a, b], summed)
    assert_close(model.predict([x, x]), x + x ** 2)
    with pytest.raises(NotImplementedError, match="safe_mode=False"):
        Lambda(lambda t: t).get_config()
    with pytest.raises(ValueError, match="arbitrary code"):
        Lambda.from_config({"function": {"class_name": "__lambda__",
                                         "config": {"code": "AAAA"}}, "name": "l"})


def test_lambda_trains_through_and_gets_the_training_flag(rng):
    x = rng.normal(size=(6, 2)).astype("float32")

    def shift_in_training(t, training=None):
        return ops.add(t, 1.0) if training else t

    dense = Dense(1, use_bias=False, kernel_initializer="ones")
    model = graphkeras.Sequential([Input(shape=(2,)), dense, Lambda(shift_in_training),
                                   Lambda(lambda t: ops.multiply(t, 2.0))])
    assert_close(model.predict(x), 2 * x.sum(1, keepdims=True))
    lr = 0.01
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    y = np.zeros((6, 1), "float32")
    loss = model.train_on_batch(x, y)
    out = 2 * (x.sum(1, keepdims=True) + 1)
    np.testing.assert_allclose(loss, np.mean(out ** 2), rtol=1e-5)
    grad = x.T @ (2 * out / out.size * 2)
    np.testing.assert_allclose(dense.get_weights()[0], 1 - lr * grad, rtol=1e-5)


def test_lambda_validation():
    with pytest.raises(TypeError, match="callable"):
        Lambda(3)
    with pytest.raises(TypeError, match="arguments"):
        Lambda(ops.square, arguments=[1])
    with pytest.raises(NotImplementedError, match="mask"):
        Lambda(ops.square, mask=ops.square)
