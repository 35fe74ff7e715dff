"""Merging layers and their functional forms: values, broadcasting, gradients, validation."""

import numpy as np
import pytest

import graphkeras
from graphkeras import layers
from graphkeras.layers import (Add, Average, Concatenate, Dense, Dot, Input, Maximum, Minimum,
                               Multiply, Subtract)
from tests.layer_harness import assert_close, expect_config, run_layer_test

ELEMENTWISE = [
    (Add, lambda xs: sum(xs)),
    (Multiply, lambda xs: np.prod(np.stack(xs), axis=0)),
    (Average, lambda xs: sum(xs) / len(xs)),
    (Maximum, lambda xs: np.max(np.stack(xs), axis=0)),
    (Minimum, lambda xs: np.min(np.stack(xs), axis=0)),
]


@pytest.mark.parametrize("cls, fn", ELEMENTWISE, ids=[c.__name__ for c, _ in ELEMENTWISE])
def test_elementwise_two_and_three_inputs(cls, fn):
    run_layer_test(cls, input_shape=[(4, 3), (4, 3)], expected_output_shape=(None, 3),
                   reference=lambda xs, w: fn(xs))
    run_layer_test(cls, input_shape=[(4, 2, 3)] * 3, expected_output_shape=(None, 2, 3),
                   reference=lambda xs, w: fn(xs))


@pytest.mark.parametrize("cls, fn", ELEMENTWISE, ids=[c.__name__ for c, _ in ELEMENTWISE])
def test_elementwise_broadcasting_like_keras(cls, fn):
    # sample shapes (5, 3) and (1, 3): NumPy broadcasting
    run_layer_test(cls, input_shape=[(4, 5, 3), (4, 1, 3)], expected_output_shape=(None, 5, 3),
                   reference=lambda xs, w: fn([xs[0], np.broadcast_to(xs[1], xs[0].shape)]))
    # a rank-2 input meets a rank-3 one: the unit axis goes right after the batch
    run_layer_test(cls, input_shape=[(4, 5, 3), (4, 3)], expected_output_shape=(None, 5, 3),
                   reference=lambda xs, w: fn([xs[0], np.broadcast_to(xs[1][:, None, :],
                                                                      xs[0].shape)]))


def test_subtract_values_and_arity():
    run_layer_test(Subtract, input_shape=[(4, 3), (4, 3)], expected_output_shape=(None, 3),
                   reference=lambda xs, w: xs[0] - xs[1])
    a, b, c = Input(shape=(3,)), Input(shape=(3,)), Input(shape=(3,))
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        Subtract()([a, b, c])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        Subtract()([a])


def test_merge_input_validation():
    a, b = Input(shape=(3,)), Input(shape=(4,))
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        Add()(a)
    with pytest.raises(ValueError, match="Inputs have incompatible shapes"):
        Add()([a, b])
    with pytest.raises(ValueError, match="Inputs have incompatible shapes"):
        Multiply()([Input(shape=(2, 3)), Input(shape=(4, 3))])
    with pytest.raises(ValueError, match="different batch sizes"):
        Add()([np.ones((2, 3)), np.ones((3, 3))])


def test_single_input_list_passes_through_as_in_keras_3():
    a = Input(shape=(3,))
    model = graphkeras.Model(a, Add()([a]))
    x = np.arange(6, dtype="float32").reshape(2, 3)
    assert_close(model.predict(x), x)


def test_functional_helpers():
    a, b = Input(shape=(3,)), Input(shape=(3,))
    x = [np.full((2, 3), 2.0, "float32"), np.full((2, 3), 3.0, "float32")]
    cases = [(layers.add, Add, 5.0), (layers.subtract, Subtract, -1.0),
             (layers.multiply, Multiply, 6.0), (layers.average, Average, 2.5),
             (layers.maximum, Maximum, 3.0), (layers.minimum, Minimum, 2.0)]
    for fn, cls, value in cases:
        out = fn([a, b], name=f"{cls.__name__.lower()}_fn")
        assert isinstance(out._keras_history[0], cls)
        assert out._keras_history[0].name == f"{cls.__name__.lower()}_fn"
        assert_close(graphkeras.Model([a, b], out).predict(x), np.full((2, 3), value))
    out = layers.concatenate([a, b], axis=-1)
    assert isinstance(out._keras_history[0], Concatenate) and out.shape == (None, 6)
    out = layers.dot([a, b], axes=1, normalize=True)
    assert isinstance(out._keras_history[0], Dot) and out.shape == (None, 1)


