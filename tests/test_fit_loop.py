"""fit/evaluate/predict behaviours of Keras's loop: progress output, hooks, steps, NaN."""

import re

import numpy as np
import pytest

import graphkeras
from graphkeras.callbacks import Callback, TerminateOnNaN
from graphkeras.layers import Dense, Input
from graphkeras.optimizers import SGD

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _model():
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(rng, n=50):
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, n)


def _clean(text):
    return ANSI.sub("", text).replace("\b", "").replace("\r", "\n")


def test_verbose_outputs_follow_keras_3(capsys, rng):
    model = _model()
    x, y = _data(rng)
    model.fit(x, y, epochs=2, batch_size=16, verbose=1)
    out = _clean(capsys.readouterr().out)
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert re.search(r"4/4 ━+ \d+s \d+(us|ms|s)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}",
                     out)
    model.fit(x, y, epochs=1, batch_size=16, verbose=2)
    out = _clean(capsys.readouterr().out)
    assert re.search(r"4/4 - \d+s - \d+(us|ms)/step - accuracy: \d\.\d{4} - loss:", out)
    assert "Epoch" not in out
    model.evaluate(x, y, batch_size=16)
    assert re.search(r"4/4 ━+ .* - accuracy: .* - loss: ", _clean(capsys.readouterr().out))
    model.predict(x, batch_size=16)
    out = _clean(capsys.readouterr().out)
    assert re.search(r"4/4 ━+ \d+s", out) and "loss" not in out
    model.fit(x, y, epochs=1, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_test_begin(self, logs=None):
        self.calls.append("test_begin")

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("test_batch", batch, sorted(logs)))

    def on_predict_batch_end(self, batch, logs=None):
        self.calls.append(("predict_batch", batch, logs["outputs"].shape))

    def on_predict_end(self, logs=None):
        self.calls.append("predict_end")


def test_evaluate_and_predict_call_their_hooks(rng):
    model = _model()
    x, y = _data(rng, 20)
    rec = Recorder()
    model.evaluate(x, y, batch_size=8, verbose=0, callbacks=[rec])
    assert rec.calls == ["test_begin"] + [("test_batch", i, ["accuracy", "loss"])
                                          for i in range(3)]
    rec.calls.clear()
    model.predict(x, batch_size=8, verbose=0, callbacks=[rec])
    assert rec.calls == [("predict_batch", 0, (8, 3)), ("predict_batch", 1, (8, 3)),
                         ("predict_batch", 2, (4, 3)), "predict_end"]


def test_steps_per_epoch_limits_the_batches(rng):
    model = _model()
    x, y = _data(rng, 64)
    seen = []

    class Count(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    model.fit(x, y, batch_size=16, epochs=2, steps_per_epoch=2, verbose=0,
              callbacks=[Count()])
    assert seen == [0, 1, 0, 1]
    with pytest.warns(UserWarning, match="more batches"):
        model.fit(x, y, batch_size=16, steps_per_epoch=9, verbose=0)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(x, y, steps_per_epoch=0, verbose=0)


def test_divergence_is_reported_and_terminate_on_nan_stops(rng):
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(1)])
    model.compile(optimizer=SGD(1e6), loss="mse")
    x = rng.normal(size=(32, 2)).astype("float32") * 100
    y = rng.normal(size=(32, 1)).astype("float32")
    with pytest.warns(RuntimeWarning, match="training loss is (nan|inf)"):
        model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    model.set_weights([np.zeros((2, 1), "float32"), np.zeros(1, "float32")])
    history = model.fit(x, y, epochs=5, batch_size=4, verbose=0, callbacks=[TerminateOnNaN()])
    assert len(history.history["loss"]) == 1


def test_model_checkpoint_writes_real_files_from_fit(tmp_path, rng):
    from graphkeras.callbacks import ModelCheckpoint
    from graphkeras.models import load_model

    model = _model()
    x, y = _data(rng, 40)
    full = ModelCheckpoint(str(tmp_path / "m.{epoch:02d}-{val_loss:.2f}.keras"))
    best = ModelCheckpoint(str(tmp_path / "best.weights.h5"), save_weights_only=True,
                           save_best_only=True, monitor="val_loss")
    model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[full, best])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in names if n.startswith("m.01-")] and [n for n in names
                                                          if n.startswith("m.02-")]
    assert "best.weights.h5" in names
    latest = sorted(n for n in names if n.startswith("m.02-"))[0]
    restored = load_model(str(tmp_path / latest))
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    assert not [n for n in names if ".tmp" in n], "files are written whole, then renamed"


def test_steps_arguments_limit_batches(rng):
    model = _model()
    x, y = _data(rng, 40)
    assert model.predict(x, batch_size=8, steps=2, verbose=0).shape == (16, 3)
    full = model.evaluate(x[:16], y[:16], batch_size=8, verbose=0)
    assert model.evaluate(x, y, batch_size=8, steps=2, verbose=0) == pytest.approx(full)
    history = model.fit(x, y, batch_size=8, validation_data=(x, y), validation_steps=2,
                        verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[:16], y[:16], batch_size=8, verbose=0)[0], rel=1e-5)
    with pytest.raises(ValueError, match="steps"):
        model.evaluate(x, y, steps=0, verbose=0)


def test_batch_shuffle_draws_as_keras_does():
    np.random.seed(3)
    order = graphkeras.Model._epoch_order("batch", 10, 3, 4)
    np.random.seed(3)
    keras_draws = [np.random.permutation(4), np.random.permutation(4) + 4,
                   np.random.permutation(2) + 8]
    np.testing.assert_array_equal(order, np.concatenate(keras_draws))
    assert sorted(graphkeras.Model._epoch_order("batch", 10, 2, 4)[8:]) == [8, 9]
    assert graphkeras.Model._epoch_order(False, 10, 3, 4) is None


@pytest.mark.parametrize("execution", [1, "auto"])
def test_batch_shuffle_keeps_each_batch_s_rows(execution, rng):
    """A batch's mean gradient does not depend on its rows' order, but on which rows it has."""
    x, y = _data(rng, 48)
    weights = {}
    for shuffle in (False, "batch", True):
        graphkeras.utils.set_random_seed(1)
        model = graphkeras.Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
        model.compile(optimizer=SGD(0.5), loss="sparse_categorical_crossentropy",
                      steps_per_execution=execution)
        model.fit(x, y, batch_size=16, epochs=3, shuffle=shuffle, verbose=0)
        weights[shuffle] = model.get_weights()
    for a, b in zip(weights[False], weights["batch"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(weights[False][0], weights[True][0], atol=1e-4)
