"""``graphkeras.ops``: eager results against NumPy, operators on IR values, and custom layers.

Eager calls must give NumPy's values (comparisons as 0/1 in the float dtype).
Inside a layer the same functions and Python operators emit ops: small models
whose custom layer uses them are compiled, fitted for one epoch, and their
``predict`` compared with a NumPy forward pass over the fitted weights.
"""

import numpy as np
import pytest
from scipy.special import erf

import graphkeras
from compiler import interpreter
from compiler.errors import UnsupportedOpError
from compiler.ir import Graph, Value
from graphkeras import ops
from graphkeras.layers import Dense, Input, Layer
from graphkeras.ops.dispatch import apply

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def _hard_sigmoid(x):
    return np.clip(x / 6 + 0.5, 0, 1)


def _normalize(x, axis=-1, order=2, eps=1e-7):
    norm = np.sum(np.abs(x) ** order, axis=axis, keepdims=True) ** (1 / order)
    return x / np.maximum(norm, eps)


def _in_top_k(targets, predictions, k):
    picked = predictions[np.arange(len(targets)), targets]
    return np.sum(predictions > picked[:, None], axis=1) < k


# -- eager -------------------------------------------------------------------------------

X = np.random.default_rng(0).normal(size=(3, 4, 5)) * 2
Y = np.random.default_rng(1).normal(size=(3, 4, 5))
M = np.random.default_rng(2).normal(size=(4, 6))

UNARY = {
    "erf": erf, "sign": np.sign, "cos": np.cos, "sin": np.sin, "expm1": np.expm1,
    "floor": np.floor, "reciprocal": np.reciprocal, "selu":
    lambda x: np.where(x >= 0, SELU_S * x, SELU_S * SELU_A * np.expm1(x)),
    "silu": lambda x: x * _sigmoid(x), "swish": lambda x: x * _sigmoid(x),
    "hard_sigmoid": _hard_sigmoid, "hard_silu": lambda x: x * _hard_sigmoid(x),
    "softsign": lambda x: x / (1 + np.abs(x)), "relu6": lambda x: np.clip(x, 0, 6),
    "log_sigmoid": lambda x: -np.logaddexp(0, -x), "leaky_relu": lambda x: np.where(x > 0, x,
                                                                                    0.2 * x),
    "elu": lambda x: np.where(x >= 0, x, np.expm1(x)), "gelu": _gelu_tanh,
    "zeros_like": np.zeros_like, "ones_like": np.ones_like, "logical_not": np.logical_not,
}
BINARY = {
    "greater_equal": np.greater_equal, "less_equal": np.less_equal,
    "not_equal": np.not_equal, "logical_and": np.logical_and, "logical_or": np.logical_or,
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(UNARY))
def test_eager_unary_matches_numpy(name, dtype):
    x = X.astype(dtype)
    got = getattr(ops, name)(x)
    assert got.dtype == np.dtype(dtype) and got.shape == x.shape
    tol = 2e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, UNARY[name](x.astype(np.float64)), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", list(BINARY))
def test_eager_comparisons_give_numpy_truth_as_floats(name):
    a, b = np.round(X), np.round(Y)
    got = getattr(ops, name)(a, b)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, BINARY[name](a, b))


