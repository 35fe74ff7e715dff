"""Keras 3's structural weights layout (``.weights.h5``, and ``model.weights.h5`` in ``.keras``).

Layout (keras.md section 2.2)::

    /vars                               the model's own variables (attr name)
    /layers/<key>/vars/0, 1, ...        a layer's variables, trainable first
    /layers/<key>/layers/<key2>/vars    the layers of a nested model
    /optimizer/vars/0, 1, ...           the optimizer's variables in Keras order

A layer's ``<key>`` is its class name in snake case, made unique within its
list with ``_1``, ``_2``, ... in ``model.layers`` order (Keras 3's order), so
matching is by structure, not by layer name. Reading checks every group and
shape before assigning anything and reports groups of the file that the model
has no place for, so a file for another architecture is an error, not a
partial load.
"""

import warnings

import numpy as np

from graphkeras import backend
from graphkeras.saving.errors import FileFormatError
from graphkeras.saving.topology import keras_layer_order


def _class_key(layer):
    from graphkeras.models.model import Model
    cls = type(layer)
    if cls is Model:
        return "functional"
    return backend.snake_case(cls.__name__)


def own_variables(layer):
    """A layer's own variables in Keras's ``vars`` order (trainable list first)."""
    out, seen = [], set()
    for v in list(layer._trainable_variables) + list(layer._non_trainable_variables):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _children(layer):
    """``[(attribute, [sublayers])]`` Keras walks below a layer, in its order."""
    from graphkeras.models.model import Model
    if isinstance(layer, Model):
        return [("layers", keras_layer_order(layer))]
    subs = list(getattr(layer, "_sublayers", []))
    if subs:
        raise NotImplementedError(
            f"Saving the weights of layer {layer.name!r} ({type(layer).__name__}), which holds "
            "sublayers, in the Keras 3 layout is not supported yet; use the legacy `.h5` "
            "format.")
    return []


def walk(model):
    """``[(path, layer)]`` for every layer below ``model`` (the model itself at ``""``)."""
    out, visited = [], set()

    def visit(layer, path):
        if id(layer) in visited:
            return
        visited.add(id(layer))
        out.append((path, layer))
        for attr, sublayers in _children(layer):
            counts = {}
            for sub in sublayers:
                key = _class_key(sub)
                n = counts.get(key, 0)
                counts[key] = n + 1
                name = key if n == 0 else f"{key}_{n}"
                visit(sub, f"{path}/{attr}/{name}" if path else f"{attr}/{name}")

    visit(model, "")
    return out


def write_model_weights(f, model, optimizer_values=None, optimizer_name=None):
    """Write ``model``'s variables (and optionally the optimizer's) into open file ``f``."""
    for path, layer in walk(model):
        group = f.create_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = layer.name
        for i, var in enumerate(own_variables(layer)):
            value = var.numpy()
            dataset = group.create_dataset(str(i), value.shape, dtype=value.dtype)
            if value.size:
                dataset[...] = value
    if optimizer_values is not None:
        group = f.create_group("optimizer/vars")
        group.attrs["name"] = optimizer_name or "optimizer"
        for i, value in enumerate(optimizer_values):
            value = np.asarray(value)
            dataset = group.create_dataset(str(i), value.shape, dtype=value.dtype)
            if value.size:
                dataset[...] = value


def _read_vars(group, path, where):
    values = []
    i = 0
    while str(i) in group:
        try:
            values.append(np.asarray(group[str(i)][()]))
        except (OSError, KeyError, ValueError) as e:
            raise FileFormatError(path, f"cannot read {where}/{i} ({e}); the file is "
                                  "corrupt.") from e
        i += 1
    extra = [k for k in group.keys() if not k.isdigit() or int(k) >= i]
    if extra:
        raise FileFormatError(path, f"{where} has unexpected entries {sorted(extra)}.")
    return values


def _file_var_groups(f):
    """The paths of every non-empty ``vars`` group under ``layers`` in the file."""
    found = []

    def visit(name, obj):
        if name.endswith("vars") and name.split("/")[-1] == "vars" and len(obj):
            found.append(name[:-len("/vars")] if name != "vars" else "")
    f.visititems(lambda name, obj: visit(name, obj) if hasattr(obj, "keys") else None)
    return found


def plan_model_weights(f, model, path, skip_mismatch=False):
    """``[(variable, value)]`` matching file ``f`` to ``model``, every value checked."""
    if "layers" not in f and "_layer_checkpoint_dependencies" in f:
        layers_key = "_layer_checkpoint_dependencies"
    else:
        layers_key = "layers"
    if layers_key not in f and "vars" not in f:
        raise FileFormatError(path, "holds no Keras 3 model weights (no `layers` or `vars` "
                              "group).")
    plan, used = [], set()
    for layer_path, layer in walk(model):
        file_path = layer_path.replace("layers/", f"{layers_key}/") if layers_key != \
            "layers" else layer_path
        variables = own_variables(layer)
        group_name = f"{file_path}/vars" if file_path else "vars"
        where = group_name
        if group_name not in f:
            if variables:
                problem = (f"has no weights for layer {layer.name!r} (expected group "
                           f"{group_name!r}); it was saved from another architecture")
                if skip_mismatch:
                    warnings.warn(f"{path}: {problem}; skipped.", stacklevel=3)
                    continue
                raise FileFormatError(path, problem + ".")
            continue
        used.add(file_path)
        values = _read_vars(f[group_name], path, where)
        if len(values) != len(variables):
            problem = (f"layer {layer.name!r} has {len(variables)} variables, but the file's "
                       f"{where} has {len(values)}")
            if skip_mismatch:
                warnings.warn(f"{path}: {problem}; skipped.", stacklevel=3)
                continue
            raise FileFormatError(path, problem + ": it was saved from another "
                                  "architecture.")
        for var, value in zip(variables, values):
            if tuple(value.shape) != tuple(var.shape):
                problem = (f"variable {var.path!r} of layer {layer.name!r} has shape "
                           f"{tuple(var.shape)}, the file's value has {tuple(value.shape)}")
                if skip_mismatch:
                    warnings.warn(f"{path}: {problem}; skipped.", stacklevel=3)
                    continue
                raise FileFormatError(path, problem + ": it was saved from another "
                                      "architecture.")
            plan.append((var, value))
    unused = [p for p in _file_var_groups(f) if p not in used
              and not p.startswith("optimizer") and not p.startswith("metrics")]
    if unused and not skip_mismatch:
        raise FileFormatError(path, f"holds weights the model has no place for ({unused}); "
                              "it was saved from another architecture.")
    return plan


def read_optimizer_values(f, path):
    """The optimizer variables stored in ``optimizer/vars``, or None."""
    if "optimizer" not in f or "vars" not in f["optimizer"]:
        return None
    return _read_vars(f["optimizer/vars"], path, "optimizer/vars")
