"""Metrics: compiled accumulation over batches, the eager stateful API, and class_weight.

Compiled metrics are checked through ``evaluate`` with several batches (the last
one partial) against NumPy over the whole data, which is what Keras reports: a
mean over samples, or a ratio of confusion counts summed over all batches.
"""

import numpy as np
import pytest

import graphkeras
from graphkeras import metrics
from graphkeras.layers import Activation, Dense, Input
from graphkeras.optimizers import SGD

EPS = 1e-7


def _evaluate(metric_list, y_true, y_pred, batch_size=7, activation="linear"):
    """``evaluate``'s logs for a model whose output is its input (``y_pred``)."""
    model = graphkeras.Sequential([Input(shape=y_pred.shape[1:]), Activation(activation)])
    loss = "sparse_categorical_crossentropy" if y_true.shape[-1] != y_pred.shape[-1] \
        else "mse"
    model.compile(optimizer="sgd", loss=loss, metrics=metric_list)
    return model.evaluate(y_pred, y_true, batch_size=batch_size, verbose=0, return_dict=True)


def _binary_data(rng, rows=23):
    p = rng.uniform(size=(rows, 1)).astype("float32")
    t = (rng.uniform(size=(rows, 1)) < 0.4 + 0.4 * p).astype("float32")
    return t, p


def _counts(t, p, thresholds):
    """Float64 confusion counts per threshold, with ``p > threshold`` as positive."""
    t, p = t.reshape(-1, 1).astype(bool), p.reshape(-1, 1).astype(np.float64)
    pos = p > np.asarray(thresholds)[None, :]
    return {"tp": np.sum(t & pos, 0), "fp": np.sum(~t & pos, 0),
            "tn": np.sum(~t & ~pos, 0), "fn": np.sum(t & ~pos, 0)}


def _auc_thresholds(num=200):
    return [-EPS] + [(i + 1) / (num - 1) for i in range(num - 2)] + [1 + EPS]


def _safe_div(a, b):
    return np.where(b != 0, a / np.where(b != 0, b, 1), 0.0)


def _roc_auc(t, p, num=200):
    c = _counts(t, p, _auc_thresholds(num))
    tpr = _safe_div(c["tp"], c["tp"] + c["fn"])
    fpr = _safe_div(c["fp"], c["fp"] + c["tn"])
    return np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)


