"""Metrics from confusion counts: Precision, Recall, AUC and the four raw counts.

These are not means. Each batch adds, per threshold, the (weighted) numbers of
true positives, false positives, true negatives and false negatives to vector
accumulators; the result is computed from the totals. Counting follows Keras 3
(``keras.src.metrics.metrics_utils``): a label is positive when it is
nonzero, and a prediction is positive at a threshold when it is strictly
greater. For evenly spaced thresholds (``AUC``'s default) Keras assigns each
prediction to a bucket, ``ceil(p * (T - 1)) - 1`` with ``p`` clipped to
``[0, 1]``; that is the same as ``p * (T - 1) > i`` at threshold ``i``, which
is what is computed here, so the rounding matches Keras's.
"""

import numpy as np

from graphkeras import backend, ops
from graphkeras.losses.loss import squeeze_or_expand_to_same_rank
from graphkeras.metrics.metric import Metric, divide_no_nan
from graphkeras.ops.dispatch import apply, is_symbolic

NEG_INF = -1e10

_TP, _FP, _TN, _FN = "true_positives", "false_positives", "true_negatives", "false_negatives"


def _shape(x):
    return tuple(x.shape)


def _thresholds_list(thresholds, default):
    values = [default] if thresholds is None else (
        list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds])
    bad = [t for t in values if t is None or (t != NEG_INF and not 0 <= t <= 1)]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def is_evenly_distributed_thresholds(thresholds):
    """Whether ``thresholds`` (3 or more) are ``i / (T - 1)``, within ``epsilon``."""
    thresholds = np.asarray(thresholds)
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _filter_top_k(x, k):
    """``x`` where it is among the ``k`` largest of its last axis, else ``NEG_INF``.

    Ties go to the lower index, as ``top_k`` breaks them: element ``j`` is kept
    when fewer than ``k`` elements are larger, or equal with a lower index.
    """
    classes = _shape(x)[-1]
    rows = ops.expand_dims(x, -1)         # (..., C, 1): element j
    cols = ops.expand_dims(x, -2)         # (..., 1, C): element i
    earlier = np.tril(np.ones((classes, classes), dtype=backend.floatx()), -1)
    ahead = ops.add(ops.greater(cols, rows), ops.multiply(ops.equal(cols, rows), earlier))
    rank = ops.sum(ahead, axis=-1)
    keep = ops.greater(float(k), rank)
    return ops.add(ops.multiply(x, keep), ops.multiply(NEG_INF, ops.subtract(1.0, keep)))


def _take_class(x, class_id):
    """``x[..., class_id:class_id + 1]``."""
    if not is_symbolic(x):
        return x[..., class_id:class_id + 1]
    axis = len(_shape(x)) - 1
    return apply("slice", [x], {"axis": axis, "start": class_id, "stop": class_id + 1})


def _flatten_rows(x):
    """``(N, ...)`` as ``(N, M, 1)``: every element of a row, ready for the thresholds."""
    shape = _shape(x)
    per_row = int(np.prod(shape[1:], dtype=np.int64)) if len(shape) > 1 else 1
    if is_symbolic(x):
        return ops.reshape(x, [-1, per_row, 1])
    return np.reshape(x, (shape[0] if shape else 1, per_row, 1))