@pytest.mark.parametrize("call, want", [
    (lambda: ops.transpose(X), X.T),
    (lambda: ops.transpose(X, (1, 0, 2)), X.transpose(1, 0, 2)),
    (lambda: ops.transpose(X, [0, -1, 1]), X.transpose(0, 2, 1)),
    (lambda: ops.concatenate([X, Y]), np.concatenate([X, Y])),
    (lambda: ops.concatenate([X, Y[:, :2]], axis=1), np.concatenate([X, Y[:, :2]], 1)),
    (lambda: ops.stack([X, Y]), np.stack([X, Y])),
    (lambda: ops.stack([X, Y], axis=-1), np.stack([X, Y], axis=-1)),
    (lambda: ops.where(X > 0, X, 0.5), np.where(X > 0, X, 0.5)),
    (lambda: ops.where(X > 0, X[0], Y), np.where(X > 0, X[0], Y)),
    (lambda: ops.leaky_relu(X, negative_slope=0.1), np.where(X > 0, X, 0.1 * X)),
    (lambda: ops.elu(X, alpha=0.5), np.where(X >= 0, X, 0.5 * np.expm1(X))),
    (lambda: ops.gelu(X, approximate=False), 0.5 * X * (1 + erf(X / np.sqrt(2)))),
    (lambda: ops.min(X, axis=1), X.min(axis=1)),
    (lambda: ops.min(X), X.min()),
    (lambda: ops.var(X, axis=-1), X.var(axis=-1)),
    (lambda: ops.std(X, axis=(1, 2), keepdims=True), X.std(axis=(1, 2), keepdims=True)),
    (lambda: ops.argmin(X, axis=1), X.argmin(axis=1)),
    (lambda: ops.normalize(X), _normalize(X)),
    (lambda: ops.normalize(X, axis=1, order=1), _normalize(X, axis=1, order=1)),
    (lambda: ops.normalize(np.zeros((2, 3))), np.zeros((2, 3))),
    (lambda: ops.broadcast_to(X[:, :1], (3, 4, 5)), np.broadcast_to(X[:, :1], (3, 4, 5))),
    (lambda: ops.pad(X, [(0, 0), (1, 2), (0, 1)]), np.pad(X, [(0, 0), (1, 2), (0, 1)])),
    (lambda: ops.matmul(X, Y.transpose(0, 2, 1)), X @ Y.transpose(0, 2, 1)),
    (lambda: ops.dot(X[0], M.T[:5]), X[0] @ M.T[:5]),
    (lambda: ops.cast(X, "float32"), X.astype("float32")),
    (lambda: ops.cast(X, "int32"), X.astype("int32")),
    (lambda: ops.zeros_like(X, dtype="float32"), np.zeros_like(X, dtype="float32")),
    (lambda: ops.in_top_k(np.array([0, 1, 2, 3]), M, 2), _in_top_k(np.array([0, 1, 2, 3]),
                                                                   M, 2)),
])
def test_eager_array_ops_match_numpy(call, want):
    got = call()
    assert got.shape == np.shape(want)
    if np.asarray(want).dtype.kind == "f":
        assert got.dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_in_top_k_counts_ties_as_in():
    preds = np.array([[0.5, 0.5, 0.1], [0.1, 0.5, 0.5]])
    np.testing.assert_array_equal(ops.in_top_k(np.array([1, 1]), preds, 1), [1, 1])


def test_where_needs_both_branches():
    with pytest.raises(NotImplementedError, match="pass both"):
        ops.where(X > 0)


# -- operators and indexing on IR values ------------------------------------------------------

def _traced(fn, *shapes):
    """``fn`` applied to fresh batched inputs of ``shapes``, and the interpreter's result."""
    g = Graph("operators")
    xs = [g.add("input", [], {"kind": "x", "index": i, "shape": (None,) + s,
                              "dtype": "float64", "key": f"x:{i}"}) for i, s in enumerate(shapes)]
    out = fn(*xs)
    g.outputs["out"] = out.name
    data = [np.random.default_rng(i).normal(size=(3,) + s) for i, s in enumerate(shapes)]
    result, _ = interpreter.run(g, {("x", i): d for i, d in enumerate(data)}, {})
    return result["out"], data, g


W = np.random.default_rng(5).normal(size=(4, 3))


@pytest.mark.parametrize("fn", [
    lambda x: x * 2.0 + 1,
    lambda x: 1 - x / 4,
    lambda x: 2.0 / (x * x + 1.0),
    lambda x: -x + x ** 2 - x ** 3,
    lambda x: 2 ** x,
    lambda x: x @ W,
    lambda x: np.float64(3.0) * x,                           # NumPy scalar on the left
    lambda x: np.ones(4) * x - np.full(4, 2.0),              # NumPy array on the left
    lambda x: (x > 0) * x + (x <= 0) * (x >= -0.5) * 0.1,
    lambda x: (x < 0.2) + 0.0,
    lambda x: x[:, 0],
    lambda x: x[:, 1:3],
    lambda x: x[:, -1:],
    lambda x: x[..., 2],
    lambda x: x[:, None, 1:],
    lambda x: x[:],
    lambda x: x[:, 3:1],
])
def test_operators_and_indexing_emit_ops(fn):
    got, (x,), _ = _traced(fn, (4,))
    with np.errstate(all="ignore"):
        want = fn(x)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_indexing_a_3d_value():
    got, (x,), _ = _traced(lambda v: v[:, 1, 2:] + v[:, :, 0][:, 2:3], (3, 4))
    np.testing.assert_allclose(got, x[:, 1, 2:] + x[:, :, 0][:, 2:3])