def _pr_auc(t, p, num=200):
    c = _counts(t, p, _auc_thresholds(num))
    tp, fp, fn = (c[k].astype(np.float64) for k in ("tp", "fp", "fn"))
    pp = tp + fp
    dtp, dp = tp[:-1] - tp[1:], pp[:-1] - pp[1:]
    slope = _safe_div(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * pp[1:]
    ratio = np.where((pp[:-1] > 0) & (pp[1:] > 0), _safe_div(pp[:-1], pp[1:]), 1.0)
    return np.sum(_safe_div(slope * (dtp + intercept * np.log(ratio)), tp[1:] + fn[1:]))


# -- compiled metrics over several batches vs NumPy over all the data --------------------------

def test_binary_metrics_compiled(rng):
    t, p = _binary_data(rng)
    logs = _evaluate(["accuracy", "binary_accuracy", metrics.Precision(), metrics.Recall(),
                      metrics.AUC(),
                      metrics.AUC(curve="PR", name="pr_auc"),
                      metrics.Precision(thresholds=[0.2, 0.5, 0.8], name="precisions"),
                      metrics.TruePositives(), metrics.FalseNegatives(thresholds=0.3)], t, p)
    c = _counts(t, p, [0.5])
    assert logs["accuracy"] == pytest.approx(np.mean((p > 0.5) == t))
    assert logs["binary_accuracy"] == pytest.approx(np.mean((p > 0.5) == t))
    assert logs["precision"] == pytest.approx(c["tp"][0] / (c["tp"][0] + c["fp"][0]))
    assert logs["recall"] == pytest.approx(c["tp"][0] / (c["tp"][0] + c["fn"][0]))
    assert logs["auc"] == pytest.approx(_roc_auc(t, p), rel=1e-5)
    assert logs["pr_auc"] == pytest.approx(_pr_auc(t, p), rel=1e-5)
    many = _counts(t, p, [0.2, 0.5, 0.8])
    np.testing.assert_allclose(logs["precisions"], many["tp"] / (many["tp"] + many["fp"]),
                               rtol=1e-6)
    assert logs["true_positives"] == c["tp"][0]
    assert logs["false_negatives"] == _counts(t, p, [0.3])["fn"][0]


def test_threshold_argument_of_binary_accuracy(rng):
    t, p = _binary_data(rng)
    logs = _evaluate([metrics.BinaryAccuracy(threshold=0.3)], t, p)
    assert logs["binary_accuracy"] == pytest.approx(np.mean((p > 0.3) == t))


def test_categorical_metrics_compiled(rng):
    logits = rng.normal(size=(23, 6)).astype("float32")
    prob = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = rng.integers(0, 6, 23)
    onehot = np.eye(6, dtype="float32")[labels]
    top = np.argsort(-prob, axis=-1)
    logs = _evaluate(["accuracy", "categorical_accuracy", "top_k_categorical_accuracy",
                      metrics.TopKCategoricalAccuracy(k=2, name="top2"),
                      metrics.Precision(top_k=2, name="precision_at_2"),
                      metrics.Recall(class_id=3, name="recall_3"),
                      "categorical_crossentropy", "kl_divergence", "mse"],
                     onehot, prob)
    assert logs["accuracy"] == pytest.approx(np.mean(top[:, 0] == labels))
    assert logs["categorical_accuracy"] == pytest.approx(np.mean(top[:, 0] == labels))
    in_top5 = [labels[i] in top[i, :5] for i in range(23)]
    assert logs["top_k_categorical_accuracy"] == pytest.approx(np.mean(in_top5))
    assert logs["top2"] == pytest.approx(np.mean([labels[i] in top[i, :2] for i in range(23)]))
    # the two highest predictions of each row are the positives: tp + fp = 2 per row
    hits = sum(labels[i] in top[i, :2] for i in range(23))
    assert logs["precision_at_2"] == pytest.approx(hits / (2 * 23))
    c = _counts(onehot[:, 3:4], prob[:, 3:4], [0.5])
    assert logs["recall_3"] == pytest.approx(_safe_div(c["tp"], c["tp"] + c["fn"])[0])
    p64 = prob.astype(np.float64)
    cce = -np.sum(onehot * np.log(np.clip(p64 / p64.sum(-1, keepdims=True), EPS, 1 - EPS)), -1)
    assert logs["categorical_crossentropy"] == pytest.approx(cce.mean(), rel=1e-5)
    kl = np.sum(np.clip(onehot, EPS, 1) * np.log(np.clip(onehot, EPS, 1) / np.clip(p64, EPS, 1)),
                -1)
    assert logs["kl_divergence"] == pytest.approx(kl.mean(), rel=1e-5)
    assert logs["mse"] == pytest.approx(np.mean((onehot - p64) ** 2), rel=1e-5)


def test_sparse_metrics_compiled(rng):
    prob = rng.uniform(size=(23, 5)).astype("float32")
    labels = rng.integers(0, 5, (23, 1)).astype("float32")
    top = np.argsort(-prob, axis=-1)
    logs = _evaluate(["accuracy", "sparse_categorical_accuracy",
                      metrics.SparseTopKCategoricalAccuracy(k=3)], labels, prob)
    want = np.mean(top[:, 0] == labels[:, 0])
    assert logs["accuracy"] == pytest.approx(want)
    assert logs["sparse_categorical_accuracy"] == pytest.approx(want)
    assert logs["sparse_top_k_categorical_accuracy"] == pytest.approx(
        np.mean([labels[i, 0] in top[i, :3] for i in range(23)]))


def test_top_k_counts_ties_in():
    # the label's prediction equals the 2nd largest: in the top 2
    pred = np.array([[0.1, 0.5, 0.5, 0.9]], dtype="float32")
    assert metrics.sparse_top_k_categorical_accuracy(np.array([1.0]), pred, k=2)[0] == 1
    assert metrics.sparse_top_k_categorical_accuracy(np.array([0.0]), pred, k=2)[0] == 0


REGRESSION = {
    "mse": lambda t, p: np.mean((t - p) ** 2),
    "mae": lambda t, p: np.mean(np.abs(t - p)),
    "mape": lambda t, p: 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS)),
    "msle": lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1)
                                  - np.log(np.maximum(t, EPS) + 1)) ** 2),
    "log_cosh": lambda t, p: np.mean(np.log(np.cosh(p - t))),
    "huber": lambda t, p: np.mean(np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2,
                                           np.abs(p - t) - 0.5)),
    "cosine_similarity": lambda t, p: np.mean(np.sum(
        t / np.linalg.norm(t, axis=-1, keepdims=True)
        * p / np.linalg.norm(p, axis=-1, keepdims=True), -1)),
    "poisson": lambda t, p: np.mean(p - t * np.log(p + EPS)),
}


