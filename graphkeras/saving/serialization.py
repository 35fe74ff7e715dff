"""Object envelopes, the registry of user classes, and safe deserialization.

Keras stores every object (layer, initializer, optimizer, loss, ...) as an
envelope ``{"module", "class_name", "config", "registered_name"}`` (Keras 2 and
Keras 3's legacy ``.h5`` configs leave out ``module``/``registered_name`` on
layers). ``serialize_keras_object`` writes Keras 3's envelope with Keras's
public module names, so Keras 3 reads graphkeras files; and
``deserialize_keras_object`` reads both generations.

Safety: nothing is ever imported because a file names a module. A class is
found among graphkeras's own classes, in ``custom_objects`` or in the
registry filled by ``register_keras_serializable``; anything else is refused
with an error that says how to supply it. A Python lambda stored as bytecode
(Keras's ``__lambda__``, or Keras 2's list-form ``function``) is refused unless
the caller passes ``safe_mode=False``, since unmarshalling it runs code from
the file (CVE-2024-3660).

Keras configs carry keys graphkeras classes do not take (``quantization_config``,
``input_axes``, ``use_ema``, Keras 2's ``time_major``, ...). For graphkeras's own
classes an unknown key whose value switches nothing on (None, False, 0, empty)
is dropped; any other unknown key is a ``NotImplementedError`` naming it,
rather than a silently different model.
"""

import base64
import contextlib
import inspect
import logging
import marshal
import threading
import types

import numpy as np

logger = logging.getLogger("graphkeras")

_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
_STATE = threading.local()

# keys dropped whatever their value: bookkeeping that never changes a model
_ALWAYS_IGNORED = {"shared_object_id"}
# keys a class accepts but only to warn about; dropped when they are off (Keras 2's decay=0)
_IGNORED_IF_NEUTRAL = {"decay"}


# -- registry and scopes -------------------------------------------------------------------

def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function as ``"package>name"`` for deserialization.

    Example:

    >>> @register_keras_serializable(package="my_pkg")
    ... class Scale(graphkeras.layers.Layer):
    ...     ...
    """
    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"Cannot register {obj!r}: a class must define `get_config`.")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj
    return decorator


def get_registered_name(obj):
    """The name ``obj`` is registered under, else its ``__name__``."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", None))


def get_custom_objects():
    """The live dict of globally registered custom objects (name -> object)."""
    return _GLOBAL_CUSTOM_OBJECTS


def _scopes():
    if not hasattr(_STATE, "scopes"):
        _STATE.scopes = []
    return _STATE.scopes


@contextlib.contextmanager
def custom_object_scope(*dicts):
    """Within the block, the objects of ``dicts`` (name -> object) are known to loaders."""
    merged = {}
    for d in dicts:
        merged.update(d or {})
    _scopes().append(merged)
    try:
        yield merged
    finally:
        _scopes().pop()


CustomObjectScope = custom_object_scope


def _scoped_objects(custom_objects=None):
    merged = {}
    for scope in _scopes():
        merged.update(scope)
    merged.update(custom_objects or {})
    return merged


def in_safe_mode():
    """Whether lambdas are refused (True unless inside ``safe_mode_scope(False)``)."""
    return getattr(_STATE, "safe_mode", True)


@contextlib.contextmanager
def safe_mode_scope(safe_mode=True):
    previous = in_safe_mode()
    _STATE.safe_mode = True if safe_mode is None else bool(safe_mode)
    try:
        yield
    finally:
        _STATE.safe_mode = previous


def get_registered_object(name, custom_objects=None):
    """The object called ``name`` in ``custom_objects``, the scopes or the registry, or None."""
    scoped = _scoped_objects(custom_objects)
    if name in scoped:
        return scoped[name]
    return _GLOBAL_CUSTOM_OBJECTS.get(name)


# -- graphkeras's own objects --------------------------------------------------------------

