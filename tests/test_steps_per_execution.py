"""Several training steps per compiled call give exactly what one step per call gives."""

import numpy as np
import pytest

import graphkeras
from graphkeras.callbacks import Callback
from graphkeras.layers import Dense, Input


def _trained(execution, x, y, shuffle, **fit):
    graphkeras.utils.set_random_seed(5)
    model = graphkeras.Sequential([Input(shape=(6,)), Dense(8, activation="relu"),
                                   Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=execution)
    graphkeras.utils.set_random_seed(7)
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=shuffle, verbose=0, **fit)
    return model, history


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("execution", [4, "auto"])
def test_same_weights_and_history_as_one_step_per_call(execution, shuffle, rng):
    x = rng.normal(size=(45, 6)).astype("float32")
    y = rng.integers(0, 3, 45)
    one, h_one = _trained(1, x, y, shuffle)
    many, h_many = _trained(execution, x, y, shuffle)
    assert many._execution_size(many._programs.latest("train")[0], 8, 6) > 1
    for a, b in zip(one.get_weights(), many.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    for key in h_one.history:
        np.testing.assert_allclose(h_one.history[key], h_many.history[key], rtol=1e-6)


def test_batch_hooks_fire_once_per_execution_with_keras_indices(rng):
    seen = []

    class Hooks(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(("begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("end", batch))

    x = rng.normal(size=(40, 6)).astype("float32")
    _trained(2, x, rng.integers(0, 3, 40), False, callbacks=[Hooks()])
    assert seen[:6] == [("begin", 0), ("end", 1), ("begin", 2), ("end", 3), ("begin", 4),
                        ("end", 4)]


def test_steps_per_execution_is_validated():
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(1)])
    with pytest.raises(ValueError, match="steps_per_execution"):
        model.compile(optimizer="sgd", loss="mse", steps_per_execution=0)
