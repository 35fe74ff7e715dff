"""Losses with Keras 3's formulas and reductions.

``get`` accepts what Keras's does, returning a ``Loss`` object: a function or
class name (``"mean_squared_error"``, ``"Huber"``), an alias (``"mse"``,
``"MAE"``, ``"kld"``, ...), a config dict, a class, an instance or a function
(a function that is not a built-in loss is wrapped in ``LossFunctionWrapper``).
"""

import inspect

from graphkeras.losses.loss import (Loss, LossFunctionWrapper,  # noqa: F401
                                    reduce_weighted_values,
                                    squeeze_or_expand_to_same_rank)
from graphkeras.losses.losses import (  # noqa: F401
    BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge,
    Huber, KLDivergence, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredError, MeanSquaredLogarithmicError, Poisson, SparseCategoricalCrossentropy,
    SquaredHinge, binary_crossentropy, categorical_crossentropy, categorical_hinge,
    convert_binary_labels_to_hinge, cosine_similarity, hinge, huber, kl_divergence, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge)

# the Loss class of each built-in function
FUNCTION_CLASSES = {
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    cosine_similarity: CosineSimilarity,
    huber: Huber,
    log_cosh: LogCosh,
    kl_divergence: KLDivergence,
    poisson: Poisson,
    hinge: Hinge,
    squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy,
}

ALL_OBJECTS = {Loss, LossFunctionWrapper, *FUNCTION_CLASSES, *FUNCTION_CLASSES.values()}
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({
    # Keras 3's aliases
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    # Keras 2's spellings, still found in saved models
    "logcosh": log_cosh, "kullback_leibler_divergence": kl_divergence,
    "huber_loss": huber,
})

# short names of the functions, as Keras 2 exported them
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


__all__ = sorted({obj.__name__ for obj in ALL_OBJECTS} | {
    "convert_binary_labels_to_hinge", "reduce_weighted_values",
    "squeeze_or_expand_to_same_rank", "get", "serialize", "deserialize",
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "kullback_leibler_divergence", "logcosh"})


def serialize(loss):
    """A loss as a Keras 3 config dict, or a built-in function's name."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    return getattr(loss, "__name__", str(loss))


def deserialize(name, custom_objects=None):
    """A loss from ``serialize``'s output: a config dict or a name."""
    if isinstance(name, dict):
        class_name = name["class_name"]
        cls = (custom_objects or {}).get(class_name) or ALL_OBJECTS_DICT.get(class_name)
        if cls is None:
            raise ValueError(f"Could not interpret loss identifier: {class_name!r}.")
        config = dict(name.get("config") or {})
        if isinstance(cls, type):
            return cls.from_config(config)
        return _as_loss(cls)
    found = (custom_objects or {}).get(name) or ALL_OBJECTS_DICT.get(name)
    if found is None:
        raise ValueError(f"Could not interpret loss identifier: {name!r}.")
    return found


def _as_loss(fn):
    cls = FUNCTION_CLASSES.get(fn)
    return cls() if cls is not None else LossFunctionWrapper(fn)


def get(identifier):
    """A ``Loss`` from a name or alias, a config dict, a class, an instance or a function."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Known "
                             f"losses: {sorted(k for k in ALL_OBJECTS_DICT if k[0].islower())}.")
    else:
        obj = identifier
    if inspect.isclass(obj) and issubclass(obj, Loss):
        return obj()
    if isinstance(obj, Loss):
        return obj
    if callable(obj):
        return _as_loss(obj)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}.")
