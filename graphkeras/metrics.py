"""Metrics compiled into programs: per-batch values accumulated over an epoch, as in Keras.

A metric here is a function of ``(y_true, y_pred)`` giving one value per sample
(or per element); its epoch result is the mean of all values seen since the
last reset (Keras's ``MeanMetricWrapper``). The accumulation happens inside
the compiled program (``compiler.passes.metrics``); ``result(totals)`` turns
the accumulators into the number Keras reports.
"""

import numpy as np

from graphkeras import ops


def _labels(y_true):
    shape = tuple(y_true.shape)
    if len(shape) >= 2 and shape[-1] == 1:
        return ops.reshape(y_true, [-1 if d is None else d for d in shape[:-1]])
    return y_true


def categorical_accuracy(y_true, y_pred):
    return ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    return ops.equal(_labels(y_true), ops.argmax(y_pred, axis=-1))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    return ops.mean(ops.equal(y_true, ops.greater(y_pred, threshold)), axis=-1)


def mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(ops.subtract(y_pred, y_true)), axis=-1)


class MeanMetricWrapper:
    """A metric that averages ``fn(y_true, y_pred)`` over every sample of the epoch."""

    def __init__(self, fn, name, direction="up"):
        self.fn = fn
        self.name = name
        self.direction = direction

    def emit(self, y_true, y_pred, batch_size):
        """The increments of ``total`` and ``count`` for one batch (IR values)."""
        values = self.fn(y_true, y_pred)
        per_sample = int(np.prod(values.shape[1:], dtype=np.int64))
        count = ops.multiply(batch_size, float(per_sample))
        return {"total": ops.sum(values), "count": count}

    @staticmethod
    def result(totals):
        count = totals["count"]
        return float(totals["total"] / count) if count else 0.0


_FUNCTIONS = {
    "categorical_accuracy": (categorical_accuracy, "up"),
    "sparse_categorical_accuracy": (sparse_categorical_accuracy, "up"),
    "binary_accuracy": (binary_accuracy, "up"),
    "mean_squared_error": (mean_squared_error, "down"),
    "mse": (mean_squared_error, "down"),
}


def resolve(identifier, y_true_shape, y_pred_shape):
    """A compiled metric for ``identifier``, resolving ``"accuracy"`` as Keras does.

    ``"accuracy"``/``"acc"`` pick binary accuracy when predictions have one
    column, sparse categorical accuracy when the targets are labels, and
    categorical accuracy otherwise; the metric keeps the user's string as name.
    """
    if isinstance(identifier, MeanMetricWrapper):
        return identifier
    if callable(identifier) and not isinstance(identifier, str):
        return MeanMetricWrapper(identifier, identifier.__name__)
    if identifier in ("accuracy", "acc"):
        if y_pred_shape[-1] == 1:
            fn = binary_accuracy
        elif len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1
                                                        and y_pred_shape[-1] != 1):
            fn = sparse_categorical_accuracy
        else:
            fn = categorical_accuracy
        return MeanMetricWrapper(fn, identifier, "up")
    if identifier in _FUNCTIONS:
        fn, direction = _FUNCTIONS[identifier]
        return MeanMetricWrapper(fn, identifier, direction)
    raise ValueError(f"Unknown metric: {identifier!r}. Known metrics: "
                     f"{sorted(['accuracy', 'acc', *_FUNCTIONS])}.")
