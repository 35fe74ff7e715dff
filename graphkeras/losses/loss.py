"""The ``Loss`` base class and Keras 3's reductions.

A loss's ``call(y_true, y_pred)`` gives one value per sample (or per element
after the last axis is reduced). Called eagerly, ``loss(y_true, y_pred,
sample_weight)`` multiplies those values by the sample weights and reduces
them; the default reduction ``"sum_over_batch_size"`` divides the weighted sum
by the *number of values*, not by the sum of the weights. Inside a compiled
program the loss pass (``compiler.passes.loss``) applies that same reduction
to ``call``'s values, so ``call`` is written with ``graphkeras.ops`` and works
on NumPy data and program values alike.
"""

import functools

import numpy as np

from graphkeras import backend, ops
from graphkeras.ops.dispatch import is_symbolic

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
_MEAN_LIKE = ("sum_over_batch_size", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Check ``reduction``; Keras 2's ``"auto"`` means ``"sum_over_batch_size"``."""
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{list(REDUCTIONS)}. Received: reduction={reduction!r}")
    return reduction


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make ranks that differ by a trailing axis of size 1 equal, as Keras does.

    When one operand has one more axis than the other and that axis has size 1,
    it is squeezed, except that a rank-1 partner is expanded instead.
    """
    r1, r2 = len(_shape(x1)), len(_shape(x2))
    if r1 == r2 + 1 and _shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and _shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight ``values`` by ``sample_weight`` and reduce them (eager NumPy, in floatx)."""
    dtype = backend.floatx()
    values = np.asarray(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values, sample_weight = np.asarray(values), np.asarray(sample_weight)
        if sample_weight.ndim < values.ndim:
            # per-sample weights for per-element values: one weight per row
            sample_weight = sample_weight.reshape(
                sample_weight.shape + (1,) * (values.ndim - sample_weight.ndim))
        values = values * sample_weight
    if reduction in (None, "none") or values.ndim == 0 or values.shape == (0,):
        return values
    total = np.sum(values, dtype=dtype)
    if reduction in _MEAN_LIKE:
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = np.sum(sample_weight, dtype=dtype)
        else:
            divisor = np.asarray(values.size, dtype=dtype)
        total = total / divisor if divisor else np.zeros((), dtype=dtype)
    return np.asarray(total, dtype=dtype)


def _reduction_aware(call):
    """Wrap a ``call`` so that, on program values, it honours the loss's reduction.

    The loss pass divides by the number of values; for ``"sum"`` the values are
    scaled by that number first, and the reductions a program cannot express
    are refused.
    """
    @functools.wraps(call)
    def wrapper(self, y_true, y_pred):
        values = call(self, y_true, y_pred)
        if not is_symbolic(values) or self.reduction in ("sum_over_batch_size", "mean"):
            return values
        if self.reduction == "sum":
            return ops.multiply(values, _element_count(values))
        raise NotImplementedError(
            f"Loss reduction {self.reduction!r} is not supported in compiled training; use "
            "'sum_over_batch_size' (the default) or 'sum'.")
    wrapper._reduction_aware = True
    return wrapper


def _element_count(values):
    """The number of elements of a program value: batch size times the sample size."""
    graph = values.graph
    batch = graph.find_source("batch_size")
    if batch is None:
        batch = graph.add("batch_size", [], {"dtype": values.dtype}, name="n").name
    per_sample = int(np.prod([d for d in values.shape[1:]], dtype=np.int64))
    from compiler.ir import Value
    return ops.multiply(Value(graph, batch), float(per_sample))


class Loss:
    """Base class of the losses.

    Subclasses implement ``call(y_true, y_pred)`` with ``graphkeras.ops``,
    returning one value per sample.

    Args:
        name: the loss's name.
        reduction: ``"sum_over_batch_size"`` (the default), ``"sum"``, ``"mean"``
            (the same as the default), ``"mean_with_sample_weight"`` (divide by
            the sum of the weights) or ``None``/``"none"`` (no reduction). Keras
            2's ``"auto"`` is read as the default. Compiled training supports
            the default and ``"sum"``.
        dtype: the float type of the result; defaults to ``floatx()``.
    """

    #: whether targets are integer class labels (checked against the class count)
    sparse = False

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or backend.snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = dtype

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        call = cls.__dict__.get("call")
        if call is not None and not getattr(call, "_reduction_aware", False):
            cls.call = _reduction_aware(call)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} does not implement `call`.")

    def __call__(self, y_true, y_pred, sample_weight=None):
        dtype = self.dtype or backend.floatx()
        y_pred = np.asarray(y_pred, dtype=dtype)
        y_true = np.asarray(y_true, dtype=dtype)
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class LossFunctionWrapper(Loss):
    """A ``Loss`` around a function ``fn(y_true, y_pred, **kwargs)``.

    Targets and predictions whose ranks differ by a trailing axis of size 1 are
    brought to the same rank first (see ``squeeze_or_expand_to_same_rank``).
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if not self.sparse:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config
