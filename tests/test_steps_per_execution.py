"""Several batches per compiled call give exactly what one batch per call gives.

``fit``, ``evaluate`` and ``predict`` each run whole runs of batches in one
compiled loop for small models (``steps_per_execution``, chosen or "auto");
the results, and the batch hooks Keras promises, must not depend on it.
"""

import numpy as np
import pytest

import graphkeras
from graphkeras.callbacks import Callback
from graphkeras.layers import Dense, Input, Reshape


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


def _two_outputs(execution):
    graphkeras.utils.set_random_seed(3)
    x = Input(shape=(6,))
    h = Dense(8, activation="relu")(x)
    classes = Dense(3, activation="softmax", name="classes")(h)
    grid = Reshape((2, 2), name="grid")(Dense(4)(h))
    model = graphkeras.Model(x, [classes, grid])
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                  metrics=[["accuracy"], ["mae"]], steps_per_execution=execution)
    return model


def _data(rng, rows):
    x = rng.normal(size=(rows, 6)).astype("float32")
    return x, [rng.integers(0, 3, rows), rng.normal(size=(rows, 2, 2)).astype("float32")]


@pytest.mark.parametrize("execution", [3, "auto"])
def test_evaluate_and_predict_by_execution_match_one_batch_per_call(execution, rng):
    x, y = _data(rng, 45)
    weights = rng.uniform(0.5, 2.0, size=45).astype("float32")
    one, many = _two_outputs(1), _two_outputs(execution)
    for kwargs in ({}, {"sample_weight": weights}):
        expected = one.evaluate(x, y, batch_size=8, verbose=0, return_dict=True, **kwargs)
        got = many.evaluate(x, y, batch_size=8, verbose=0, return_dict=True, **kwargs)
        assert got.keys() == expected.keys()
        for key in expected:
            np.testing.assert_allclose(got[key], expected[key], rtol=1e-6, err_msg=key)
    for a, b in zip(one.predict(x, batch_size=8, verbose=0),
                    many.predict(x, batch_size=8, verbose=0)):
        np.testing.assert_array_equal(a, b)

    for kind in ("test", "predict"):
        assert many._programs.latest(kind)[0].__dict__.get("_loops"), kind


def test_fit_validation_runs_by_execution_like_evaluate(rng):
    x, y = _data(rng, 45)
    vx, vy = _data(rng, 30)
    logs = {}
    for execution in (1, "auto"):
        model = _two_outputs(execution)
        history = model.fit(x, y, batch_size=8, epochs=2, validation_data=(vx, vy), verbose=0)
        logs[execution] = history.history
    assert logs[1].keys() == logs["auto"].keys()
    for key in logs[1]:
        np.testing.assert_allclose(logs["auto"][key], logs[1][key], rtol=1e-5, err_msg=key)


class _TestAndPredictHooks(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_test_begin(self, logs=None):
        self.seen.append("test_begin")

    def on_test_batch_begin(self, batch, logs=None):
        self.seen.append(("test_begin", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(("test_end", batch, sorted(logs)))

    def on_test_end(self, logs=None):
        self.seen.append(("test_done", sorted(logs)))

    def on_predict_batch_begin(self, batch, logs=None):
        self.seen.append(("predict_begin", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.seen.append(("predict_end", batch, [o.shape for o in logs["outputs"]]))

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(("epoch_end", epoch))


def test_evaluate_and_predict_hooks_fire_once_per_execution(rng):
    x, y = _data(rng, 20)
    model = _two_outputs(2)
    hooks = _TestAndPredictHooks()
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[hooks])
    logs = ["classes_accuracy", "classes_loss", "grid_loss", "grid_mae", "loss"]
    assert hooks.seen == ["test_begin", ("test_begin", 0), ("test_end", 1, logs),
                          ("test_begin", 2), ("test_end", 3, logs), ("test_begin", 4),
                          ("test_end", 4, logs), ("test_done", logs)]
    hooks.seen.clear()
    model.predict(x, batch_size=8, verbose=0, callbacks=[hooks])
    assert hooks.seen == [("predict_begin", 0), ("predict_end", 1, [(16, 3), (16, 2, 2)]),
                          ("predict_begin", 2), ("predict_end", 2, [(4, 3), (4, 2, 2)])]


def test_fit_calls_the_test_hooks_of_its_validation(rng):
    x, y = _data(rng, 16)
    model = _two_outputs(1)
    hooks = _TestAndPredictHooks()
    model.fit(x, y, batch_size=8, validation_data=_data(rng, 12), verbose=0, callbacks=[hooks])
    logs = ["classes_accuracy", "classes_loss", "grid_loss", "grid_mae", "loss"]
    assert hooks.seen == ["test_begin", ("test_begin", 0), ("test_end", 0, logs),
                          ("test_begin", 1), ("test_end", 1, logs), ("test_done", logs),
                          ("epoch_end", 0)]
