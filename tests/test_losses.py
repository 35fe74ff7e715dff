"""Losses: eager values vs NumPy formulas, compiled values vs eager, names and reductions."""

import numpy as np
import pytest

import graphkeras
from graphkeras import losses
from graphkeras.layers import Activation, Input

EPS = 1e-7


def _hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


# float64 NumPy versions of Keras 3's formulas: (y_true, y_pred) -> one value per sample
REFERENCE = {
    "mean_squared_error": lambda t, p: np.mean((t - p) ** 2, -1),
    "mean_absolute_error": lambda t, p: np.mean(np.abs(t - p), -1),
    "mean_absolute_percentage_error":
        lambda t, p: 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), -1),
    "mean_squared_logarithmic_error": lambda t, p: np.mean(
        (np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, -1),
    "huber": lambda t, p: np.mean(np.where(np.abs(p - t) <= 1.0, 0.5 * (p - t) ** 2,
                                           np.abs(p - t) - 0.5), -1),
    "log_cosh": lambda t, p: np.mean(np.log(np.cosh(p - t)), -1),
    "kl_divergence": lambda t, p: np.sum(
        np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS), -1),
    "hinge": lambda t, p: np.mean(np.maximum(1 - _hinge_labels(t) * p, 0), -1),
    "squared_hinge": lambda t, p: np.mean(np.maximum(1 - _hinge_labels(t) * p, 0) ** 2, -1),
    "categorical_hinge": lambda t, p: np.maximum(
        np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0),
    "cosine_similarity": lambda t, p: -np.sum(_unit(t) * _unit(p), -1),
    "binary_crossentropy": lambda t, p: np.mean(
        -(t * np.log(np.clip(p, EPS, 1 - EPS)) + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS))),
        -1),
    "categorical_crossentropy": lambda t, p: -np.sum(
        t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), -1),
}


def _data(name, rng, rows=10, classes=4):
    """Targets and predictions suited to loss ``name`` (float32)."""
    p = rng.uniform(0.05, 0.95, size=(rows, classes))
    if name in ("categorical_crossentropy", "categorical_hinge", "kl_divergence"):
        t = np.eye(classes)[rng.integers(0, classes, rows)]
        if name == "kl_divergence":
            t = 0.8 * t + 0.05
        p = p / p.sum(-1, keepdims=True)
    elif name in ("hinge", "squared_hinge", "binary_crossentropy"):
        t = rng.integers(0, 2, size=(rows, classes)).astype(float)
        p = rng.normal(size=(rows, classes)) if "hinge" in name else p
    elif name in ("huber", "log_cosh", "cosine_similarity", "mean_squared_error",
                  "mean_absolute_error"):
        t, p = rng.normal(size=(rows, classes)), rng.normal(size=(rows, classes)) * 1.5
    else:
        t = rng.uniform(0, 2, size=(rows, classes))
        t[0, 0] = 0.0   # exercises the epsilon of MAPE and MSLE
    return t.astype("float32"), p.astype("float32")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_function_and_class_match_numpy(name, rng):
    t, p = _data(name, rng)
    want = REFERENCE[name](t.astype(np.float64), p.astype(np.float64))
    fn = getattr(losses, name)
    np.testing.assert_allclose(fn(t, p), want, rtol=2e-5, atol=1e-6)
    loss = losses.get(name)
    np.testing.assert_allclose(loss(t, p), want.mean(), rtol=2e-5, atol=1e-6)


def test_sparse_categorical_crossentropy_matches_numpy(rng):
    p = rng.uniform(0.05, 1, size=(8, 5)).astype("float32")
    labels = rng.integers(0, 5, 8)
    want = -np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))[np.arange(8), labels]
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, p), want,
                               rtol=1e-5)
    np.testing.assert_allclose(losses.SparseCategoricalCrossentropy()(labels[:, None], p),
                               want.mean(), rtol=1e-5)


def _compiled(loss, y_true, y_pred, batch_size=4, activation="linear"):
    """The loss as ``evaluate`` computes it: a model whose output is its input."""
    model = graphkeras.Sequential([Input(shape=y_pred.shape[1:]), Activation(activation)])
    model.compile(optimizer="sgd", loss=loss)
    return model.evaluate(y_pred, y_true, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_compiled_loss_matches_eager(name, rng):
    t, p = _data(name, rng, rows=12)
    eager = losses.get(name)(t, p)
    # three batches of 4: the batch-size-weighted mean is the mean over all samples
    np.testing.assert_allclose(_compiled(name, t, p), eager, rtol=2e-5, atol=1e-6)


def test_compiled_sparse_loss_and_options_match_eager(rng):
    p = rng.uniform(0.05, 1, size=(8, 5)).astype("float32")
    p /= p.sum(-1, keepdims=True)
    labels = rng.integers(0, 5, (8, 1)).astype("float32")
    scce = losses.SparseCategoricalCrossentropy()
    np.testing.assert_allclose(_compiled(scce, labels, p), scce(labels, p), rtol=2e-5)
    huber = losses.Huber(delta=0.3)
    t, q = rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 3)).astype("float32")
    np.testing.assert_allclose(_compiled(huber, t, q), huber(t, q), rtol=2e-5)
    cos = losses.CosineSimilarity(axis=-1)
    np.testing.assert_allclose(_compiled(cos, t, q), cos(t, q), rtol=2e-5)