# -- Concatenate --------------------------------------------------------------------------

def test_concatenate_values():
    run_layer_test(Concatenate, input_shape=[(4, 3), (4, 2)], expected_output_shape=(None, 5),
                   reference=lambda xs, w: np.concatenate(xs, axis=-1))
    run_layer_test(Concatenate, {"axis": 1}, input_shape=[(4, 2, 5), (4, 3, 5), (4, 1, 5)],
                   expected_output_shape=(None, 6, 5),
                   reference=lambda xs, w: np.concatenate(xs, axis=1))


def test_concatenate_validation_and_config():
    expect_config(Concatenate(), {"axis": -1})
    a, b = Input(shape=(2, 3)), Input(shape=(4, 3))
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        Concatenate(axis=-1)([a, b])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        Concatenate()([a, Input(shape=(3,))])
    with pytest.raises(ValueError, match="list of at least 1 input"):
        Concatenate()(a)
    with pytest.raises(NotImplementedError, match="batch axis"):
        Concatenate(axis=0)([a, a])
    with pytest.raises(TypeError, match="axis"):
        Concatenate(axis="last")


def test_sgd_step_through_concatenate(rng):
    xa = rng.normal(size=(6, 3)).astype("float32")
    xb = rng.normal(size=(6, 2)).astype("float32")
    y = rng.normal(size=(6, 1)).astype("float32")
    a, b = Input(shape=(3,)), Input(shape=(2,))
    da, db, head = Dense(2, name="da"), Dense(4, name="db"), Dense(1, name="head")
    model = graphkeras.Model([a, b], head(Concatenate()([da(a), db(b)])))
    weights = [rng.normal(size=w.shape).astype("float32") for w in model.weights]
    model.set_weights(weights)
    wa, ba, wb, bb, wh, bh = [w.astype("float64") for w in weights]
    lr = 0.1
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.train_on_batch([xa, xb], y)
    ha, hb = xa @ wa + ba, xb @ wb + bb
    h = np.concatenate([ha, hb], axis=1)
    dout = 2 * (h @ wh + bh - y) / y.size
    dh = dout @ wh.T
    want = [wa - lr * xa.T @ dh[:, :2], ba - lr * dh[:, :2].sum(0),
            wb - lr * xb.T @ dh[:, 2:], bb - lr * dh[:, 2:].sum(0),
            wh - lr * h.T @ dout, bh - lr * dout.sum(0)]
    for got, expected in zip(model.get_weights(), want):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


# -- Dot ----------------------------------------------------------------------------------

def _cosine(a, b, axis):
    na = np.maximum(np.sqrt((a * a).sum(axis=axis, keepdims=True)), 1e-7)
    nb = np.maximum(np.sqrt((b * b).sum(axis=axis, keepdims=True)), 1e-7)
    return a / na, b / nb


def test_dot_2d():
    for axes in (1, -1, [1, 1]):
        run_layer_test(Dot, {"axes": axes}, input_shape=[(4, 5), (4, 5)],
                       expected_output_shape=(None, 1),
                       reference=lambda xs, w: (xs[0] * xs[1]).sum(1, keepdims=True))


def test_dot_normalize_gives_cosine_similarity():
    def reference(xs, w):
        a, b = _cosine(xs[0], xs[1], 1)
        return (a * b).sum(1, keepdims=True)
    run_layer_test(Dot, {"axes": 1, "normalize": True}, input_shape=[(4, 5), (4, 5)],
                   reference=reference)
    # a zero vector stays zero (Keras caps the inverse norm), with no NaN
    a, b = Input(shape=(3,)), Input(shape=(3,))
    model = graphkeras.Model([a, b], Dot(axes=1, normalize=True)([a, b]))
    out = model.predict([np.zeros((2, 3), "float32"), np.ones((2, 3), "float32")])
    np.testing.assert_array_equal(out, np.zeros((2, 1)))


