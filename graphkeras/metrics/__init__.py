"""Metrics, compiled into programs or used eagerly, as in Keras 3.

A metric accumulates per-batch increments over an epoch: inside the compiled
program (``compiler.passes.metrics``) when given to ``compile``, or in the
object with ``update_state``/``result``/``reset_state``. ``resolve`` turns what
``compile(metrics=...)`` accepts into a metric object, and ``direction_of``
tells callbacks whether a metric should go up or down.
"""

import inspect

from graphkeras import losses as _losses
from graphkeras.losses import (binary_crossentropy,  # noqa: F401
                               categorical_crossentropy,
                               categorical_hinge, hinge, huber, kl_divergence, log_cosh,
                               mean_absolute_error, mean_absolute_percentage_error,
                               mean_squared_error, mean_squared_logarithmic_error, poisson,
                               sparse_categorical_crossentropy, squared_hinge)
from graphkeras.metrics.accuracy_metrics import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy, binary_accuracy,
    categorical_accuracy, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy)
from graphkeras.metrics.confusion_metrics import (AUC, FalseNegatives, FalsePositives,
                                                  Precision, Recall, TrueNegatives,
                                                  TruePositives)
from graphkeras.metrics.metric import Metric
from graphkeras.metrics.probabilistic_metrics import (BinaryCrossentropy,
                                                      CategoricalCrossentropy,
                                                      CategoricalHinge, Hinge, KLDivergence,
                                                      Poisson, SparseCategoricalCrossentropy,
                                                      SquaredHinge)
from graphkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from graphkeras.metrics.regression_metrics import (CosineSimilarity, LogCoshError,
                                                   MeanAbsoluteError,
                                                   MeanAbsolutePercentageError,
                                                   MeanSquaredError,
                                                   MeanSquaredLogarithmicError,
                                                   RootMeanSquaredError)
from graphkeras.backend import snake_case as _snake_case

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
)
# Keras 3's table: class names, their snake_case forms, and the short aliases
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})

# functions usable by name when no class has that name (``metrics=["huber"]``)
_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)}

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error


__all__ = sorted({cls.__name__ for cls in ALL_OBJECTS} | set(_FUNCTIONS) | {
    "binary_crossentropy", "categorical_crossentropy", "categorical_hinge", "hinge", "huber",
    "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_error", "mean_squared_logarithmic_error", "poisson",
    "sparse_categorical_crossentropy", "squared_hinge", "mse", "MSE", "mae", "MAE", "mape",
    "MAPE", "msle", "MSLE", "get", "serialize", "deserialize", "resolve", "direction_of"})


def serialize(metric):
    """A metric as a Keras 3 config dict, or a function's name."""
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": type(metric).__name__,
                "config": metric.get_config(), "registered_name": None}
    return getattr(metric, "__name__", str(metric))


def deserialize(config, custom_objects=None):
    """A metric (or metric function) from ``serialize``'s output."""
    if isinstance(config, str):
        found = (custom_objects or {}).get(config) or _lookup(config)
        if found is None:
            raise ValueError(f"Could not interpret metric identifier: {config!r}")
        return found
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS_DICT.get(name)
    if cls is None:
        raise ValueError(f"Could not interpret metric identifier: {name!r}")
    kwargs = dict(config.get("config") or {})
    if cls is MeanMetricWrapper:
        fn = kwargs.pop("fn")
        return MeanMetricWrapper(_lookup(fn) if isinstance(fn, str) else fn, **kwargs)
    return cls.from_config(kwargs)


def _lookup(name):
    """A metric class or function by name, Keras's table first, then the losses."""
    found = ALL_OBJECTS_DICT.get(name) or _FUNCTIONS.get(name)
    if found is None:
        found = _losses.ALL_OBJECTS_DICT.get(name)
        if inspect.isclass(found):
            found = None
    return found


def get(identifier):
    """A metric function or ``Metric`` instance from a name, a config dict, a class,
    an instance or a function."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _accuracy_for(identifier, y_true_shape, y_pred_shape):
    """Keras's choice behind ``"accuracy"``, from the shapes of targets and predictions."""
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy(name=identifier)
    if len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1
                                                  and y_pred_shape[-1] != 1):
        return SparseCategoricalAccuracy(name=identifier)
    return CategoricalAccuracy(name=identifier)


def resolve(identifier, y_true_shape, y_pred_shape):
    """The ``Metric`` that ``compile(metrics=[identifier])`` tracks, named as in Keras.

    ``"accuracy"``/``"acc"`` (any case) become binary accuracy when predictions
    have one column, sparse categorical accuracy when the targets are labels,
    and categorical accuracy otherwise. A string keeps that string as the
    metric's name; an instance keeps its own name; a function is averaged by
    a ``MeanMetricWrapper`` named after it. Besides Keras's metric names, any
    loss function's name or alias is accepted (``"huber"``, ``"kld"``).
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return _accuracy_for(identifier, y_true_shape, y_pred_shape)
        found = _lookup(identifier)
        if found is None:
            known = sorted({k for k in ALL_OBJECTS_DICT if k[0].islower()} | set(_FUNCTIONS))
            raise ValueError(f"Unknown metric: {identifier!r}. Known metrics include "
                             f"{known} and the names of the losses.")
        if inspect.isclass(found):
            return found(name=identifier)
        return MeanMetricWrapper(found, name=identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return _instance_of(identifier)
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def _instance_of(cls):
    """``cls()``, named as its first automatic name (``"auc"``, not ``"auc_3"``).

    Every program of a model resolves its metrics again, and all must agree on
    the names; Keras resolves a class once, so its first instance's name is the
    one it shows.
    """
    default = inspect.signature(cls).parameters.get("name")
    if default is not None and default.default is None:
        return cls(name=_snake_case(cls.__name__))
    return cls()


def direction_of(identifier):
    """``"up"``, ``"down"`` or None: which way a metric improves (for ``mode="auto"``)."""
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return "up"
    try:
        metric = resolve(identifier, (None, 2), (None, 2))
    except (ValueError, TypeError):
        return None
    return metric.direction