def test_hinge_converts_binary_labels_only_when_all_are_binary():
    p = np.array([[0.3, -0.8], [1.5, 0.2]], dtype="float32")
    binary = np.array([[0.0, 1.0], [1.0, 0.0]], dtype="float32")
    np.testing.assert_allclose(losses.hinge(binary, p),
                               np.mean(np.maximum(1 - (2 * binary - 1) * p, 0), -1), rtol=1e-6)
    mixed = np.array([[0.0, 1.0], [-1.0, 1.0]], dtype="float32")
    np.testing.assert_allclose(losses.hinge(mixed, p),
                               np.mean(np.maximum(1 - mixed * p, 0), -1), rtol=1e-6)


# -- names and aliases ------------------------------------------------------------------------

@pytest.mark.parametrize("alias,cls", [
    ("mse", losses.MeanSquaredError), ("MSE", losses.MeanSquaredError),
    ("mae", losses.MeanAbsoluteError), ("MAE", losses.MeanAbsoluteError),
    ("mape", losses.MeanAbsolutePercentageError), ("MAPE", losses.MeanAbsolutePercentageError),
    ("msle", losses.MeanSquaredLogarithmicError), ("MSLE", losses.MeanSquaredLogarithmicError),
    ("kld", losses.KLDivergence), ("KLD", losses.KLDivergence),
    ("bce", losses.BinaryCrossentropy), ("logcosh", losses.LogCosh),
    ("huber", losses.Huber), ("Huber", losses.Huber), ("log_cosh", losses.LogCosh),
    ("poisson", losses.Poisson), ("hinge", losses.Hinge), ("squared_hinge", losses.SquaredHinge),
    ("categorical_hinge", losses.CategoricalHinge),
    ("cosine_similarity", losses.CosineSimilarity), ("CosineSimilarity", losses.CosineSimilarity),
])
def test_get_by_name_and_alias(alias, cls):
    assert type(losses.get(alias)) is cls


def test_get_by_class_instance_function_and_config():
    assert type(losses.get(losses.Huber)) is losses.Huber
    huber = losses.Huber(delta=2.0)
    assert losses.get(huber) is huber
    assert type(losses.get(losses.kl_divergence)) is losses.KLDivergence

    def custom(y_true, y_pred):
        return graphkeras.ops.mean(graphkeras.ops.abs(graphkeras.ops.subtract(y_true, y_pred)),
                                   axis=-1)
    wrapped = losses.get(custom)
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "custom"
    copy = losses.get(losses.serialize(huber))
    assert type(copy) is losses.Huber and copy.get_config() == huber.get_config()
    assert losses.Huber().name == "huber_loss"
    assert losses.LogCosh().name == "log_cosh"
    with pytest.raises(ValueError, match="Could not interpret"):
        losses.get("mean_squared_errror")


# -- reductions -------------------------------------------------------------------------------

def test_sample_weight_divides_by_the_number_of_values(rng):
    t = rng.normal(size=(6, 3)).astype("float32")
    p = rng.normal(size=(6, 3)).astype("float32")
    w = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0], dtype="float32")
    per = np.mean((t - p) ** 2, -1)
    mse = losses.MeanSquaredError()
    assert mse(t, p, sample_weight=w) == pytest.approx(np.sum(per * w) / 6, rel=1e-5)
    assert losses.MeanSquaredError(reduction="sum")(t, p, sample_weight=w) == pytest.approx(
        np.sum(per * w), rel=1e-5)
    assert losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        t, p, sample_weight=w) == pytest.approx(np.sum(per * w) / w.sum(), rel=1e-5)
    np.testing.assert_allclose(losses.MeanSquaredError(reduction=None)(t, p, sample_weight=w),
                               per * w, rtol=1e-5)
    np.testing.assert_allclose(losses.MeanSquaredError(reduction="none")(t, p), per, rtol=1e-5)
    # (N, 1) weights are squeezed to (N,)
    assert mse(t, p, sample_weight=w[:, None]) == pytest.approx(np.sum(per * w) / 6, rel=1e-5)
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


def test_sample_weight_in_evaluate_matches_eager(rng):
    t = rng.normal(size=(8, 3)).astype("float32")
    p = rng.normal(size=(8, 3)).astype("float32")
    w = rng.uniform(0, 2, 8).astype("float32")
    model = graphkeras.Sequential([Input(shape=(3,)), Activation("linear")])
    model.compile(optimizer="sgd", loss="mae")
    got = model.evaluate(p, t, sample_weight=w, batch_size=8, verbose=0)
    assert got == pytest.approx(float(losses.MeanAbsoluteError()(t, p, sample_weight=w)),
                                rel=1e-5)


def test_sum_reduction_compiles_and_other_reductions_are_refused(rng):
    t = rng.normal(size=(8, 3)).astype("float32")
    p = rng.normal(size=(8, 3)).astype("float32")
    total = losses.MeanSquaredError(reduction="sum")
    # one batch: evaluate reports that batch's summed loss
    assert _compiled(total, t, p, batch_size=8) == pytest.approx(float(total(t, p)), rel=1e-5)
    with pytest.raises(NotImplementedError, match="reduction"):
        _compiled(losses.MeanSquaredError(reduction="none"), t, p)


def test_custom_loss_subclass_compiles(rng):
    class Quartic(losses.Loss):
        def call(self, y_true, y_pred):
            d = graphkeras.ops.subtract(y_pred, y_true)
            return graphkeras.ops.mean(graphkeras.ops.square(graphkeras.ops.square(d)), axis=-1)

    t = rng.normal(size=(8, 2)).astype("float32")
    p = rng.normal(size=(8, 2)).astype("float32")
    loss = Quartic()
    assert loss.name == "quartic"
    assert loss(t, p) == pytest.approx(np.mean((p - t) ** 4), rel=1e-5)
    assert _compiled(loss, t, p) == pytest.approx(float(loss(t, p)), rel=1e-5)