@pytest.mark.parametrize("key, error, match", [
    (0, NotImplementedError, "batch axis"),
    ((slice(1, None), 0), NotImplementedError, "batch axis"),
    ((slice(None), slice(None, None, 2)), NotImplementedError, "step"),
    ((slice(None), [0, 1]), NotImplementedError, "basic indexing"),
    ((slice(None), 7), IndexError, "out of bounds"),
    ((slice(None), 0, 0), IndexError, "too many"),
    ((Ellipsis, 0, Ellipsis), IndexError, "single ellipsis"),
])
def test_unsupported_indexing_is_a_clear_error(key, error, match):
    with pytest.raises(error, match=match):
        _traced(lambda v: v[key], (4,))


def test_numpy_functions_on_values_say_to_use_graphkeras_ops():
    _, _, g = _traced(lambda v: v, (4,))
    v = g.value(g.sources("input")[0])
    with pytest.raises(TypeError, match="graphkeras.ops"):
        np.asarray(v)
    with pytest.raises(TypeError, match="graphkeras.ops"):
        np.exp(v)
    with pytest.raises(TypeError, match="ops.where"):
        bool(v > 0)
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(v)
    assert {v: 1}[v] == 1 and v == v


def test_operators_need_a_front_end(monkeypatch):
    _, _, g = _traced(lambda v: v, (4,))
    monkeypatch.setattr(Value, "operators", None)
    with pytest.raises(TypeError, match="needs a front end"):
        g.value(g.sources("input")[0]) + 1


class _CastsWeight(Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(3,), initializer="ones", name="w")

    def call(self, x):
        return x * ops.cast(self.w, "float32")


def test_cast_of_a_weight_inside_a_model_stays_the_weight():
    inp = Input(shape=(3,))
    layer = _CastsWeight()
    model = graphkeras.Model(inp, layer(inp))
    layer.set_weights([np.array([1.0, 2.0, 3.0])])
    np.testing.assert_allclose(model.predict(np.ones((2, 3), "float32"), verbose=0),
                               [[1, 2, 3]] * 2)


def test_cast_inside_a_model_keeps_the_dtype_only():
    def fn(v):
        assert ops.cast(v, "float64") is v
        return ops.cast(v, "float32")
    with pytest.raises(UnsupportedOpError, match="one float dtype"):
        _traced(fn, (4,))


# -- custom layers in compiled models -----------------------------------------------------------

