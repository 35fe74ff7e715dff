"""Functional models beyond a chain: sharing, nesting, intermediate outputs, freezing,
several outputs."""

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import Dense, Input
from graphkeras.optimizers import SGD


def test_shared_layer_gradients_add_up(rng):
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    shared = Dense(1, use_bias=False, name="shared")
    model = graphkeras.Model([a, b], shared(a))
    both = graphkeras.Model([a, b], [shared(a), shared(b)])
    assert len(both.weights) == 1
    both.compile(optimizer=SGD(0.1), loss="mse")
    xa = rng.normal(size=(4, 3)).astype("float32")
    xb = rng.normal(size=(4, 3)).astype("float32")
    ya, yb = rng.normal(size=(4, 1)), rng.normal(size=(4, 1))
    w = shared.get_weights()[0].astype(np.float64)
    grad = 2 * xa.T @ (xa @ w - ya) / 4 + 2 * xb.T @ (xb @ w - yb) / 4
    both.train_on_batch([xa, xb], [ya, yb])
    np.testing.assert_allclose(shared.get_weights()[0], w - 0.1 * grad, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict([xa, xb]), xa @ shared.get_weights()[0],
                               rtol=1e-5)


def test_model_as_a_layer_in_functional_and_sequential(rng):
    inner_in = Input(shape=(4,))
    inner = graphkeras.Model(inner_in, Dense(3, activation="relu", name="inner_d")(inner_in),
                             name="inner")
    x = Input(shape=(4,))
    outer = graphkeras.Model(x, Dense(2, name="head")(inner(x)), name="outer")
    seq = graphkeras.Sequential([Input(shape=(4,)), inner, Dense(2, name="head2")])
    data = rng.normal(size=(5, 4)).astype("float32")
    k1, b1 = inner.get_weights()
    hidden = np.maximum(data @ k1 + b1, 0)
    k2, b2 = outer.get_layer("head").get_weights()
    np.testing.assert_allclose(outer.predict(data), hidden @ k2 + b2, rtol=1e-5, atol=1e-6)
    k3, b3 = seq.layers[-1].get_weights()
    np.testing.assert_allclose(seq.predict(data), hidden @ k3 + b3, rtol=1e-5, atol=1e-6)
    assert len(outer.weights) == 4 and outer.layers[1] is inner
    outer.compile(optimizer=SGD(0.5), loss="mse")
    before = inner.get_weights()[0].copy()
    outer.fit(data, np.ones((5, 2)), epochs=2, verbose=0)
    assert not np.allclose(inner.get_weights()[0], before)


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_intermediate_outputs(kind, rng):
    if kind == "sequential":
        model = graphkeras.Sequential([Input(shape=(3,)), Dense(4, activation="relu"),
                                       Dense(2)])
    else:
        x = Input(shape=(3,))
        model = graphkeras.Model(x, Dense(2)(Dense(4, activation="relu")(x)))
    outputs = [layer.output for layer in model.layers]
    probe = graphkeras.Model(inputs=model.input, outputs=outputs)
    data = rng.normal(size=(6, 3)).astype("float32")
    got = probe.predict(data)
    assert len(got) == len(outputs)
    np.testing.assert_allclose(got[-1], model.predict(data), rtol=1e-6)
    k, b = model.layers[-2].get_weights()
    np.testing.assert_allclose(got[-2], np.maximum(data @ k + b, 0), rtol=1e-5, atol=1e-6)


def test_get_layer_and_tensors():
    x = Input(shape=(3,), name="x")
    h = Dense(4, name="h")(x)
    model = graphkeras.Model(x, Dense(1, name="o")(h))
    assert model.get_layer("h").output is h
    assert model.get_layer(index=1).name == "h"
    assert model.inputs == [x] and model.get_layer("h").input is x
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only has 3 layers"):
        model.get_layer(index=7)


def test_frozen_layer_is_not_updated_and_program_is_rebuilt(rng):
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(4, name="a"), Dense(1, name="b")])
    model.compile(optimizer=SGD(0.1), loss="mse")
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    model.fit(x, y, epochs=1, verbose=0)
    first = model._programs.latest("train")[0]
    model.get_layer("a").trainable = False
    frozen = model.get_layer("a").get_weights()
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    moving = model.get_layer("b").get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    assert model._programs.latest("train")[0] is not first
    for got, want in zip(model.get_layer("a").get_weights(), frozen):
        np.testing.assert_array_equal(got, want)
    assert not np.allclose(model.get_layer("b").get_weights()[0], moving[0])


def test_multi_output_losses_weights_metrics_and_history_keys(rng):
    x = Input(shape=(4,), name="x")
    h = Dense(8, activation="relu", name="h")(x)
    reg = Dense(1, name="reg")(h)
    cls = Dense(3, activation="softmax", name="cls")(h)
    model = graphkeras.Model(x, [reg, cls])
    model.compile(optimizer="adam",
                  loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 2.0},
                  metrics={"cls": ["accuracy"]})
    data = rng.normal(size=(20, 4)).astype("float32")
    y_reg = rng.normal(size=(20, 1)).astype("float32")
    y_cls = rng.integers(0, 3, 20)
    history = model.fit(data, [y_reg, y_cls], epochs=2, batch_size=8, verbose=0)
    assert sorted(history.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
    logs = model.evaluate(data, {"reg": y_reg, "cls": y_cls}, return_dict=True, verbose=0)
    p_reg, p_cls = model.predict(data)
    mse = float(np.mean((p_reg - y_reg) ** 2))
    ce = float(-np.mean(np.log(p_cls[np.arange(20), y_cls])))
    assert logs["reg_loss"] == pytest.approx(mse, rel=1e-4)
    assert logs["cls_loss"] == pytest.approx(ce, rel=1e-4)
    assert logs["loss"] == pytest.approx(0.5 * mse + 2.0 * ce, rel=1e-4)
    assert logs["cls_accuracy"] == pytest.approx(np.mean(p_cls.argmax(1) == y_cls))
    result = model.evaluate(data, [y_reg, y_cls], verbose=0)
    assert result[0] == pytest.approx(logs["loss"], rel=1e-6)


def test_loss_list_must_match_outputs():
    x = Input(shape=(2,))
    model = graphkeras.Model(x, [Dense(1)(x), Dense(1)(x)])
    with pytest.raises(ValueError, match="2 outputs"):
        model.compile(optimizer="sgd", loss=["mse"])
    with pytest.raises(ValueError, match="not outputs of the model"):
        model.compile(optimizer="sgd", loss={"nope": "mse"})


def test_calling_a_model_on_data_predicts_or_trains_as_keras(rng, monkeypatch):
    from graphkeras.layers import BatchNormalization, Dropout
    from graphkeras.models.fast_predict import FastPredict
    graphkeras.utils.set_random_seed(2)
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(8), BatchNormalization(),
                                   Dropout(0.5), Dense(2)])
    x = rng.normal(size=(6, 4)).astype("float32")
    predicted = model.predict(x, verbose=0)

    calls, original = [], FastPredict.__call__

    def counted(self, data):
        calls.append(len(data))
        return original(self, data)
    monkeypatch.setattr(FastPredict, "__call__", counted)
    np.testing.assert_allclose(model(x), predicted, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x), predicted, rtol=1e-6)
    assert calls == [6, 6], "model(x) and predict_on_batch take the compiled fast path"

    moving_mean = model.layers[1].moving_mean.numpy().copy()
    trained = model(x, training=True)
    assert not np.allclose(trained, predicted), "Dropout and batch statistics apply"
    assert not np.allclose(model.layers[1].moving_mean.numpy(), moving_mean)
