"""``save_model``, ``load_model``, ``save_weights``, ``load_weights``, ``model_from_json``.

The format follows the file: ``.keras`` is Keras 3's zip archive, ``.h5`` /
``.hdf5`` the legacy HDF5 layout, ``.weights.h5`` Keras 3's structural weights.
When reading, the content decides (a zip or an HDF5 signature), so a misnamed
file still loads or fails with a message about what it really is.

Every write goes through ``atomic.atomic_path``: everything is computed first,
then written to a temporary file beside the target and renamed over it, so a
failure at any point leaves the previous file as it was. Every read checks
the whole file against the model before assigning a single value, so a file
that does not fit leaves the model in memory unchanged.
"""

import json
import os

import h5py

from graphkeras.saving import (h5io, keras_zip, legacy_h5, model_config, serialization,
                               training_config, weights_h5)
from graphkeras.saving.atomic import atomic_path
from graphkeras.saving.errors import FileFormatError

#: the Keras file format graphkeras writes (files claim it, as Keras reads that version)
KERAS_VERSION = "3.15.1"
#: the ``backend`` attribute of written ``.h5`` files
BACKEND = "graphkeras"
ZIP_SIGNATURE = b"PK\x03\x04"


def _graphkeras_version():
    import graphkeras
    return getattr(graphkeras, "__version__", "unknown")


def _kind_by_content(path):
    if os.path.isdir(path):
        return "dir"
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_SIGNATURE):
        return "zip"
    if head == h5io.HDF5_SIGNATURE:
        return "h5"
    return None