def confusion_increments(wanted, y_true, y_pred, thresholds, top_k=None, class_id=None,
                         sample_weight=None, label_weights=None, evenly=False):
    """``{count: increment}`` for the counts in ``wanted``, one entry per threshold.

    Args:
        wanted: a subset of ``true_positives``, ``false_positives``,
            ``true_negatives``, ``false_negatives``.
        y_true, y_pred: labels (nonzero is positive) and predictions.
        thresholds: a list of floats.
        top_k: keep only the ``k`` largest predictions of each row positive.
        class_id: count only that class (the last axis's entry).
        sample_weight: eager only: weights of the rows (or of every element).
        label_weights: weights of the entries of the last axis.
        evenly: whether the thresholds are evenly spaced (Keras's bucket method).
    """
    dtype = backend.floatx()
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(_shape(y_pred)) == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {_shape(y_pred)}")
        y_true, y_pred = _take_class(y_true, class_id), _take_class(y_pred, class_id)

    weights = None
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=dtype)
        if sample_weight.ndim < len(_shape(y_pred)):
            sample_weight = sample_weight.reshape(
                sample_weight.shape + (1,) * (len(_shape(y_pred)) - sample_weight.ndim))
        weights = np.broadcast_to(sample_weight, _shape(y_pred))
    if label_weights is not None:
        lw = np.asarray(label_weights, dtype=dtype)
        if is_symbolic(y_pred):
            weights = ops.multiply(ops.ones_like(y_pred), lw)
        else:
            weights = np.broadcast_to(lw if weights is None else weights * lw, _shape(y_pred))

    positive = _flatten_rows(ops.not_equal(y_true, 0.0))
    negative = ops.subtract(1.0, positive)
    if weights is not None:
        w = _flatten_rows(weights)
        positive, negative = ops.multiply(positive, w), ops.multiply(negative, w)

    count = len(thresholds)
    if evenly:
        # bucket form: positive at threshold i when p * (T - 1) > i, p clipped to [0, 1]
        scaled = ops.multiply(ops.clip(_flatten_rows(y_pred), 0.0, 1.0), float(count - 1))
        cuts = np.arange(count, dtype=dtype)
        if thresholds[0] < 0 or thresholds[-1] > 1:
            cuts[0] = -1.0          # the threshold below 0 takes every prediction
        predicted = ops.greater(scaled, cuts)
    else:
        predicted = ops.greater(_flatten_rows(y_pred), np.asarray(thresholds, dtype=dtype))

    out = {}
    if _TP in wanted or _FN in wanted:
        tp = ops.sum(ops.multiply(positive, predicted), axis=(0, 1))
        if _TP in wanted:
            out[_TP] = tp
        if _FN in wanted:
            out[_FN] = ops.sum(ops.multiply(positive, ops.subtract(1.0, predicted)), axis=(0, 1))
    if _FP in wanted or _TN in wanted:
        if _FP in wanted:
            out[_FP] = ops.sum(ops.multiply(negative, predicted), axis=(0, 1))
        if _TN in wanted:
            out[_TN] = ops.sum(ops.multiply(negative, ops.subtract(1.0, predicted)),
                               axis=(0, 1))
    return out


class _ConfusionMetric(Metric):
    """Shared parts: thresholds, ``top_k``, ``class_id`` and the counts kept."""

    _counts = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _thresholds_list(thresholds, default)
        self._evenly = is_evenly_distributed_thresholds(self.thresholds)

    def accumulator_shapes(self):
        return {name: (len(self.thresholds),) for name in self._counts}

    def increments(self, y_true, y_pred, sample_weight=None, batch_size=None):
        return confusion_increments(self._counts, y_true, y_pred, self.thresholds,
                                    top_k=self.top_k, class_id=self.class_id,
                                    sample_weight=sample_weight, evenly=self._evenly)

    def _per_threshold(self, value):
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_ConfusionMetric):
    """``true_positives / (true_positives + false_positives)``, per threshold.

    Args:
        thresholds: a float or a list of floats in ``[0, 1]``; a prediction above
            a threshold is positive. Defaults to 0.5 (or to "all of the top k"
            when ``top_k`` is set). With a list the result is one value per
            threshold.
        top_k: count only the ``k`` largest predictions of each sample as positive.
        class_id: compute the metric for this class (an index of the last axis).
        name: the metric's name.
        dtype: the float type of the totals.
    """

    direction = "up"
    _counts = (_TP, _FP)

    def compute_result(self, totals):
        tp, fp = totals[_TP], totals[_FP]
        return self._per_threshold(divide_no_nan(tp, tp + fp))


class Recall(_ConfusionMetric):
    """``true_positives / (true_positives + false_negatives)``, per threshold.

    Args: as ``Precision``.
    """

    direction = "up"
    _counts = (_TP, _FN)

    def compute_result(self, totals):
        tp, fn = totals[_TP], totals[_FN]
        return self._per_threshold(divide_no_nan(tp, tp + fn))


class _Count(_ConfusionMetric):
    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def compute_result(self, totals):
        return self._per_threshold(totals[self._counts[0]])

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}


class TruePositives(_Count):
    """The (weighted) number of true positives, per threshold (default 0.5)."""

    _counts = (_TP,)


class FalsePositives(_Count):
    """The (weighted) number of false positives, per threshold (default 0.5)."""

    _counts = (_FP,)


class TrueNegatives(_Count):
    """The (weighted) number of true negatives, per threshold (default 0.5)."""

    _counts = (_TN,)