def test_regression_metrics_compiled(rng):
    t = rng.uniform(0.1, 2, size=(23, 3)).astype("float32")
    p = rng.uniform(0.1, 2, size=(23, 3)).astype("float32")
    names = sorted(REGRESSION) + ["root_mean_squared_error", "MAE"]
    logs = _evaluate(names, t, p)
    t64, p64 = t.astype(np.float64), p.astype(np.float64)
    for name, ref in REGRESSION.items():
        assert logs[name] == pytest.approx(ref(t64, p64), rel=1e-5), name
    assert logs["root_mean_squared_error"] == pytest.approx(
        np.sqrt(REGRESSION["mse"](t64, p64)), rel=1e-5)
    assert logs["MAE"] == pytest.approx(REGRESSION["mae"](t64, p64), rel=1e-5)


def test_metric_names_follow_keras(rng):
    t, p = _binary_data(rng, rows=8)

    def my_metric(y_true, y_pred):
        return graphkeras.ops.mean(graphkeras.ops.abs(graphkeras.ops.subtract(y_true, y_pred)),
                                   axis=-1)
    logs = _evaluate(["acc", "Accuracy", "mse", "MSE", my_metric,
                      metrics.MeanAbsoluteError(name="abs_err"), metrics.AUC], t, p)
    assert {"acc", "Accuracy", "mse", "MSE", "my_metric", "abs_err", "auc", "loss"} == set(logs)
    assert logs["my_metric"] == pytest.approx(np.mean(np.abs(t - p)), rel=1e-6)


