"""Loss functions and their ``Loss`` classes, with Keras 3's formulas.

Every function maps ``(y_true, y_pred)`` to one value per sample, reducing
the last axis; clipping follows Keras 3's JAX/NumPy backends (``epsilon`` is
``backend.epsilon()``, 1e-7). Written with ``graphkeras.ops``, they compute
on NumPy data at once and compile into programs alike.
"""

import functools
import math

import numpy as np

from graphkeras import backend, ops
from graphkeras.ops.dispatch import is_symbolic
from graphkeras.losses.loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank


def _shape(x):
    return tuple(x.shape)


def _check_same_shape(y_true, y_pred, fn):
    st, sp = _shape(y_true), _shape(y_pred)
    if len(st) != len(sp) or any(a != b for a, b in zip(st[1:], sp[1:])):
        raise ValueError(f"Arguments `target` and `output` must have the same shape in "
                         f"`{fn}`. Received: target.shape={st}, output.shape={sp}")


def _as_tensors(fn):
    """Let ``fn`` take lists and NumPy data too: they become ``floatx`` arrays first."""
    @functools.wraps(fn)
    def wrapper(y_true, y_pred, *args, **kwargs):
        if not is_symbolic(y_pred):
            y_pred = np.asarray(y_pred, dtype=backend.floatx())
        if not is_symbolic(y_true):
            y_true = np.asarray(y_true, dtype=backend.floatx())
        return fn(y_true, y_pred, *args, **kwargs)
    return wrapper


def _aligned(y_true, y_pred, fn):
    """Targets and predictions brought to the same rank, as Keras does, and checked to
    broadcast (a mismatch would otherwise surface as an error deep in the program)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    st, sp = _shape(y_true), _shape(y_pred)
    fits = len(st) == len(sp) and all(
        a == b or a == 1 or b == 1 for a, b in zip(st[1:], sp[1:]))
    if not fits:
        raise ValueError(f"Arguments `target` and `output` must have the same shape in "
                         f"`{fn}`. Received: target.shape={st}, output.shape={sp}")
    return y_true, y_pred


def _epsilon(like):
    """``epsilon()`` in ``like``'s float type, as Keras's ``convert_to_tensor(epsilon)``."""
    return np.asarray(backend.epsilon(), dtype=like.dtype)


# -- regression -------------------------------------------------------------------------

@_as_tensors
def mean_squared_error(y_true, y_pred):
    """``mean((y_true - y_pred)^2, axis=-1)``."""
    y_true, y_pred = _aligned(y_true, y_pred, "mean_squared_error")
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


@_as_tensors
def mean_absolute_error(y_true, y_pred):
    """``mean(|y_true - y_pred|, axis=-1)``."""
    y_true, y_pred = _aligned(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


@_as_tensors
def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|, axis=-1)``."""
    y_true, y_pred = _aligned(y_true, y_pred, "mean_absolute_percentage_error")
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred),
                              ops.maximum(ops.abs(y_true), _epsilon(y_pred))))
    return ops.multiply(100.0, ops.mean(diff, axis=-1))


@_as_tensors
def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2, axis=-1)``."""
    y_true, y_pred = _aligned(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = _epsilon(y_pred)
    first_log = ops.log(ops.add(ops.maximum(y_pred, eps), 1.0))
    second_log = ops.log(ops.add(ops.maximum(y_true, eps), 1.0))
    return ops.mean(ops.square(ops.subtract(first_log, second_log)), axis=-1)


def l2_normalize(x, axis=-1):
    """``x * min(1 / sqrt(sum(x^2)), 1 / epsilon)`` along ``axis``: Keras's L2 normalize."""
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    inverse_norm = ops.divide(1.0, ops.sqrt(square_sum))
    inverse_norm = ops.minimum(inverse_norm, 1.0 / backend.epsilon())
    return ops.multiply(x, inverse_norm)


@_as_tensors
def cosine_similarity(y_true, y_pred, axis=-1):
    """The loss ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``.

    It lies in ``[-1, 1]``: -1 for vectors pointing the same way, 0 for
    orthogonal ones (and whenever one of them is zero).
    """
    y_true, y_pred = _aligned(y_true, y_pred, "cosine_similarity")
    y_pred = l2_normalize(y_pred, axis=axis)
    y_true = l2_normalize(y_true, axis=axis)
    return ops.negative(ops.sum(ops.multiply(y_true, y_pred), axis=axis))


@_as_tensors
def huber(y_true, y_pred, delta=1.0):
    """The Huber loss, quadratic near 0 and linear beyond ``delta``.

    With ``e = y_pred - y_true``, per element ``0.5 * e^2`` where ``|e| <= delta``
    and ``delta * |e| - 0.5 * delta^2`` elsewhere, then the mean over the last axis.
    """
    y_true, y_pred = _aligned(y_true, y_pred, "huber")
    delta = np.asarray(delta, dtype=y_pred.dtype)
    half = np.asarray(0.5, dtype=y_pred.dtype)
    error = ops.subtract(y_pred, y_true)
    abs_error = ops.abs(error)
    quadratic = ops.multiply(half, ops.square(error))
    linear = ops.subtract(ops.multiply(delta, abs_error), half * np.square(delta))
    return ops.mean(ops.where(ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


@_as_tensors
def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``.

    Computed stably as ``x + softplus(-2x) - log(2)``; close to ``x^2 / 2`` for
    small errors and to ``|x| - log(2)`` for large ones.
    """
    y_true, y_pred = _aligned(y_true, y_pred, "log_cosh")
    log2 = np.asarray(math.log(2.0), dtype=y_pred.dtype)
    x = ops.subtract(y_pred, y_true)
    value = ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, -2.0))), log2)
    return ops.mean(value, axis=-1)


# -- probabilistic ----------------------------------------------------------------------

@_as_tensors
def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[epsilon, 1]``."""
    y_true, y_pred = _aligned(y_true, y_pred, "kl_divergence")
    eps = backend.epsilon()
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


@_as_tensors
def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_true, y_pred = _aligned(y_true, y_pred, "poisson")
    log_pred = ops.log(ops.add(y_pred, _epsilon(y_pred)))
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, log_pred)), axis=-1)