class FalseNegatives(_Count):
    """The (weighted) number of false negatives, per threshold (default 0.5)."""

    _counts = (_FN,)


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from per-threshold counts.

    The counts at ``num_thresholds`` thresholds (``-epsilon``, ``i / (T - 1)`` for
    ``i = 1 .. T - 2``, and ``1 + epsilon``) trace the curve. With
    ``summation_method="interpolation"`` the ROC area is the trapezoid sum
    ``sum((fpr[i] - fpr[i+1]) * (tpr[i] + tpr[i+1]) / 2)``, and the PR area
    uses Keras's interpolation of Davis & Goadrich (2006): within each interval
    true positives and predicted positives vary linearly, which integrates to
    ``slope * (dTP + intercept * log(P[i] / P[i+1])) / (TP[i+1] + FN[i+1])``
    summed over the intervals. ``"minoring"`` and ``"majoring"`` use the lower
    or the upper of each interval's two heights instead.

    Args:
        num_thresholds: the number of thresholds (> 1). Defaults to 200.
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
        name: the metric's name.
        dtype: the float type of the totals.
        thresholds: explicit thresholds in ``[0, 1]`` instead of ``num_thresholds``
            (``-epsilon`` and ``1 + epsilon`` are added at the ends).
        multi_label: not supported (labels are flattened, as with False).
        num_labels: only with ``multi_label``.
        label_weights: weights of the entries of the last axis.
        from_logits: whether predictions are logits (a sigmoid is applied first).
    """

    direction = "up"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if multi_label:
            raise NotImplementedError("`AUC(multi_label=True)` is not supported yet; labels "
                                      "are flattened into one curve.")
        if num_labels:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self._init_from_thresholds = thresholds is not None
        eps = backend.epsilon()
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
            self._evenly = is_evenly_distributed_thresholds(np.array([0.0] + inner + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self.curve = _check_choice(curve, ("ROC", "PR"), "curve", upper=True)
        self.summation_method = _check_choice(
            summation_method, ("interpolation", "majoring", "minoring"), "summation_method")
        super().__init__(name=name, dtype=dtype)
        self.multi_label = False
        self.num_labels = None
        self.label_weights = None if label_weights is None else np.asarray(
            label_weights, dtype=self.dtype)
        self._from_logits = from_logits

    @property
    def thresholds(self):
        return list(self._thresholds)

    def accumulator_shapes(self):
        return {name: (self.num_thresholds,) for name in (_TP, _FP, _TN, _FN)}

    def increments(self, y_true, y_pred, sample_weight=None, batch_size=None):
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        return confusion_increments((_TP, _FP, _TN, _FN), y_true, y_pred, self._thresholds,
                                    sample_weight=sample_weight,
                                    label_weights=self.label_weights, evenly=self._evenly)

    def _interpolate_pr_auc(self, tp, fp, fn):
        t = self.num_thresholds
        dtp = tp[:t - 1] - tp[1:]
        p = tp + fp
        dp = p[:t - 1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both_positive = (p[:t - 1] > 0) & (p[1:] > 0)
        ratio = np.where(both_positive, divide_no_nan(p[:t - 1], np.maximum(p[1:], 0)),
                         np.ones_like(p[1:]))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log(ratio)
        increments = divide_no_nan(slope * (dtp + intercept * log_ratio),
                                   np.maximum(tp[1:] + fn[1:], 0))
        return np.sum(increments, dtype=tp.dtype)

    def compute_result(self, totals):
        tp, fp, tn, fn = totals[_TP], totals[_FP], totals[_TN], totals[_FN]
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, divide_no_nan(tp, tp + fp)
        t = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:t - 1] + y[1:]) / np.asarray(2.0, dtype=y.dtype)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:t - 1], y[1:])
        else:
            heights = np.maximum(y[:t - 1], y[1:])
        return np.sum((x[:t - 1] - x[1:]) * heights, dtype=tp.dtype)

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype,
                  "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None
                  else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


def _check_choice(value, choices, what, upper=False):
    key = value.upper() if upper and isinstance(value, str) else value
    if isinstance(key, str) and not upper:
        key = key.lower()
    if key not in choices:
        raise ValueError(f"Invalid `{what}` argument value {value!r}. Expected one of: "
                         f"{list(choices)}")
    return key