def test_metrics_reset_every_epoch_in_fit(rng):
    t, p = _binary_data(rng, rows=20)
    model = graphkeras.Sequential([Input(shape=(1,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy",
                  metrics=[metrics.AUC(), metrics.Precision(), "accuracy"])
    history = model.fit(p, t, batch_size=6, epochs=3, shuffle=True, verbose=0)
    pred = model.predict(p, verbose=0)
    c = _counts(t, pred, [0.5])
    for epoch in range(3):   # the model does not change (learning rate 0)
        assert history.history["auc"][epoch] == pytest.approx(_roc_auc(t, pred), rel=1e-5)
        assert history.history["precision"][epoch] == pytest.approx(
            _safe_div(c["tp"], c["tp"] + c["fp"])[0])
        assert history.history["accuracy"][epoch] == pytest.approx(np.mean((pred > 0.5) == t))


# -- hand-computed values, the eager stateful API ----------------------------------------------

def test_precision_recall_by_hand():
    y_true, y_pred = [0, 1, 1, 1], [1, 0, 1, 1]
    precision, recall = metrics.Precision(), metrics.Recall()
    precision.update_state(y_true, y_pred)
    recall.update_state(y_true, y_pred)
    assert precision.result() == pytest.approx(2 / 3)    # tp = 2, fp = 1
    assert recall.result() == pytest.approx(2 / 3)       # tp = 2, fn = 1
    precision.update_state([1, 1], [0.4, 0.6])          # tp += 1
    assert precision.result() == pytest.approx(3 / 4)
    precision.reset_state()
    precision.update_state(y_true, y_pred, sample_weight=[0, 0, 1, 0])
    assert precision.result() == 1.0
    top2 = metrics.Precision(top_k=2)
    top2.update_state([0, 0, 1, 1], [1, 1, 1, 1])        # ties: the first two are the top 2
    assert top2.result() == 0.0
    several = metrics.Recall(thresholds=[0.0, 0.5, 0.95])
    several.update_state([1, 1, 0, 1], [0.3, 0.7, 0.9, 1.0])
    np.testing.assert_allclose(several.result(), [1.0, 2 / 3, 1 / 3], rtol=1e-6)
    assert metrics.Recall().result() == 0.0


def test_auc_by_hand():
    # thresholds (-eps, 0.5, 1 + eps): tp = [2, 1, 0], fp = [2, 0, 0], tn = [0, 2, 2],
    # fn = [0, 1, 2]; tpr = [1, 0.5, 0], fpr = [1, 0, 0]
    y_true, y_pred = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]
    roc = metrics.AUC(num_thresholds=3)
    roc.update_state(y_true, y_pred)
    assert roc.result() == pytest.approx((1 - 0) * (1 + 0.5) / 2 + (0 - 0) * 0.25)
    roc.reset_state()
    roc.update_state(y_true, y_pred, sample_weight=[1, 0, 0, 1])
    assert roc.result() == pytest.approx(1.0)
    # PR interpolation: P = tp + fp = [4, 1, 0]; interval 0: slope 1/3, intercept 2/3,
    # area (1/3)(1 + (2/3) log 4) / 2; interval 1: slope 1, area 1 / 2
    pr = metrics.AUC(num_thresholds=3, curve="PR")
    pr.update_state(y_true, y_pred)
    assert pr.result() == pytest.approx((1 + 2 / 3 * np.log(4)) / 6 + 0.5, rel=1e-6)
    # Riemann sums of the ROC curve: heights min/max of each interval
    minoring = metrics.AUC(num_thresholds=3, summation_method="minoring")
    minoring.update_state(y_true, y_pred)
    assert minoring.result() == pytest.approx(0.5)
    majoring = metrics.AUC(num_thresholds=3, summation_method="majoring")
    majoring.update_state(y_true, y_pred)
    assert majoring.result() == pytest.approx(1.0)
    logits = metrics.AUC(num_thresholds=3, from_logits=True)
    logits.update_state(y_true, np.log(np.array([1e-3, 0.5, 0.3, 0.9]) /
                                       (1 - np.array([1e-3, 0.5, 0.3, 0.9]))))
    assert logits.result() == pytest.approx(0.75, rel=1e-6)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="ROCK")
    with pytest.raises(NotImplementedError, match="multi_label"):
        metrics.AUC(multi_label=True)


def test_eager_api_of_means():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert m.result() == 4.0
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert m.result() == pytest.approx(20 / 6)
    m.reset_state()
    assert m.result() == 0.0
    s = metrics.Sum()
    s.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert s.result() == 4.0
    acc = metrics.SparseCategoricalAccuracy()
    acc.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3])
    assert acc.result() == pytest.approx(0.3)
    mae = metrics.MeanAbsoluteError()
    assert mae([[0, 1], [0, 0]], [[1, 1], [0, 0]]) == pytest.approx(0.25)
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
    assert rmse.result() == pytest.approx(np.sqrt(0.5))
    cos = metrics.CosineSimilarity(axis=1)
    cos.update_state([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]])
    assert cos.result() == pytest.approx(0.5, rel=1e-6)


def test_directions_and_resolution():
    assert metrics.direction_of("accuracy") == "up"
    assert metrics.direction_of("ACC") == "up"
    for name in ("auc", "precision", "recall", "top_k_categorical_accuracy",
                 "cosine_similarity"):
        assert metrics.direction_of(name) == "up", name
    for name in ("mse", "mae", "mape", "msle", "huber", "kld", "logcosh",
                 "binary_crossentropy", "root_mean_squared_error"):
        assert metrics.direction_of(name) == "down", name
    assert metrics.direction_of(metrics.AUC()) == "up"
    assert metrics.direction_of(lambda y_true, y_pred: y_pred) is None
    assert type(metrics.resolve("accuracy", (None, 1), (None, 1))) is metrics.BinaryAccuracy
    assert type(metrics.resolve("acc", (None,), (None, 4))) is metrics.SparseCategoricalAccuracy
    assert type(metrics.resolve("acc", (None, 4), (None, 4))) is metrics.CategoricalAccuracy
    assert type(metrics.get("mse")) is metrics.MeanSquaredError
    assert metrics.get("binary_accuracy").name == "binary_accuracy"
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.resolve("accuracyy", (None, 1), (None, 1))


