"""The accuracy family: per-sample 0/1 matches, averaged over the epoch.

The functions follow Keras 3: ``binary_accuracy`` counts a prediction as 1
when it is strictly greater than the threshold, the categorical ones compare
the index of the largest prediction with the label, and the top-k ones ask
whether the label's prediction is among the ``k`` largest (ties count in).
"""

import numpy as np

from graphkeras import backend, ops
from graphkeras.losses.loss import squeeze_or_expand_to_same_rank
from graphkeras.metrics.reduction_metrics import MeanMetricWrapper
from graphkeras.ops.dispatch import is_symbolic


def _tensor(x):
    return x if is_symbolic(x) else np.asarray(x, dtype=backend.floatx())


def _shape(x):
    return tuple(x.shape)


def _squeeze_last(x):
    """``x`` without its trailing axis of size 1."""
    return ops.reshape(x, [-1 if d is None else d for d in _shape(x)[:-1]]) \
        if is_symbolic(x) else np.reshape(x, _shape(x)[:-1])


def accuracy(y_true, y_pred):
    """1 where ``y_true == y_pred`` exactly, averaged over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(_tensor(y_true), _tensor(y_pred))
    return ops.mean(ops.equal(y_true, y_pred), axis=-1)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where ``y_true`` equals ``y_pred > threshold``, averaged over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(_tensor(y_true), _tensor(y_pred))
    predicted = ops.greater(y_pred, threshold)
    return ops.mean(ops.equal(y_true, predicted), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where ``argmax(y_true) == argmax(y_pred)`` along the last axis."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    return ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the integer label equals ``argmax(y_pred)``; labels may be ``(N, 1)``."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    if len(_shape(y_true)) == len(_shape(y_pred)) and _shape(y_true)[-1] == 1:
        y_true = _squeeze_last(y_true)
    return ops.equal(y_true, ops.argmax(y_pred, axis=-1))


def _check_top_k_rank(y_pred):
    if len(_shape(y_pred)) != 2:
        raise NotImplementedError(
            f"Top-k accuracy supports predictions of shape (batch, classes); received shape "
            f"{_shape(y_pred)}.")


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot label's class is among the ``k`` largest predictions."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    _check_top_k_rank(y_pred)
    return ops.in_top_k(ops.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the integer label is among the ``k`` largest predictions."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    _check_top_k_rank(y_pred)
    if len(_shape(y_true)) > 1:
        y_true = _squeeze_last(y_true)
    return ops.in_top_k(y_true, y_pred, k)


class _AccuracyMetric(MeanMetricWrapper):
    direction = "up"
    _function = None

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(type(self)._function, name=name, dtype=dtype, **kwargs)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}


class Accuracy(_AccuracyMetric):
    """How often predictions equal labels exactly."""

    _function = staticmethod(accuracy)

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype)


class BinaryAccuracy(_AccuracyMetric):
    """How often ``y_pred > threshold`` matches binary labels.

    Args:
        threshold: a value in ``(0, 1)``. Defaults to 0.5.
    """

    _function = staticmethod(binary_accuracy)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if threshold is not None and (threshold <= 0 or threshold >= 1):
            raise ValueError("Invalid value for argument `threshold`. Expected a value in "
                             f"interval (0, 1). Received: threshold={threshold}")
        super().__init__(name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(_AccuracyMetric):
    """How often the largest prediction is at the one-hot label's class."""

    _function = staticmethod(categorical_accuracy)

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype)


class SparseCategoricalAccuracy(_AccuracyMetric):
    """How often the largest prediction is at the integer label's class."""

    _function = staticmethod(sparse_categorical_accuracy)

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype)


class TopKCategoricalAccuracy(_AccuracyMetric):
    """How often the one-hot label's class is among the ``k`` largest predictions.

    Args:
        k: how many of the largest predictions count. Defaults to 5.
    """

    _function = staticmethod(top_k_categorical_accuracy)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(_AccuracyMetric):
    """How often the integer label is among the ``k`` largest predictions.

    Args:
        k: how many of the largest predictions count. Defaults to 5.
    """

    _function = staticmethod(sparse_top_k_categorical_accuracy)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype, k=k)
        self.k = k