def _builtin_tables():
    """``{kind: {class or function name: object}}`` of graphkeras's public objects."""
    import graphkeras
    from graphkeras import (activations, constraints, initializers, layers, losses, metrics,
                            optimizers, regularizers)

    def public(module, base=None):
        out = {}
        for attr in dir(module):
            if attr.startswith("_"):
                continue
            obj = getattr(module, attr)
            if base is None or (inspect.isclass(obj) and issubclass(obj, base)):
                out[attr] = obj
        return out

    opt_base = getattr(optimizers, "Optimizer", None)
    tables = {
        "layer": public(layers, layers.Layer),
        "initializer": public(initializers, initializers.Initializer),
        "regularizer": public(regularizers, regularizers.Regularizer),
        "constraint": public(constraints, constraints.Constraint),
        "optimizer": public(optimizers, opt_base) if opt_base else {},
        "loss": {k: v for k, v in public(losses).items() if callable(v)},
        "metric": {k: v for k, v in public(metrics).items() if callable(v)},
        "activation": {k: v for k, v in public(activations).items()
                       if inspect.isfunction(v)},
    }
    tables["layer"].update({"Sequential": graphkeras.Sequential, "Functional": graphkeras.Model,
                            "Model": graphkeras.Model})
    for name, cls in getattr(initializers, "_CLASSES", {}).items():
        tables["initializer"].setdefault(name, cls)
    for name, cls in getattr(regularizers, "_BY_NAME", {}).items():
        tables["regularizer"].setdefault(name, cls)
    return tables


# Keras's public module of each kind; a file's `module` picks the table to search
_MODULES = {"layer": "keras.layers", "initializer": "keras.initializers",
            "regularizer": "keras.regularizers", "constraint": "keras.constraints",
            "optimizer": "keras.optimizers", "loss": "keras.losses",
            "metric": "keras.metrics", "activation": "keras.activations"}


def _kind_of_module(module):
    if not module:
        return None
    for kind, public in _MODULES.items():
        if module == public or module.startswith(public.replace("keras.", "keras.src.")):
            return kind
    if module.startswith("keras.src.models") or module == "keras":
        return "layer"
    return None


def _is_keras_module(module):
    # "builtins" is how Keras 3 labels its own functions (activations, losses)
    return module is None or module.split(".")[0] in ("keras", "graphkeras", "tf_keras",
                                                      "builtins")


def _base_classes():
    from graphkeras import constraints, initializers, layers, losses, regularizers
    from graphkeras import optimizers
    bases = [("layer", layers.Layer), ("initializer", initializers.Initializer),
             ("regularizer", regularizers.Regularizer), ("constraint", constraints.Constraint),
             ("loss", losses.Loss)]
    if hasattr(optimizers, "Optimizer"):
        bases.append(("optimizer", optimizers.Optimizer))
    return bases


def _kind_of_object(obj):
    for kind, base in _base_classes():
        if isinstance(obj, base):
            return kind
    return None


def _is_builtin(obj_or_cls):
    cls = obj_or_cls if inspect.isclass(obj_or_cls) or inspect.isfunction(obj_or_cls) \
        else type(obj_or_cls)
    return (getattr(cls, "__module__", "") or "").startswith("graphkeras.")


# -- serialize -----------------------------------------------------------------------------

def serialize_keras_object(obj):
    """``obj`` as Keras 3's JSON-ready envelope (plain values pass through)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return serialize_function(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it is not a Keras object (no "
                        "`get_config`).")
    from graphkeras.layers.layer import Layer
    from graphkeras.models.model import Model
    from graphkeras.models.sequential import Sequential
    cls = type(obj)
    if cls is Sequential:
        module, class_name, registered = "keras", "Sequential", None
    elif cls is Model:
        module, class_name, registered = "keras.src.models.functional", "Functional", \
            "Functional"
    elif _is_builtin(cls):
        kind = _kind_of_object(obj)
        module, class_name, registered = _MODULES.get(kind, "keras"), cls.__name__, None
    else:
        module, class_name = cls.__module__, cls.__name__
        registered = _GLOBAL_CUSTOM_NAMES.get(cls, cls.__name__)
    config = obj.get_config()
    envelope = {"module": module, "class_name": class_name,
                "config": serialize_keras_object(config), "registered_name": registered}
    if isinstance(obj, Layer):
        build = build_config_of(obj)
        if build is not None:
            envelope["build_config"] = build
    return envelope


def serialize_function(fn):
    """A named function as Keras 3's function reference (lambdas cannot be stored safely)."""
    name = getattr(fn, "__name__", None)
    if name is None or name == "<lambda>":
        raise NotImplementedError(
            f"Cannot serialize the Python lambda {fn!r}: Keras stores lambdas as bytecode, "
            "which loaders refuse by default. Use a named function registered with "
            "`register_keras_serializable`, or pass it in `custom_objects` when loading.")
    if fn in _GLOBAL_CUSTOM_NAMES:
        name = _GLOBAL_CUSTOM_NAMES[fn]
    module = getattr(fn, "__module__", None) or "builtins"
    if module.startswith("graphkeras."):
        module = "keras." + module.split(".", 1)[1]
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": "function"}