@_as_tensors
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-sum(y_true * log(p), axis)``.

    ``p`` is ``softmax(y_pred)`` with ``from_logits``, else ``y_pred / sum(y_pred)``
    clipped to ``[epsilon, 1 - epsilon]``; label smoothing ``s`` replaces the
    targets with ``y_true * (1 - s) + s / classes``.
    """
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


@_as_tensors
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Categorical crossentropy with integer labels (shape ``(N,)`` or ``(N, 1)``)."""
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


@_as_tensors
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``mean(-(y log p + (1 - y) log(1 - p)), axis)``, ``p`` clipped to ``[eps, 1 - eps]``.

    With ``from_logits`` the stable logistic form is used; label smoothing
    ``s`` replaces the targets with ``y * (1 - s) + 0.5 * s``.
    """
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


# -- hinge ------------------------------------------------------------------------------

def convert_binary_labels_to_hinge(y_true):
    """Labels in ``{0, 1}`` become ``{-1, 1}`` (``2y - 1``); others are left unchanged.

    As in Keras the test covers the whole batch: one label outside ``{0, 1}``
    leaves every label of the batch as it is.
    """
    is_zero_or_one = ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0))
    is_binary = ops.min(is_zero_or_one)
    return ops.where(is_binary, ops.subtract(ops.multiply(2.0, y_true), 1.0), y_true)


@_as_tensors
def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``, with 0/1 labels made -1/1."""
    y_true, y_pred = _aligned(y_true, y_pred, "hinge")
    y_true = convert_binary_labels_to_hinge(y_true)
    return ops.mean(ops.maximum(ops.subtract(1.0, ops.multiply(y_true, y_pred)), 0.0),
                    axis=-1)


@_as_tensors
def squared_hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0)^2, axis=-1)``, with 0/1 labels made -1/1."""
    y_true, y_pred = _aligned(y_true, y_pred, "squared_hinge")
    y_true = convert_binary_labels_to_hinge(y_true)
    margin = ops.maximum(ops.subtract(1.0, ops.multiply(y_true, y_pred)), 0.0)
    return ops.mean(ops.square(margin), axis=-1)


@_as_tensors
def categorical_hinge(y_true, y_pred):
    """``max(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)`` and
    ``neg = max((1 - y_true) * y_pred)`` over the last axis."""
    y_true, y_pred = _aligned(y_true, y_pred, "categorical_hinge")
    pos = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    neg = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(neg, pos), 1.0), 0.0)


# -- classes --------------------------------------------------------------------------

_DEFAULT = "sum_over_batch_size"


class MeanSquaredError(LossFunctionWrapper):
    """Mean of the squared errors: ``mean((y_true - y_pred)^2)``."""

    def __init__(self, reduction=_DEFAULT, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of the absolute errors: ``mean(|y_true - y_pred|)``."""

    def __init__(self, reduction=_DEFAULT, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|)``."""

    def __init__(self, reduction=_DEFAULT, name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2)``."""

    def __init__(self, reduction=_DEFAULT, name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis`` (see ``cosine_similarity``).

    Args:
        axis: the axis the vectors lie along. Defaults to -1.
    """

    def __init__(self, axis=-1, reduction=_DEFAULT, name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)


class Huber(LossFunctionWrapper):
    """The Huber loss (see ``huber``).

    Args:
        delta: where the loss turns from quadratic to linear. Defaults to 1.0.
    """

    def __init__(self, delta=1.0, reduction=_DEFAULT, name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the error (see ``log_cosh``)."""

    def __init__(self, reduction=_DEFAULT, name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence (see ``kl_divergence``)."""

    def __init__(self, reduction=_DEFAULT, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred + epsilon))``."""

    def __init__(self, reduction=_DEFAULT, name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """Hinge loss: ``mean(max(1 - y_true * y_pred, 0))``; 0/1 labels become -1/1."""

    def __init__(self, reduction=_DEFAULT, name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss: ``mean(max(1 - y_true * y_pred, 0)^2)``; 0/1 labels become
    -1/1."""

    def __init__(self, reduction=_DEFAULT, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss (see ``categorical_hinge``)."""

    def __init__(self, reduction=_DEFAULT, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy of one-hot (or soft) targets (see ``categorical_crossentropy``)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy of integer class labels (see ``sparse_categorical_crossentropy``)."""

    sparse = True

    def __init__(self, from_logits=False, ignore_class=None, reduction=_DEFAULT,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class)


class BinaryCrossentropy(LossFunctionWrapper):
    """Crossentropy of binary targets (see ``binary_crossentropy``)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_DEFAULT,
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