class Activations(Layer):
    """Every new elementwise op and operator, on ``x * w + b``."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", name="w")
        self.b = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", name="b")

    def call(self, x):
        z = x * self.w + self.b
        parts = [ops.gelu(z), ops.gelu(z, approximate=False), ops.silu(z), ops.selu(z),
                 ops.elu(z, 0.5), ops.leaky_relu(z), ops.relu6(z * 3.0), ops.hard_sigmoid(z),
                 ops.softsign(z), ops.log_sigmoid(z), ops.erf(z), ops.cos(z) + ops.sin(z),
                 ops.expm1(-ops.abs(z)), ops.reciprocal(z ** 2 + 2.0),
                 ops.where(z > 0.1, z, -z / 2), ops.sign(z) * ops.floor(z), ops.hard_silu(z),
                 ops.logical_or(z > 1, z < -1) * z]
        return ops.concatenate(parts, axis=-1)


def _activations_np(x, w, b):
    z = x * w + b
    parts = [_gelu_tanh(z), 0.5 * z * (1 + erf(z / np.sqrt(2))), z * _sigmoid(z),
             UNARY["selu"](z), np.where(z >= 0, z, 0.5 * np.expm1(z)),
             np.where(z > 0, z, 0.2 * z), np.clip(3 * z, 0, 6), _hard_sigmoid(z),
             z / (1 + np.abs(z)), -np.logaddexp(0, -z), erf(z), np.cos(z) + np.sin(z),
             np.expm1(-np.abs(z)), 1 / (z ** 2 + 2), np.where(z > 0.1, z, -z / 2),
             np.sign(z) * np.floor(z), z * _hard_sigmoid(z), ((z > 1) | (z < -1)) * z]
    return np.concatenate(parts, axis=-1)


class Mixer(Layer):
    """Self-attention over a (B, 3, 4) input, then slicing, stacking, padding, statistics."""

    def build(self, input_shape):
        self.q = self.add_weight(shape=(4, 4), name="q")
        self.k = self.add_weight(shape=(4, 4), name="k")
        self.v = self.add_weight(shape=(4, 4), name="v")
        self.bias = self.add_weight(shape=(1, 4), initializer="random_normal", name="bias")

    def call(self, x):
        q, k, v = x @ self.q, x @ self.k, x @ self.v
        scores = ops.matmul(q, ops.transpose(k, (0, 2, 1))) / 2.0
        y = ops.matmul(ops.softmax(scores, axis=-1), v)
        y = ops.normalize(y, axis=-1) + ops.std(x, axis=1, keepdims=True)
        rows = ops.stack([y[:, 0], y[:, -1]], axis=1)
        padded = ops.pad(y[:, 1:3, :2], [(0, 0), (0, 0), (1, 1)])
        bias = ops.broadcast_to(self.bias, (-1, 2, 4))
        joined = ops.concatenate([rows, padded + bias], axis=1)
        flat = ops.reshape(joined, (-1, 16))
        extra = ops.concatenate([ops.var(x, axis=-1), ops.min(x, axis=-1),
                                 ops.in_top_k(ops.argmax(x[:, 0], axis=-1), x[:, 1], 2)[:, None]
                                 * 0.0], axis=-1)
        return ops.concatenate([flat, extra], axis=-1)


def _mixer_np(x, q, k, v, bias):
    qq, kk, vv = x @ q, x @ k, x @ v
    s = qq @ kk.transpose(0, 2, 1) / 2
    e = np.exp(s - s.max(-1, keepdims=True))
    y = (e / e.sum(-1, keepdims=True)) @ vv
    y = _normalize(y) + x.std(axis=1, keepdims=True)
    rows = np.stack([y[:, 0], y[:, -1]], axis=1)
    padded = np.pad(y[:, 1:3, :2], [(0, 0), (0, 0), (1, 1)])
    joined = np.concatenate([rows, padded + bias], axis=1).reshape(len(x), 16)
    return np.concatenate([joined, x.var(-1), x.min(-1), np.zeros((len(x), 1))], axis=-1)


def _fit_and_compare(layer, x, forward):
    inp = Input(shape=x.shape[1:])
    head = Dense(2)
    model = graphkeras.Model(inp, head(layer(inp)))
    model.compile(optimizer="sgd", loss="mse")
    y = np.random.default_rng(9).normal(size=(len(x), 2)).astype("float32")
    before = [w.copy() for w in layer.get_weights()]
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.allclose(a, b) for a, b in zip(before, layer.get_weights())), \
        "training moved the custom layer's weights"
    kernel, bias = head.get_weights()
    features = forward(x.astype(np.float64), *[w.astype(np.float64)
                                                for w in layer.get_weights()])
    want = features @ kernel + bias
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=2e-4, atol=2e-5)


def test_custom_layer_with_activations_and_operators():
    x = np.random.default_rng(3).normal(size=(40, 5)).astype("float32")
    _fit_and_compare(Activations(), x, _activations_np)


def test_custom_layer_with_array_ops():
    x = np.random.default_rng(4).normal(size=(40, 3, 4)).astype("float32")
    _fit_and_compare(Mixer(), x, _mixer_np)


class _MovesBatch(Layer):
    def call(self, x):
        return ops.transpose(x)


def test_a_layer_moving_the_batch_axis_fails_at_construction():
    inp = Input(shape=(3, 4))
    with pytest.raises(UnsupportedOpError, match="(?s)layer `__moves_batch`.*batch dimension"):
        _MovesBatch()(inp)


# -- seeded randomness ---------------------------------------------------------------------------

class _Noise(Layer):
    """Multiplies by a U[0, 1) draw per element while training (a dropout-like layer)."""

    def call(self, x, training=None):
        if training:
            return x * apply("random_uniform", [x])
        return x


def _trained_weights(seed):
    graphkeras.utils.set_random_seed(seed)
    inp = Input(shape=(4,))
    model = graphkeras.Model(inp, Dense(1)(_Noise()(inp)))
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0)
    return model.get_weights()


def test_set_random_seed_makes_compiled_randomness_reproducible():
    first, again, other = _trained_weights(11), _trained_weights(11), _trained_weights(12)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(first, other))