def build_config_of(layer):
    """Keras's ``build_config`` of a built layer: the input shape(s) of its first call."""
    from graphkeras.models.model import Model
    from graphkeras.models.sequential import Sequential
    if isinstance(layer, Model) and not isinstance(layer, Sequential):
        return {"input_shape": None}
    if isinstance(layer, Sequential):
        if layer.built and layer.inputs:
            return {"input_shape": list(layer.inputs[0].shape)}
        return None
    if not layer.built or not layer._inbound_nodes:
        return None
    from graphkeras.utils.structure import map_structure
    node = layer._inbound_nodes[0]
    if not node.input_tensors:
        return None
    shapes = map_structure(lambda t: list(t.shape), node.call_inputs)
    return {"input_shape": shapes}


# -- deserialize ---------------------------------------------------------------------------

def _is_envelope(value):
    return isinstance(value, dict) and "class_name" in value and "config" in value


def contains_lambda(config):
    """Whether a config holds a Python lambda as bytecode (Keras 3 or Keras 2 form)."""
    if isinstance(config, dict):
        if config.get("class_name") == "__lambda__":
            return True
        if config.get("function_type") == "lambda" or \
                config.get("output_shape_type") == "lambda":
            return True
        return any(contains_lambda(v) for v in config.values())
    if isinstance(config, list):
        return any(contains_lambda(v) for v in config)
    return False


def _refuse_lambda(where):
    raise ValueError(
        f"{where} contains a Python lambda stored as bytecode. Loading it would run code "
        "from the file, which can do anything, so it is refused in safe mode. If you trust "
        "the file, load it with `safe_mode=False`; better, replace the lambda with a named "
        "function passed in `custom_objects`.")


def _function_globals(custom_objects):
    import graphkeras
    namespace = {"keras": graphkeras, "graphkeras": graphkeras, "ops": graphkeras.ops,
                 "np": np, "numpy": np}
    namespace.update(_scoped_objects(custom_objects))
    return namespace


def load_lambda(code, defaults=None, closure=None, custom_objects=None):
    """Rebuild a function from Keras's base64 marshalled bytecode (``safe_mode=False`` only).

    The function's globals give ``keras`` (this package), ``ops`` and ``np``,
    plus the custom objects, so the usual ``keras.ops`` lambdas work.
    """
    if in_safe_mode():
        _refuse_lambda("The config")
    try:
        raw = base64.b64decode(code.encode("ascii") if isinstance(code, str) else code)
        func_code = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(f"Cannot decode the bytecode of a stored lambda ({e}); it was "
                         "probably written by another Python version.") from e
    if not isinstance(func_code, types.CodeType):
        raise ValueError("The stored lambda does not decode to Python code.")
    cells = None
    if closure is not None:
        cells = tuple(types.CellType(v) for v in closure)
    if defaults is not None:
        defaults = tuple(defaults)
    return types.FunctionType(func_code, _function_globals(custom_objects),
                              name=func_code.co_name, argdefs=defaults, closure=cells)


