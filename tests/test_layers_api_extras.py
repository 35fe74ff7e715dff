"""Layer API details Keras users rely on: add_loss, weights in arithmetic, freezing."""

import numpy as np
import pytest

import graphkeras
from graphkeras import ops
from graphkeras.layers import BatchNormalization, Dense, Input, Layer
from graphkeras.optimizers import SGD


class Scaled(Layer):
    """``x * w + 1`` written with operators on the weight itself, plus an add_loss term."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        self.add_loss(ops.sum(ops.square(self.w)) * 0.5)
        return x * self.w + 1.0 - self.w[0] * 0.0


def test_weights_take_operators_and_add_loss_joins_the_loss(rng):
    model = graphkeras.Sequential([Input(shape=(3,)), Scaled(name="scaled")])
    model.compile(optimizer=SGD(0.1), loss="mse")
    x = rng.normal(size=(4, 3)).astype("float32")
    y = np.zeros((4, 3), "float32")
    np.testing.assert_allclose(model.predict(x), x + 1.0, rtol=1e-6)
    mse = float(np.mean((x + 1.0) ** 2))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(mse + 0.5 * 3, rel=1e-5)
    layer = model.get_layer("scaled")
    layer(x)
    assert layer.losses == [pytest.approx(1.5)]
    w = layer.w
    np.testing.assert_allclose(w * 2.0, np.full(3, 2.0))
    np.testing.assert_allclose(2.0 - w, np.ones(3))


def test_freezing_a_layer_without_trainable_weights_still_rebuilds(rng):
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(2, name="d"),
                                   BatchNormalization(center=False, scale=False, name="bn")])
    model.compile(optimizer=SGD(0.1), loss="mse")
    x = rng.normal(size=(8, 2)).astype("float32") * 3 + 1
    model.fit(x, np.zeros((8, 2)), epochs=1, verbose=0)
    bn = model.get_layer("bn")
    bn.trainable = False
    stats = [w.copy() for w in bn.get_weights()]
    model.fit(x, np.zeros((8, 2)), epochs=1, verbose=0)
    for got, want in zip(bn.get_weights(), stats):
        np.testing.assert_array_equal(got, want)