def test_model_reports_metric_directions():
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae", metrics.AUC(name="area")])
    directions = model.compiled_metric_directions()
    assert directions["mae"] == "down" and directions["area"] == "up"


# -- class_weight ------------------------------------------------------------------------------

def _logistic_step(w, x, t, sample_weight, lr):
    """One SGD step of a logistic regression with weighted BCE, in float64."""
    k, b = w
    z = x @ k + b
    p = 1 / (1 + np.exp(-z))
    d = sample_weight[:, None] * (p - t) / len(x)
    return [k - lr * x.T @ d, b - lr * d.sum(0)]


@pytest.mark.parametrize("one_hot", [False, True])
def test_class_weight_weights_the_loss_by_label(one_hot, rng):
    x = rng.normal(size=(12, 3)).astype("float32")
    labels = rng.integers(0, 2, 12)
    class_weight = {0: 0.25, 1: 3.0}
    if one_hot:
        model = graphkeras.Sequential([Input(shape=(3,)), Dense(2, activation="softmax")])
        model.compile(optimizer=SGD(0.5), loss="categorical_crossentropy")
        y = np.eye(2, dtype="float32")[labels]
        w = [a.astype(np.float64) for a in model.get_weights()]
        k, b = w
        z = x @ k + b
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        sw = np.array([class_weight[c] for c in labels])
        d = sw[:, None] * (p - y) / len(x)
        expected = [k - 0.5 * x.T @ d, b - 0.5 * d.sum(0)]
    else:
        model = graphkeras.Sequential([Input(shape=(3,)), Dense(1, activation="sigmoid")])
        model.compile(optimizer=SGD(0.5), loss="binary_crossentropy")
        y = labels[:, None].astype("float32")
        w = [a.astype(np.float64) for a in model.get_weights()]
        sw = np.array([class_weight[c] for c in labels])
        expected = _logistic_step(w, x, y, sw, 0.5)
    model.fit(x, y, batch_size=12, epochs=1, class_weight=class_weight, verbose=0)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_class_weight_defaults_to_one_and_is_exclusive(rng):
    x = rng.normal(size=(10, 3)).astype("float32")
    y = rng.integers(0, 3, (10, 1)).astype("float32")
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(3, activation="softmax")])
    model.compile(optimizer=SGD(0.1), loss="sparse_categorical_crossentropy")
    twin = graphkeras.Sequential([Input(shape=(3,)), Dense(3, activation="softmax")])
    twin.compile(optimizer=SGD(0.1), loss="sparse_categorical_crossentropy")
    twin.set_weights(model.get_weights())
    model.fit(x, y, batch_size=10, class_weight={1: 2.0}, verbose=0)
    twin.fit(x, y, batch_size=10, sample_weight=np.where(y[:, 0] == 1, 2.0, 1.0), verbose=0)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="class_weight"):
        model.fit(x, y, class_weight={0: 1.0}, sample_weight=np.ones(10), verbose=0)
    with pytest.raises(ValueError, match="class_weight"):
        model.train_on_batch(x, y, class_weight={0: 1.0}, sample_weight=np.ones(10))


def test_class_weight_in_train_on_batch(rng):
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.integers(0, 2, (8, 1)).astype("float32")
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(1, activation="sigmoid")])
    model.compile(optimizer=SGD(0.5), loss="binary_crossentropy")
    w = [a.astype(np.float64) for a in model.get_weights()]
    sw = np.where(y[:, 0] == 1, 4.0, 1.0)
    expected = _logistic_step(w, x, y, sw, 0.5)
    model.train_on_batch(x, y, class_weight={1: 4.0})
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_class_weight_needs_a_single_output(rng):
    inputs = Input(shape=(3,))
    a, b = Dense(1)(inputs), Dense(1)(inputs)
    model = graphkeras.Model(inputs, [a, b])
    model.compile(optimizer="sgd", loss="mse")
    x = rng.normal(size=(4, 3)).astype("float32")
    y = np.zeros((4, 1), dtype="float32")
    with pytest.raises(ValueError, match="single output"):
        model.fit(x, [y, y], class_weight={0: 1.0}, verbose=0)