def _check_exists(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file or directory: {path}")


def _check_built(model, what):
    if not model.built:
        raise ValueError(f"Cannot {what} model {model.name!r}: it is not built yet (its input "
                         "shape is unknown). Call it on data or `build()` it first.")


def _with_path(path, error):
    """``error`` re-raised with the file's path in front of its message."""
    if isinstance(error, FileFormatError):
        return error
    message = str(error)
    prefix = f"{path}: "
    if message.startswith(str(path)):
        message = message[len(str(path)):].lstrip(":, ")
    if isinstance(error, NotImplementedError):
        return NotImplementedError(prefix + message)
    if isinstance(error, ValueError):
        return FileFormatError(path, message)
    return FileFormatError(path, f"the model config is malformed ({type(error).__name__}: "
                                 f"{error}).")


def _build_model(config, custom_objects, safe_mode, path):
    try:
        with serialization.safe_mode_scope(safe_mode):
            return model_config.model_from_config(config, custom_objects, where=str(path))
    except (ValueError, TypeError, KeyError, IndexError, NotImplementedError) as e:
        raise _with_path(path, e) from e


# -- save ----------------------------------------------------------------------------------

def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Save ``model`` to ``filepath`` (``.keras`` or ``.h5``), atomically."""
    path = os.fspath(filepath)
    unknown = set(kwargs) - {"save_format", "zipped"}
    if unknown:
        raise TypeError(f"Invalid keyword argument(s) for `save`: {sorted(unknown)}")
    if kwargs.get("zipped") is False:
        raise NotImplementedError("`zipped=False` (an unzipped directory) is not supported.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and `overwrite=False`.")
    _check_built(model, "save")
    if path.endswith(".keras"):
        _save_keras(model, path, include_optimizer)
    elif path.endswith((".h5", ".hdf5")):
        _save_h5(model, path, include_optimizer)
    else:
        raise ValueError(f"Invalid filepath extension for saving: {path}. Use a `.keras` "
                         "file (Keras 3's format) or `.h5` (the legacy HDF5 format).")


def _save_h5(model, path, include_optimizer):
    config = h5io.json_attr(model_config.model_envelope(model, legacy=True))
    train = training_config.training_config(model) if include_optimizer else None
    state = training_config.optimizer_state(model) if train is not None else None
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["backend"] = BACKEND
            f.attrs["graphkeras_version"] = _graphkeras_version()
            f.attrs["model_config"] = config
            legacy_h5.write_layer_groups(f.create_group("model_weights"), model,
                                         KERAS_VERSION, BACKEND)
            if train is not None:
                f.attrs["training_config"] = h5io.json_attr(train)
                legacy_h5.write_value_list(f.create_group("optimizer_weights"), *state)


def _save_keras(model, path, include_optimizer):
    config = model_config.model_envelope(model)
    compiled = training_config.compile_config(model)
    if compiled is not None:
        config["compile_config"] = compiled
    values = name = None
    if include_optimizer and compiled is not None:
        _, values = training_config.optimizer_state(model)
        name = model.optimizer.name
    weights = keras_zip.weights_bytes(model, values, name)
    meta = keras_zip.metadata(KERAS_VERSION, _graphkeras_version())
    with atomic_path(path) as tmp:
        keras_zip.write(tmp, config, meta, weights)


def save_weights(model, filepath, overwrite=True):
    """Save the weights: ``.weights.h5`` (Keras 3 layout) or ``.h5`` (legacy layout)."""
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and `overwrite=False`.")
    _check_built(model, "save the weights of")
    if path.endswith(".weights.h5"):
        values = name = None
        if getattr(model, "_compile_state", None) is not None:
            _, values = training_config.optimizer_state(model)
            name = model.optimizer.name
        with atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                weights_h5.write_model_weights(f, model, values, name)
    elif path.endswith((".h5", ".hdf5")):
        with atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                legacy_h5.write_layer_groups(f, model, KERAS_VERSION, BACKEND)
    else:
        raise ValueError(f"The filename must end in `.weights.h5` (Keras 3's layout) or "
                         f"`.h5` (the legacy layout). Received: filepath={path}")


# -- load ----------------------------------------------------------------------------------

def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by graphkeras, Keras 3 or Keras 2 (``.keras`` or ``.h5``).

    Args:
        filepath: the file.
        custom_objects: ``{name: class or function}`` for user-defined objects.
        compile: recompile with the saved compile arguments and restore the
            optimizer state, when the file has them.
        safe_mode: refuse Python lambdas stored as bytecode (they run code from
            the file). Pass False only for files you trust.
    """
    path = os.fspath(filepath)
    _check_exists(path)
    kind = _kind_by_content(path)
    if kind == "zip":
        return _load_keras(path, custom_objects, compile, safe_mode)
    if kind == "h5":
        return _load_h5(path, custom_objects, compile, safe_mode)
    if kind == "dir":
        raise NotImplementedError(f"{path} is a directory: TensorFlow SavedModel directories "
                                  "and unzipped Keras archives cannot be loaded; save a "
                                  "`.keras` or `.h5` file instead.")
    raise FileFormatError(path, "is neither a Keras `.keras` archive (zip) nor an HDF5 file.")


def _load_h5(path, custom_objects, compile, safe_mode):
    with h5io.open_h5(path) as f:
        if "model_config" not in f.attrs:
            hint = ""
            if "layer_names" in f.attrs or "layers" in f or "vars" in f:
                hint = (" It holds weights only: build the model in code and call "
                        "`model.load_weights(...)`.")
            raise FileFormatError(path, "is an HDF5 file without a model (no `model_config` "
                                  "attribute)." + hint)
        try:
            config = json.loads(h5io.decode(f.attrs["model_config"]))
        except (ValueError, UnicodeDecodeError) as e:
            raise FileFormatError(path, f"its `model_config` is not valid JSON ({e}).") from e
        model = _build_model(config, custom_objects, safe_mode, path)
        if "model_weights" not in f:
            raise FileFormatError(path, "has a model config but no `model_weights` group.")
        plan = legacy_h5.plan_weights(model, f["model_weights"], path)
        train = f.attrs.get("training_config")
        optimizer = None
        if compile and train is not None and "optimizer_weights" in f:
            optimizer = legacy_h5.read_value_list(f["optimizer_weights"], path,
                                                  "optimizer_weights")
        legacy_h5.apply_plan(plan)
        if compile and train is not None:
            try:
                train_config = json.loads(h5io.decode(train))
            except (ValueError, UnicodeDecodeError) as e:
                raise FileFormatError(path, f"its `training_config` is not valid JSON "
                                      f"({e}).") from e
            _compile(model, train_config, custom_objects, path)
            if optimizer is not None:
                training_config.restore_optimizer(model, optimizer[0], optimizer[1], path)
    return model


def _compile(model, config, custom_objects, path):
    try:
        training_config.compile_from_config(model, config, custom_objects, where=str(path))
    except (ValueError, TypeError, KeyError) as e:
        raise _with_path(path, e) from e


def _load_keras(path, custom_objects, compile, safe_mode):
    archive = keras_zip.Archive(path)
    try:
        config = archive.config()
        model = _build_model(config, custom_objects, safe_mode, path)
        weights = archive.weights()
        if weights is None:
            raise FileFormatError(path, f"has no {keras_zip.WEIGHTS}.")
        with weights:
            plan = weights_h5.plan_model_weights(weights, model, path)
            optimizer = weights_h5.read_optimizer_values(weights, path)
        legacy_h5.apply_plan(plan)
        compiled = config.get("compile_config") if isinstance(config, dict) else None
        if compile and compiled:
            _compile(model, compiled, custom_objects, path)
            if optimizer is not None:
                training_config.restore_optimizer(model, None, optimizer, path)
    finally:
        archive.close()
    return model


def load_weights(model, filepath, skip_mismatch=False, by_name=False):
    """Load weights from ``.keras``, ``.weights.h5`` or legacy ``.h5`` files (any Keras)."""
    path = os.fspath(filepath)
    _check_exists(path)
    _check_built(model, "load weights into")
    kind = _kind_by_content(path)
    if kind == "zip":
        if by_name:
            raise ValueError(f"{path}: `by_name=True` applies to legacy `.h5` files only.")
        archive = keras_zip.Archive(path)
        try:
            weights = archive.weights()
            if weights is None:
                raise FileFormatError(path, f"has no {keras_zip.WEIGHTS}.")
            with weights:
                _load_structural(model, weights, path, skip_mismatch)
        finally:
            archive.close()
        return
    if kind != "h5":
        raise FileFormatError(path, "is not a weights file: neither HDF5 nor a `.keras` "
                              "archive.")
    with h5io.open_h5(path) as f:
        legacy = ("layer_names" in f.attrs or "layer_names0" in f.attrs
                  or "model_weights" in f)
        if not legacy and ("layers" in f or "vars" in f or
                           "_layer_checkpoint_dependencies" in f):
            if by_name:
                raise ValueError(f"{path}: `by_name=True` applies to legacy `.h5` files "
                                 "only; this file has Keras 3's layout.")
            _load_structural(model, f, path, skip_mismatch)
            return
        if not legacy:
            raise FileFormatError(path, "is an HDF5 file without Keras weights (no "
                                  "`layer_names` attribute and no `layers` group).")
        plan = legacy_h5.plan_weights(model, legacy_h5.weights_group(f), path,
                                      by_name=by_name, skip_mismatch=skip_mismatch)
    legacy_h5.apply_plan(plan)


def _load_structural(model, f, path, skip_mismatch):
    plan = weights_h5.plan_model_weights(f, model, path, skip_mismatch)
    optimizer = weights_h5.read_optimizer_values(f, path)
    legacy_h5.apply_plan(plan)
    if optimizer is not None and getattr(model, "_compile_state", None) is not None:
        training_config.restore_optimizer(model, None, optimizer, path)


# -- JSON --------------------------------------------------------------------------------

def model_to_json(model, **kwargs):
    """The model's architecture as Keras 3's JSON (no weights)."""
    return h5io.json_dumps(model_config.model_envelope(model), **kwargs)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """A new model (freshly initialized weights) from ``model.to_json()`` output."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError(f"`model_from_json` expects a JSON string; it could not be parsed "
                         f"({e}).") from e
    with serialization.safe_mode_scope(safe_mode):
        return model_config.model_from_config(config, custom_objects, where="model JSON")
