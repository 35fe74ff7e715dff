"""Optimizers with Keras 3's update rules and defaults, and learning-rate schedules.

Each optimizer describes its update with ``graphkeras.ops`` (see
``optimizer.Optimizer``); the compiler's optimizer pass makes it part of the
compiled train program. ``get``, ``serialize`` and ``deserialize`` accept what
Keras accepts: names (``"adam"``, ``"sgd"``, ...), class names, config dicts
(including Keras 2's ``Custom>Adam`` class names and legacy ``lr``/``decay``
configs) and instances.
"""

from graphkeras.optimizers import schedules
from graphkeras.optimizers.adadelta import Adadelta
from graphkeras.optimizers.adagrad import Adagrad
from graphkeras.optimizers.adam import Adam
from graphkeras.optimizers.adamax import Adamax
from graphkeras.optimizers.adamw import AdamW
from graphkeras.optimizers.nadam import Nadam
from graphkeras.optimizers.optimizer import Optimizer
from graphkeras.optimizers.rmsprop import RMSprop
from graphkeras.optimizers.sgd import SGD

ALL_OBJECTS = (Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam)
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}

__all__ = [cls.__name__ for cls in ALL_OBJECTS] + ["schedules", "get", "serialize",
                                                     "deserialize"]


def serialize(optimizer):
    """An optimizer as a Keras 3 config dict (``module``, ``class_name``, ``config``)."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """An optimizer from a config dict; class names are matched case-insensitively.

    Keras 2's ``Custom>`` prefix is dropped, and Keras 2 configs with ``lr`` (or
    ``decay``, which Keras 3 ignores with a warning) are accepted.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret optimizer config: {config!r}. Expected a "
                         "dict with a `class_name` and a `config`.")
    name = config["class_name"]
    custom = (custom_objects or {}).get(name)
    cls = custom or ALL_OBJECTS_DICT.get(name.replace("Custom>", "").lower())
    if cls is None or cls is Optimizer:
        raise ValueError(f"Could not interpret optimizer identifier: {name!r}. Known "
                         f"optimizers: {sorted(set(ALL_OBJECTS_DICT) - {'optimizer'})}.")
    return cls.from_config(dict(config.get("config") or {}), custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name (``"adam"``), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
