"""The legacy HDF5 layout: full models (``model.save("m.h5")``) and Keras 2 weight files.

Layout (keras.md section 1): root attributes ``model_config``, ``training_config``,
``keras_version``, ``backend``; a ``model_weights`` group with ``layer_names``
and one group per layer whose ``weight_names`` attribute lists its weights in
order (trainable, then non-trainable), each stored as a dataset at that name;
``optimizer_weights`` with its own ``weight_names``. A Keras 2 weights file
(``save_weights("w.h5")``) has the ``model_weights`` layout at the root.

Reading never trusts dataset names: weights are read in ``weight_names``
order, layers are paired by position (or by name with ``by_name=True``), and
every value is read and checked before the first one is assigned, so a file
that does not fit leaves the model unchanged.
"""

import logging
import warnings

import numpy as np

from graphkeras.saving import h5io
from graphkeras.saving.errors import FileFormatError
from graphkeras.saving.topology import keras_layer_order, legacy_weights

logger = logging.getLogger("graphkeras")


def _weight_names(weights):
    """Dataset names for ``weights``: the variable paths, made unique within the layer."""
    names, seen = [], set()
    for v in weights:
        base = v.path.replace(":", "_")
        name, i = base, 1
        while name in seen:
            name = f"{base}_{i}"
            i += 1
        seen.add(name)
        names.append(name)
    return names


def write_layer_groups(group, model, keras_version, backend):
    """Write ``layer_names`` and one group per layer into ``group`` (Keras's weight layout)."""
    layers = keras_layer_order(model)
    h5io.write_list_attr(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = backend
    group.attrs["keras_version"] = keras_version
    for layer in layers:
        sub = group.create_group(layer.name)
        weights = legacy_weights(layer)
        names = _weight_names(weights)
        h5io.write_list_attr(sub, "weight_names", names)
        for name, var in zip(names, weights):
            value = var.numpy()
            dataset = sub.create_dataset(name, value.shape, dtype=value.dtype)
            if value.size:
                dataset[...] = value
    top = group.create_group("top_level_model_weights")
    h5io.write_list_attr(top, "weight_names", [])


def write_value_list(group, names, values):
    """Datasets at ``names`` (which may contain ``/``) and the ``weight_names`` attribute."""
    h5io.write_list_attr(group, "weight_names", names)
    for name, value in zip(names, values):
        value = np.asarray(value)
        dataset = group.create_dataset(name, value.shape, dtype=value.dtype)
        if value.size:
            dataset[...] = value


def read_value_list(group, path, what):
    """The arrays a group's ``weight_names`` attribute lists, in that order."""
    names = h5io.read_list_attr(group, "weight_names")
    if names is None:
        raise FileFormatError(path, f"{what} has no `weight_names` attribute.")
    values = []
    for name in names:
        if name not in group:
            raise FileFormatError(path, f"{what} lists the weight {name!r}, which is missing "
                                  "from the file (truncated or edited file).")
        try:
            values.append(np.asarray(group[name][()]))
        except (OSError, KeyError, ValueError) as e:
            raise FileFormatError(path, f"cannot read weight {name!r} of {what} ({e}); the "
                                  "file is corrupt.") from e
    return names, values


def _file_layers(group, path):
    names = h5io.read_list_attr(group, "layer_names")
    if names is None:
        raise FileFormatError(path, "holds no layer weights (no `layer_names` attribute): it "
                              "is not a Keras weights file.")
    out = []
    for name in names:
        if name not in group:
            raise FileFormatError(path, f"lists layer {name!r} but has no group for it "
                                  "(truncated or edited file).")
        weight_names, values = read_value_list(group[name], path, f"layer {name!r}")
        out.append((name, weight_names, values))
    return out


def _check_pair(layer, file_name, values, path, skip_mismatch, plan):
    """Append ``(variable, value)`` pairs for one layer to ``plan``, or explain the misfit."""
    weights = legacy_weights(layer)
    if len(weights) != len(values):
        problem = (f"layer {layer.name!r} of the model has {len(weights)} weights, but the "
                   f"file's layer {file_name!r} has {len(values)}")
        if skip_mismatch:
            warnings.warn(f"{path}: skipping loading of weights for {problem}.", stacklevel=4)
            return
        raise FileFormatError(path, f"{problem}: the file was saved from another "
                              "architecture.")
    for var, value in zip(weights, values):
        if tuple(value.shape) != tuple(var.shape):
            problem = (f"weight {var.path!r} of layer {layer.name!r} has shape "
                       f"{tuple(var.shape)}, but the file's value (layer {file_name!r}) has "
                       f"shape {tuple(value.shape)}")
            if skip_mismatch:
                warnings.warn(f"{path}: skipping {problem}.", stacklevel=4)
                continue
            raise FileFormatError(path, f"{problem}: the file was saved from another "
                                  "architecture.")
        plan.append((var, value))


def plan_weights(model, group, path, by_name=False, skip_mismatch=False):
    """Match the file's layer weights in ``group`` to ``model``: ``[(variable, value)]``.

    Topological loading pairs the layers that have weights by position (Keras's
    rule). When the paired names differ but both sides have the same set of
    layer names, as when graphkeras and Keras order a graph's layers
    differently, the layers are paired by name instead, which is what
    position would have meant.
    """
    file_layers = _file_layers(group, path)
    plan = []
    model_layers = keras_layer_order(model)
    if by_name:
        by = {}
        for layer in model_layers:
            by.setdefault(layer.name, []).append(layer)
        for name, _, values in file_layers:
            for layer in by.get(name, []):
                _check_pair(layer, name, values, path, skip_mismatch, plan)
    else:
        with_weights = [layer for layer in model_layers if legacy_weights(layer)]
        file_with = [entry for entry in file_layers if entry[2]]
        if len(with_weights) != len(file_with):
            raise FileFormatError(
                path, f"layer count mismatch: the file holds weights for {len(file_with)} "
                f"layers ({[e[0] for e in file_with]}), the model has {len(with_weights)} "
                f"layers with weights ({[l.name for l in with_weights]}); the file was saved "
                "from another architecture.")
        model_names = [layer.name for layer in with_weights]
        file_names = [e[0] for e in file_with]
        if model_names != file_names and sorted(model_names) == sorted(file_names):
            index = {e[0]: e for e in file_with}
            file_with = [index[name] for name in model_names]
        for layer, (name, _, values) in zip(with_weights, file_with):
            _check_pair(layer, name, values, path, skip_mismatch, plan)
    if "top_level_model_weights" in group:
        _, values = read_value_list(group["top_level_model_weights"], path,
                                    "top_level_model_weights")
        own = list(model._trainable_variables) + list(model._non_trainable_variables)
        if len(values) != len(own) and not skip_mismatch:
            raise FileFormatError(path, f"the file has {len(values)} model-level weights, "
                                  f"the model has {len(own)}.")
        plan.extend((v, value) for v, value in zip(own, values)
                    if tuple(value.shape) == tuple(v.shape))
    return plan


def apply_plan(plan):
    for var, value in plan:
        var.assign(value)


def weights_group(f):
    """The group holding layer weights: the root (weights file) or ``model_weights``."""
    if "layer_names" not in f.attrs and "layer_names0" not in f.attrs \
            and "model_weights" in f:
        return f["model_weights"]
    return f
