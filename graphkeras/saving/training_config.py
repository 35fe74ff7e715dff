"""Compile arguments and optimizer state in files, so a loaded model can go on training.

Written: Keras 3's ``compile_config`` (``.keras``) and ``training_config``
(``.h5``: the same arguments with the optimizer moved to ``optimizer_config``).
Loss and metric names are written in full (``mean_squared_error``, not
``mse``), because Keras 3 cannot recompile a file whose loss is ``"mse"``.

Read: those, plus Keras 2's forms: ``Custom>Adam`` optimizer class names, ``lr``,
``decay``, metrics nested one list per output or wrapped in
``MeanMetricWrapper`` configs.

Optimizer state is positional, in Keras 3's order (``Optimizer.variables``).
Keras 2 files store it differently (no learning-rate variable; slot names like
``Adam/m/dense/kernel:0`` or, for the legacy optimizers, ``Adam/dense/kernel/m:0``
with all slots of one kind first); those are matched by name. State that cannot
be matched is skipped with a warning and the optimizer starts fresh, as Keras
does.
"""

import re
import warnings

import numpy as np

from graphkeras.saving import serialization
from graphkeras.saving.topology import keras_trainable_weights

_LOSS_ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error",
                 "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
                 "mape": "mean_absolute_percentage_error",
                 "MAPE": "mean_absolute_percentage_error",
                 "msle": "mean_squared_logarithmic_error",
                 "MSLE": "mean_squared_logarithmic_error",
                 "kld": "kl_divergence", "KLD": "kl_divergence",
                 "bce": "binary_crossentropy", "BCE": "binary_crossentropy",
                 "logcosh": "log_cosh", "kullback_leibler_divergence": "kl_divergence",
                 "huber_loss": "huber"}
_METRIC_ALIASES = dict(_LOSS_ALIASES)


# -- writing -------------------------------------------------------------------------------

def _serialize_loss(loss):
    from graphkeras import losses
    if loss is None:
        return None
    if isinstance(loss, str):
        return _LOSS_ALIASES.get(loss, loss)
    if isinstance(loss, (list, tuple)):
        return [_serialize_loss(l) for l in loss]
    if isinstance(loss, dict):
        return {k: _serialize_loss(v) for k, v in loss.items()}
    if isinstance(loss, losses.Loss) and not serialization._is_builtin(loss):
        return serialization.serialize_keras_object(loss)
    if isinstance(loss, losses.Loss):
        return losses.serialize(loss)
    if callable(loss):
        if serialization._is_builtin(loss):
            return _LOSS_ALIASES.get(loss.__name__, loss.__name__)
        return serialization.serialize_function(loss)
    raise TypeError(f"Cannot serialize the loss {loss!r}.")


def _serialize_metric(metric):
    if isinstance(metric, str):
        return _METRIC_ALIASES.get(metric, metric)
    if callable(metric) and not hasattr(metric, "get_config"):
        if serialization._is_builtin(metric):
            return _METRIC_ALIASES.get(metric.__name__, metric.__name__)
        return serialization.serialize_function(metric)
    name = getattr(metric, "name", None)
    if isinstance(name, str):
        return _METRIC_ALIASES.get(name, name)
    return serialization.serialize_keras_object(metric)


def compile_arguments(model):
    """The loss, loss weights and metrics of ``model.compile`` as JSON-ready values."""
    state = model._compile_state
    names = model.output_names
    metrics = [[_serialize_metric(m) for m in per] for per in state.metrics]
    if len(names) == 1:
        metrics = metrics[0] or None
    elif not any(metrics):
        metrics = None
    weights = list(state.loss_weights)
    return {"loss": _serialize_loss(state.loss_config),
            "loss_weights": None if all(w == 1.0 for w in weights) else weights,
            "metrics": metrics, "weighted_metrics": None, "run_eagerly": False,
            "steps_per_execution": 1, "jit_compile": True}


def compile_config(model):
    """Keras 3's ``compile_config`` (the ``.keras`` form), or None if not compiled."""
    if getattr(model, "_compile_state", None) is None:
        return None
    config = {"optimizer": serialization.serialize_keras_object(model.optimizer)}
    config.update(compile_arguments(model))
    return config


def training_config(model):
    """Keras 3's ``training_config`` (the ``.h5`` form), or None if not compiled."""
    if getattr(model, "_compile_state", None) is None:
        return None
    config = compile_arguments(model)
    optimizer = serialization.serialize_keras_object(model.optimizer)
    config["optimizer_config"] = {"class_name": optimizer["class_name"],
                                  "config": optimizer["config"]}
    return config


def optimizer_state(model):
    """``(keras names, values)`` of the optimizer's variables, in Keras 3's order."""
    optimizer = model.optimizer
    optimizer.build(keras_trainable_weights(model))
    variables = optimizer.variables
    return [v.path for v in variables], [v.numpy() for v in variables]


# -- reading -------------------------------------------------------------------------------

def _deserialize_loss(value, custom_objects, where):
    from graphkeras import losses
    if value is None:
        return None
    if isinstance(value, list):
        return [_deserialize_loss(v, custom_objects, where) for v in value]
    if isinstance(value, str):
        custom = serialization.get_registered_object(value, custom_objects)
        return custom if custom is not None else value
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _deserialize_loss(v, custom_objects, where) for k, v in value.items()}
    if isinstance(value, dict) and value.get("class_name") == "function":
        name = value.get("config")
        custom = serialization.get_registered_object(name, custom_objects)
        return custom if custom is not None else name
    obj = serialization.deserialize_keras_object(value, custom_objects, kind="loss",
                                                 where=f"{where}, loss")
    if isinstance(obj, type) and issubclass(obj, losses.Loss):
        obj = obj()
    return obj