def test_dot_3d_and_mixed_ranks():
    run_layer_test(Dot, {"axes": 2}, input_shape=[(3, 4, 5), (3, 2, 5)],
                   expected_output_shape=(None, 4, 2),
                   reference=lambda xs, w: np.einsum("bpk,bqk->bpq", *xs))
    run_layer_test(Dot, {"axes": (1, 2)}, input_shape=[(3, 5, 4), (3, 2, 5)],
                   expected_output_shape=(None, 4, 2),
                   reference=lambda xs, w: np.einsum("bkp,bqk->bpq", *xs))
    run_layer_test(Dot, {"axes": (1, 1)}, input_shape=[(3, 5), (3, 5, 2)],
                   expected_output_shape=(None, 2),
                   reference=lambda xs, w: np.einsum("bk,bkq->bq", *xs))

    def normalized(xs, w):
        a, b = _cosine(xs[0], xs[1], 2)
        return np.einsum("bpk,bqk->bpq", a, b)
    run_layer_test(Dot, {"axes": 2, "normalize": True}, input_shape=[(3, 4, 5), (3, 2, 5)],
                   reference=normalized)


def test_dot_validation_and_config():
    expect_config(Dot(axes=1), {"axes": 1, "normalize": False})
    expect_config(Dot(axes=(1, 2), normalize=True), {"axes": [1, 2], "normalize": True})
    with pytest.raises(TypeError, match="Invalid type for argument `axes`"):
        Dot(axes="1")
    with pytest.raises(ValueError, match="it should contain two elements"):
        Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="list elements should be integers"):
        Dot(axes=(1, 1.5))
    a, b = Input(shape=(3,)), Input(shape=(4,))
    with pytest.raises(ValueError, match="Incompatible input shapes"):
        Dot(axes=1)([a, b])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        Dot(axes=1)([a, a, a])
    with pytest.raises(ValueError, match="batch_dot over axis 0"):
        Dot(axes=0)([a, a])


def test_sgd_step_through_normalized_dot(rng):
    """Gradients through the L2 normalization and the product, against NumPy."""
    xa = rng.normal(size=(5, 3)).astype("float32")
    xb = rng.normal(size=(5, 3)).astype("float32")
    y = rng.normal(size=(5, 1)).astype("float32")
    a, b = Input(shape=(3,)), Input(shape=(3,))
    da = Dense(4, use_bias=False, name="da")
    db = Dense(4, use_bias=False, name="db")
    model = graphkeras.Model([a, b], Dot(axes=1, normalize=True)([da(a), db(b)]))
    wa = rng.normal(size=(3, 4)).astype("float32")
    wb = rng.normal(size=(3, 4)).astype("float32")
    model.set_weights([wa, wb])
    lr = 0.1
    model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=lr), loss="mse")
    model.train_on_batch([xa, xb], y)

    def loss(wa_, wb_):
        u, v = _cosine(xa @ wa_, xb @ wb_, 1)
        return np.mean(((u * v).sum(1, keepdims=True) - y) ** 2)

    def numeric_grad(f, w, h=1e-6):
        g = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            e = np.zeros_like(w)
            e[idx] = h
            g[idx] = (f(w + e) - f(w - e)) / (2 * h)
        return g

    wa64, wb64 = wa.astype("float64"), wb.astype("float64")
    ga = numeric_grad(lambda w: loss(w, wb64), wa64)
    gb = numeric_grad(lambda w: loss(wa64, w), wb64)
    np.testing.assert_allclose(da.get_weights()[0], wa64 - lr * ga, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(db.get_weights()[0], wb64 - lr * gb, rtol=1e-4, atol=1e-6)
