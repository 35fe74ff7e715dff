"""Regression metrics: means of per-sample errors (and of the cosine similarity)."""

import numpy as np

from graphkeras import losses, ops
from graphkeras.losses.loss import squeeze_or_expand_to_same_rank
from graphkeras.metrics.metric import Metric, divide_no_nan
from graphkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper


def cosine_similarity(y_true, y_pred, axis=-1):
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: 1 for vectors pointing
    the same way (the metric; the loss of the same name is its negative)."""
    return ops.negative(losses.cosine_similarity(y_true, y_pred, axis=axis))


class _ErrorMetric(MeanMetricWrapper):
    direction = "down"
    _function = None

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(type(self)._function, name=name, dtype=dtype, **kwargs)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}


class MeanSquaredError(_ErrorMetric):
    """The mean of ``(y_true - y_pred)^2``."""

    _function = staticmethod(losses.mean_squared_error)

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsoluteError(_ErrorMetric):
    """The mean of ``|y_true - y_pred|``."""

    _function = staticmethod(losses.mean_absolute_error)

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanAbsolutePercentageError(_ErrorMetric):
    """The mean of ``100 * |(y_true - y_pred) / max(|y_true|, epsilon)|``."""

    _function = staticmethod(losses.mean_absolute_percentage_error)

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_ErrorMetric):
    """The mean of ``(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2``."""

    _function = staticmethod(losses.mean_squared_logarithmic_error)

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(name=name, dtype=dtype)


class LogCoshError(_ErrorMetric):
    """The mean of ``log(cosh(y_pred - y_true))``."""

    _function = staticmethod(losses.log_cosh)

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(name=name, dtype=dtype)


class CosineSimilarity(_ErrorMetric):
    """The mean cosine similarity of targets and predictions along ``axis``.

    Args:
        axis: the axis the vectors lie along. Defaults to -1.
    """

    direction = "up"
    _function = staticmethod(cosine_similarity)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)
        self.axis = axis


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_pred - y_true)^2))`` over every element seen."""

    direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def increments(self, y_true, y_pred, sample_weight=None, batch_size=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        error_sq = ops.square(ops.subtract(y_pred, y_true))
        return self._value_increments(error_sq, sample_weight, batch_size)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch of squared errors to the running mean."""
        Metric.update_state(self, y_true, y_pred, sample_weight)

    def compute_result(self, totals):
        return np.sqrt(divide_no_nan(totals["total"], totals["count"]))