def _metric_name(value, custom_objects):
    from graphkeras import backend
    if isinstance(value, str):
        custom = serialization.get_registered_object(value, custom_objects)
        return custom if custom is not None else value
    if isinstance(value, dict) and value.get("class_name") == "function":
        return _metric_name(value.get("config"), custom_objects)
    if isinstance(value, dict) and "class_name" in value:
        config = value.get("config") or {}
        custom = serialization.get_registered_object(value["class_name"], custom_objects)
        if custom is not None:
            return custom.from_config(config) if hasattr(custom, "from_config") else custom
        if value["class_name"] == "MeanMetricWrapper":
            name = config.get("name")
            if name in ("accuracy", "acc"):
                return name
            return _metric_name(config.get("fn") or name, custom_objects)
        return backend.snake_case(value["class_name"])
    return value


def _supported_metric(metric):
    from graphkeras import metrics
    if not isinstance(metric, str) or metric in ("accuracy", "acc"):
        return True
    get = getattr(metrics, "get", None)
    try:
        if get is not None:
            get(metric)
        elif hasattr(metrics, "resolve"):
            metrics.resolve(metric, (None, 2), (None, 2))
        return True
    except ValueError:
        return False


def _deserialize_metrics(value, custom_objects, where):
    if value is None:
        return None

    def one(m):
        metric = _metric_name(m, custom_objects)
        if not _supported_metric(metric):
            warnings.warn(f"{where}: the metric {metric!r} is not supported by graphkeras; "
                          "the model is compiled without it.", stacklevel=5)
            return None
        return metric

    if isinstance(value, dict):
        return {k: [x for x in (one(m) for m in (v if isinstance(v, list) else [v]))
                    if x is not None] for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return [[x for x in (one(m) for m in v) if x is not None] for v in value]
    return [x for x in (one(m) for m in value) if x is not None]


def compile_from_config(model, config, custom_objects=None, where="training config"):
    """``model.compile(...)`` with the arguments a file recorded."""
    if "optimizer" in config:
        optimizer_config = config["optimizer"]
    else:
        optimizer_config = config.get("optimizer_config")
    optimizer = "rmsprop"
    if isinstance(optimizer_config, dict):
        optimizer = serialization.deserialize_keras_object(
            optimizer_config, custom_objects, kind="optimizer", where=f"{where}, optimizer")
    elif isinstance(optimizer_config, str):
        optimizer = optimizer_config
    loss = _deserialize_loss(config.get("loss"), custom_objects, where)
    metrics = _deserialize_metrics(config.get("metrics"), custom_objects, where)
    weighted = config.get("weighted_metrics")
    if weighted:
        warnings.warn(f"{where}: `weighted_metrics` {weighted!r} are not supported by "
                      "graphkeras; the model is compiled without them.", stacklevel=3)
    if isinstance(metrics, list) and len(model.outputs) > 1 and metrics and \
            not all(isinstance(m, list) for m in metrics):
        metrics = [list(metrics) for _ in model.outputs]
    model.compile(optimizer=optimizer, loss=loss, loss_weights=config.get("loss_weights"),
                  metrics=metrics or None)


_K2_SLOTS = {"m": "momentum", "v": "velocity", "vhat": "velocity_hat", "rms": "velocity",
             "mg": "average_gradient", "momentum": "momentum", "velocity": "velocity",
             "accumulator": "accumulator", "average_gradient": "average_gradient",
             "velocity_hat": "velocity_hat"}


def _keras2_state(optimizer, names, values):
    """Keras 2 optimizer state rearranged into ``optimizer.variables`` order, or None."""
    variables = optimizer.variables
    var_list = optimizer._var_list
    if not names or not re.search(r"iter(ation)?(s)?(:0)?$", names[0]):
        return None
    slots, var_order = {}, []
    for name, value in zip(names[1:], values[1:]):
        name = name[:-2] if name.endswith(":0") else name
        parts = name.split("/")
        if len(parts) >= 3 and parts[1] in _K2_SLOTS:      # Adam/m/dense/kernel
            slot, var_path = _K2_SLOTS[parts[1]], "/".join(parts[2:])
        elif len(parts) >= 3 and parts[-1] in _K2_SLOTS:   # Adam/dense/kernel/m
            slot, var_path = _K2_SLOTS[parts[-1]], "/".join(parts[1:-1])
        else:
            return None
        if var_path not in var_order:
            var_order.append(var_path)
        slots[(var_path, slot)] = value
    if len(var_order) != len(var_list):
        return None
    by_key = {}
    for var_path, var in zip(var_order, var_list):
        for (path, slot), value in slots.items():
            if path == var_path:
                by_key[f"{optimizer.state_prefix}/{var.key}/{slot}"] = value
    out = []
    for var in variables:
        if var.key.endswith("/iterations"):
            out.append(values[0])
        elif var.key.endswith("/learning_rate"):
            out.append(var.numpy())
        elif var.key in by_key:
            out.append(by_key.pop(var.key))
        else:
            return None
    return out if not by_key else None


def restore_optimizer(model, names, values, path):
    """Set the optimizer's state from a file; warn and start fresh if it does not fit."""
    optimizer = model.optimizer
    optimizer.build(keras_trainable_weights(model))
    variables = optimizer.variables
    arranged = None
    if len(values) == len(variables) and all(
            tuple(np.shape(v)) == var.shape for v, var in zip(values, variables)):
        arranged = values
    elif names is not None:
        arranged = _keras2_state(optimizer, names, values)
    if arranged is None:
        warnings.warn(f"{path}: the saved optimizer state ({len(values)} variables) does not "
                      f"fit the optimizer {optimizer.name!r} ({len(variables)} variables); "
                      "training will continue from a fresh optimizer state.", stacklevel=3)
        return False
    optimizer.set_weights(arranged)
    return True
