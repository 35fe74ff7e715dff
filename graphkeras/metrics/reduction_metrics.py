"""Means and sums of values, and ``MeanMetricWrapper`` around a per-sample function."""

import numpy as np

from graphkeras import ops
from graphkeras.losses.loss import squeeze_or_expand_to_same_rank
from graphkeras.metrics.metric import Metric, divide_no_nan
from graphkeras.ops.dispatch import is_symbolic


def _rank(x):
    return len(tuple(x.shape)) if hasattr(x, "shape") else np.ndim(x)


def samplewise_increments(values, sample_weight, batch_size, reduce_fn):
    """``(total, count)`` increments of one batch of ``values``, as Keras's ``Mean``.

    Values with more axes than the weights are first reduced by ``reduce_fn``
    (a mean for ``Mean``) over the extra axes; weighted values are summed and
    the count grows by the sum of the weights, or by the number of rows.
    """
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values, sample_weight = np.asarray(values), np.asarray(sample_weight)
        if values.ndim > sample_weight.ndim:
            values = reduce_fn(values, axis=tuple(range(sample_weight.ndim, values.ndim)))
        sample_weight = np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, sample_weight.ndim)))
    rank = _rank(values)
    if rank > 1:
        values = reduce_fn(values, axis=tuple(range(1, rank)))
    total = ops.sum(values)
    if sample_weight is not None:
        count = np.sum(sample_weight, dtype=np.asarray(values).dtype)
    elif rank >= 1:
        count = batch_size
    else:
        count = 1.0
    return total, count


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state``.

    Example:

    >>> m = Mean()
    >>> m.update_state([1, 3, 5, 7])
    >>> m.result()
    4.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def accumulator_shapes(self):
        return {"total": (), "count": ()}

    def increments(self, y_true, y_pred, sample_weight=None, batch_size=None):
        raise TypeError(f"`{type(self).__name__}` averages the values given to "
                        "`update_state(values)`; it cannot be computed from targets and "
                        "predictions. Use `MeanMetricWrapper(fn)` for that.")

    def _value_increments(self, values, sample_weight, batch_size):
        total, count = samplewise_increments(values, sample_weight, batch_size, _mean)
        if is_symbolic(total) and not is_symbolic(count):
            count = ops.add(ops.multiply(total, 0.0), count)
        return {"total": total, "count": count}

    def update_state(self, values, sample_weight=None):
        """Add ``values`` (weighted by ``sample_weight``) to the running mean."""
        values = np.asarray(values, dtype=self.dtype)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=self.dtype)
        rows = values.shape[0] if values.ndim else 1
        self._add(self._value_increments(values, sample_weight,
                                         np.asarray(rows, dtype=self.dtype)))

    def compute_result(self, totals):
        return divide_no_nan(totals["total"], totals["count"])


class Sum(Metric):
    """The (weighted) sum of the values given to ``update_state``."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def accumulator_shapes(self):
        return {"total": ()}

    def update_state(self, values, sample_weight=None):
        """Add ``values`` (weighted by ``sample_weight``) to the sum."""
        values = np.asarray(values, dtype=self.dtype)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=self.dtype)
        total, _ = samplewise_increments(values, sample_weight, None, _sum)
        self._add({"total": total})

    def compute_result(self, totals):
        return totals["total"]


class MeanMetricWrapper(Mean):
    """The mean over all samples seen of ``fn(y_true, y_pred, **kwargs)``.

    ``fn`` returns one value per sample (values with more axes are first
    averaged per sample). A metric wrapping a loss function should be
    minimized (direction "down").

    Args:
        fn: the per-sample function.
        name: the metric's name.
        dtype: the float type of the totals.
        **kwargs: passed to ``fn``.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        from graphkeras import losses
        if fn in losses.FUNCTION_CLASSES:
            self.direction = "down"

    @property
    def fn(self):
        return self._fn

    def increments(self, y_true, y_pred, sample_weight=None, batch_size=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return self._value_increments(values, sample_weight, batch_size)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch of ``fn(y_true, y_pred)`` to the running mean."""
        Metric.update_state(self, y_true, y_pred, sample_weight)

    def get_config(self):
        config = super().get_config()
        config.update({"fn": getattr(self._fn, "__name__", str(self._fn))})
        config.update(self._fn_kwargs)
        return config


def _mean(x, axis):
    return ops.mean(x, axis=axis) if is_symbolic(x) else np.mean(x, axis=axis, dtype=x.dtype)


def _sum(x, axis):
    return ops.sum(x, axis=axis) if is_symbolic(x) else np.sum(x, axis=axis, dtype=x.dtype)