def _find(class_name, registered_name, module, kind, custom_objects):
    """The class or function a file names, from safe sources only; None if unknown."""
    scoped = _scoped_objects(custom_objects)
    for key in (registered_name, class_name):
        if key and key in scoped:
            return scoped[key]
    for key in (registered_name, class_name):
        if key and key in _GLOBAL_CUSTOM_OBJECTS:
            return _GLOBAL_CUSTOM_OBJECTS[key]
    if not _is_keras_module(module):
        return None
    tables = _builtin_tables()
    kinds = [kind] if kind else []
    hinted = _kind_of_module(module)
    if hinted and hinted not in kinds:
        kinds.append(hinted)
    if not kinds:
        kinds = list(tables)
    for k in kinds:
        found = tables.get(k, {}).get(class_name)
        if found is not None:
            return found
    return None


def _accepted_arguments(cls):
    """The keyword arguments ``cls(...)`` takes, or None if it takes any."""
    from graphkeras.layers import layer as layer_module
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        params = inspect.signature(init).parameters
        names |= {n for n, p in params.items() if n != "self" and p.kind in (
            p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if klass is layer_module.Layer:
            return names | set(layer_module._LAYER_KWARGS)
        if klass.__name__ == "Optimizer" and klass.__module__.startswith("graphkeras."):
            return names | {"lr", "decay", "is_legacy_optimizer", "jit_compile"}
        if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            return names
    return None


def _neutral(value):
    if value is None or value is False:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        return True
    return isinstance(value, (str, list, dict, tuple)) and len(value) == 0


def fit_config(cls, config, what):
    """Drop the keys of ``config`` that ``cls`` does not take and that switch nothing on."""
    config = {k: v for k, v in config.items() if k not in _ALWAYS_IGNORED
              and not (k in _IGNORED_IF_NEUTRAL and _neutral(v))}
    accepted = _accepted_arguments(cls)
    if accepted is None:
        return config
    out = {}
    for key, value in config.items():
        if key in accepted:
            out[key] = value
        elif _neutral(value):
            logger.debug("%s: ignoring config key %r=%r", what, key, value)
        else:
            raise NotImplementedError(
                f"{what}: graphkeras's {cls.__name__} does not support the config key "
                f"{key!r} (value {value!r}) found in the saved config.")
    return out


def _policy_name(envelope):
    name = (envelope.get("config") or {}).get("name", "float32")
    if name not in ("float32", "float64"):
        raise NotImplementedError(f"The dtype policy {name!r} (mixed precision) is not "
                                  "supported; graphkeras computes in float32 or float64.")
    return name


def _registered_by_short_name(name, module):
    """A registered object saved under its plain ``__name__`` (and module) rather than
    its ``package>name``."""
    for obj in _GLOBAL_CUSTOM_NAMES:
        if getattr(obj, "__name__", None) == name and (
                module is None or getattr(obj, "__module__", None) == module):
            return obj
    return None


def _resolve_function(name, module, kind, custom_objects):
    found = _find(name, None, module, kind, custom_objects)
    if found is None:
        found = _registered_by_short_name(name, module)
    if found is None and kind is None:
        for k in ("activation", "loss", "metric"):
            found = _find(name, None, module, k, custom_objects)
            if found is not None:
                break
    if found is None:
        raise ValueError(f"Unknown function {name!r} (module {module!r}). Pass it in "
                         "`custom_objects` or register it with "
                         "`graphkeras.saving.register_keras_serializable`.")
    return found


def _resolve_nested(config, custom_objects, where):
    """Turn the envelopes nested in a built-in class's config into objects."""
    out = {}
    for key, value in config.items():
        if _is_envelope(value) or (isinstance(value, dict) and
                                   value.get("class_name") == "__lambda__"):
            out[key] = deserialize_keras_object(value, custom_objects, where=f"{where}.{key}")
        elif isinstance(value, str) and key.endswith("activation"):
            custom = get_registered_object(value, custom_objects)
            out[key] = custom if custom is not None else value
        else:
            out[key] = value
    return out


def _legacy_lambda_config(config, custom_objects, where):
    """Keras 2's Lambda config (list-form function) rewritten to the Keras 3 form."""
    config = dict(config)
    pairs = (("function", "function_type", "module"),
             ("output_shape", "output_shape_type", "output_shape_module"))
    for key, type_key, module_key in pairs:
        kind = config.pop(type_key, None)
        module = config.pop(module_key, None)
        value = config.get(key)
        if kind == "lambda":
            if in_safe_mode():
                _refuse_lambda(where)
            code, defaults, closure = (list(value) + [None, None])[:3]
            config[key] = load_lambda(code, defaults, closure, custom_objects)
        elif kind == "function" and isinstance(value, str):
            config[key] = {"module": module, "class_name": "function", "config": value,
                           "registered_name": "function"}
    return config


def _call_from_config(cls, config, custom_objects):
    from_config = getattr(cls, "from_config")
    try:
        params = inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        params = {}
    if "custom_objects" in params:
        return from_config(config, custom_objects=_scoped_objects(custom_objects))
    return from_config(config)


def deserialize_keras_object(config, custom_objects=None, kind=None, where=None):
    """Rebuild an object from an envelope (or a plain name) without importing anything.

    Args:
        config: an envelope dict, a name string, or a plain value.
        custom_objects: ``{name: class or function}`` supplied by the user.
        kind: ``"layer"``, ``"initializer"``, ``"loss"``, ... to pick among
            graphkeras's tables when the envelope has no ``module``.
        where: what is being loaded, for error messages.
    """
    where = where or "The config"
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        return _resolve_function(config, None, kind, custom_objects)
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects, kind, where) for c in config]
    if not isinstance(config, dict):
        return config
    class_name = config.get("class_name")
    if class_name is None:
        return config
    inner = config.get("config")
    module = config.get("module")
    if class_name == "__lambda__":
        if in_safe_mode():
            _refuse_lambda(where)
        inner = inner or {}
        return load_lambda(inner.get("code"), inner.get("defaults"), inner.get("closure"),
                           custom_objects)
    if class_name == "function":
        return _resolve_function(inner, module, kind, custom_objects)
    if class_name in ("DTypePolicy", "FloatDTypePolicy", "Policy"):
        return _policy_name(config)
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(v, custom_objects, None, where)
                     for v in (inner or {}).get("value", []))
    if class_name == "__numpy__":
        return np.asarray((inner or {}).get("value"), dtype=(inner or {}).get("dtype"))
    if class_name == "__keras_tensor__":
        raise ValueError(f"{where}: a symbolic tensor can only appear in a model's nodes.")
    if class_name.startswith("Custom>") and kind == "optimizer":
        class_name = class_name[len("Custom>"):]
    registered = config.get("registered_name")
    cls = _find(class_name, registered, module, kind, custom_objects)
    if cls is None:
        label = f"{kind} class" if kind else "class"
        raise ValueError(
            f"{where}: unknown {label} {class_name!r} (module {module!r}, registered name "
            f"{registered!r}). graphkeras only builds its own classes and the ones you "
            f"supply: pass `custom_objects={{{class_name!r}: {class_name}}}` or register the "
            "class with `graphkeras.saving.register_keras_serializable`.")
    if not isinstance(inner, dict):
        raise ValueError(f"{where}: the config of {class_name!r} must be a dict; found "
                         f"{type(inner).__name__}.")
    from graphkeras.models.model import Model
    if inspect.isclass(cls) and issubclass(cls, Model):
        from graphkeras.saving import model_config
        return model_config.model_from_config({"class_name": class_name, "config": inner},
                                              custom_objects, cls=cls, where=where)
    if _is_builtin(cls):
        if class_name == "Lambda" and ("function_type" in inner or
                                       "output_shape_type" in inner):
            inner = _legacy_lambda_config(inner, custom_objects, where)
        inner = _resolve_nested(inner, custom_objects, where)
        if hasattr(cls, "get_config"):
            inner = fit_config(cls, inner, where)
    elif contains_lambda(inner) and in_safe_mode():
        _refuse_lambda(where)
    with custom_object_scope(custom_objects or {}):
        return _call_from_config(cls, inner, custom_objects)
