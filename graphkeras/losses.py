"""Losses with Keras 3's formulas (the JAX/NumPy backends' clipping semantics).

Each loss function maps ``(y_true, y_pred)`` to one value per sample; a
``Loss`` object adds the reduction (``"sum_over_batch_size"`` by default: the
sum of the weighted per-sample losses divided by their number). Written with
``graphkeras.ops``, they run on NumPy data and compile into programs alike.
"""

import numpy as np

from graphkeras import backend, ops


def _shape(x):
    return tuple(x.shape)


def _check_same_shape(y_true, y_pred, fn):
    st, sp = _shape(y_true), _shape(y_pred)
    if len(st) != len(sp) or any(a != b for a, b in zip(st[1:], sp[1:])):
        raise ValueError(f"Arguments `target` and `output` must have the same shape in "
                         f"`{fn}`. Received: target.shape={st}, output.shape={sp}")


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    _check_same_shape(y_true, y_pred, "categorical_crossentropy")
    if label_smoothing:
        classes = _shape(y_pred)[axis]
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / classes)
    if from_logits:
        log_p = ops.log_softmax(y_pred, axis=axis)
    else:
        p = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
        eps = backend.epsilon()
        log_p = ops.log(ops.clip(p, eps, 1.0 - eps))
    return ops.negative(ops.sum(ops.multiply(y_true, log_p), axis=axis))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    if ignore_class is not None:
        raise NotImplementedError("`ignore_class` is not supported yet.")
    st, sp = _shape(y_true), _shape(y_pred)
    if len(st) == len(sp) and st[-1] == 1:
        y_true = ops.reshape(y_true, [-1 if d is None else d for d in st[:-1]])
        st = st[:-1]
    if len(st) != len(sp) - 1 or any(a != b for a, b in zip(st[1:], sp[1:-1])):
        raise ValueError(
            f"Arguments `target` and `output` must have compatible shapes in "
            f"`sparse_categorical_crossentropy`: target is integer labels of shape "
            f"output.shape[:-1]. Received: target.shape={_shape(y_true)}, "
            f"output.shape={sp}")
    one_hot = ops.one_hot(y_true, sp[-1])
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    _check_same_shape(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if from_logits:
        # relu(x) - x*y + log(1 + exp(-|x|)), the stable form of the logistic loss
        per = ops.add(ops.subtract(ops.relu(y_pred), ops.multiply(y_pred, y_true)),
                      ops.log1p(ops.exp(ops.negative(ops.abs(y_pred)))))
    else:
        eps = backend.epsilon()
        p = ops.clip(y_pred, eps, 1.0 - eps)
        per = ops.negative(ops.add(ops.multiply(y_true, ops.log(p)),
                                   ops.multiply(ops.subtract(1.0, y_true),
                                                ops.log(ops.subtract(1.0, p)))))
    return ops.mean(per, axis=axis)


def mean_squared_error(y_true, y_pred):
    _check_same_shape(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.square(ops.subtract(y_pred, y_true)), axis=-1)


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` -> reduced scalar.

    Subclasses define ``call(y_true, y_pred)`` returning per-sample values.
    """

    #: whether targets are integer class labels (checked against the class count)
    sparse = False

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in ("sum_over_batch_size", "auto", "mean"):
            raise NotImplementedError(f"Loss reduction {reduction!r} is not supported yet; "
                                      "use 'sum_over_batch_size'.")
        self.name = name or backend.snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} does not implement `call`.")

    def __call__(self, y_true, y_pred, sample_weight=None):
        per = np.asarray(self.call(np.asarray(y_true), np.asarray(y_pred)), dtype=np.float64)
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float64)
            per = per * sw.reshape(sw.shape + (1,) * (per.ndim - sw.ndim))
        return np.asarray(per.mean(), dtype=backend.floatx())

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A ``Loss`` around a function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    sparse = True

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits, ignore_class=ignore_class)


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        super().__init__(binary_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


mse = MSE = mean_squared_error

_BY_NAME = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
}
_FUNCTIONS = {
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy,
    mean_squared_error: MeanSquaredError,
}
_CLASSES = {cls.__name__: cls for cls in _FUNCTIONS.values()}


def serialize(loss):
    return loss.name if isinstance(loss, Loss) else getattr(loss, "__name__", str(loss))


def get(identifier):
    """A ``Loss`` from a name or alias, a class, an instance or a function."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Known "
                             f"losses: {sorted(_BY_NAME)}.")
        return cls()
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}.")
