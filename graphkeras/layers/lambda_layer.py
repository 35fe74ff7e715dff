"""``Lambda``: a layer that calls a function written with ``graphkeras.ops``."""

import inspect

from graphkeras import activations, ops
from graphkeras.layers.layer import Layer
from graphkeras.utils.structure import flatten

# Modules whose functions a Lambda config may name without `custom_objects`.
_KNOWN_MODULES = {
    "keras.activations": activations, "graphkeras.activations": activations,
    "keras.ops": ops, "graphkeras.ops": ops, "builtins": None,
}


def _is_python_lambda(fn):
    return getattr(fn, "__name__", None) == "<lambda>"


def _serialize_function(fn, what):
    """A named function as a Keras function reference; Python lambdas are refused."""
    if _is_python_lambda(fn):
        raise NotImplementedError(
            f"Cannot serialize the Python lambda passed as `{what}` of a `Lambda` layer. "
            "Keras stores lambdas as bytecode, which can only be loaded with "
            "`safe_mode=False`; graphkeras does not support that yet. Use a named function "
            "(a `def`) instead.")
    module = getattr(fn, "__module__", None) or "builtins"
    if module.startswith("graphkeras."):
        module = "keras." + module[len("graphkeras."):]
    return {"module": module, "class_name": "function", "config": fn.__name__,
            "registered_name": "function"}


def _deserialize_function(config, what, custom_objects):
    if callable(config):
        return config
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        raise ValueError(
            f"Requested the deserialization of a `Lambda` layer whose `{what}` is a Python "
            "lambda. Loading it would run stored bytecode, which can execute arbitrary code, "
            "so it is refused (safe mode).")
    name = config.get("config") if isinstance(config, dict) else config
    if not isinstance(name, str):
        raise ValueError(f"Could not interpret the `{what}` of a `Lambda` config: {config!r}")
    custom_objects = custom_objects or {}
    if name in custom_objects:
        return custom_objects[name]
    module = config.get("module") if isinstance(config, dict) else None
    sources = ([_KNOWN_MODULES[module]] if module in _KNOWN_MODULES and _KNOWN_MODULES[module]
               else [activations, ops])
    if module is None or module in _KNOWN_MODULES:
        for source in sources:
            fn = getattr(source, name, None)
            if callable(fn):
                return fn
    raise TypeError(f"Could not locate function {name!r} (module {module!r}) for the "
                    f"`{what}` of a `Lambda` layer. Pass it in `custom_objects`, e.g. "
                    f"`Lambda.from_config(config, custom_objects={{{name!r}: {name}}})`.")


class Lambda(Layer):
    """Wraps a function as a layer, so that it can be used in a model.

    The function receives the layer's inputs (a tensor, or the list passed to
    the layer) and must compute with ``graphkeras.ops``, which works both when
    the model is compiled and on NumPy data. For anything with weights, write a
    ``Layer`` subclass instead.

    Args:
        function: the function to call, ``function(inputs, **arguments)``. If it
            takes a ``training`` argument, the training flag is passed to it.
        output_shape: the expected output shape: a tuple without the batch
            dimension, or a function of the input shape. Optional: graphkeras
            finds the shape by running the function on symbolic values, and
            raises an error when a given ``output_shape`` disagrees.
        mask: masking is not supported; must be None.
        arguments: a dict of extra keyword arguments for ``function``.

    Saving: ``get_config`` stores a named function by module and name. A Python
    ``lambda`` cannot be stored (Keras saves its bytecode, which only loads with
    ``safe_mode=False``), so ``get_config`` raises for it.

    Example:

    >>> model = Sequential([Input(shape=(4,)), Lambda(lambda x: ops.square(x))])
    >>> def scale(x, factor):
    ...     return ops.multiply(x, factor)
    >>> layer = Lambda(scale, arguments={"factor": 2.0})
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Argument `function` of a `Lambda` layer must be callable. "
                            f"Received: function={function!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"Argument `arguments` must be a dict. Received: "
                            f"arguments={arguments!r}")
        if mask is not None:
            raise NotImplementedError("Masking is not supported: the `mask` argument of "
                                      "`Lambda` must be None.")
        if output_shape is not None and not callable(output_shape):
            output_shape = tuple(output_shape)
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = None
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training_arg = "training" in params

    def call(self, inputs, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        outputs = self.function(inputs, **kwargs)
        self._check_declared_shape(inputs, outputs)
        return outputs

    def _check_declared_shape(self, inputs, outputs):
        if self._output_shape is None:
            return
        declared = self.compute_output_shape(self._shapes_of(inputs))
        got = [tuple(o.shape) for o in flatten(outputs)]
        want = declared if isinstance(declared, list) else [declared]
        for g, w in zip(got, want):
            w = tuple(w)
            if len(g) != len(w) or any(d is not None and e is not None and d != e
                                       for d, e in zip(g[1:], w[1:])):
                raise ValueError(f"The `output_shape` of Lambda layer {self.name!r} is {w}, "
                                 f"but its function returned a tensor of shape {g}.")

    @staticmethod
    def _shapes_of(inputs):
        if isinstance(inputs, (list, tuple)):
            return [tuple(x.shape) for x in inputs]
        return tuple(inputs.shape)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if isinstance(input_shape, list) else input_shape
        return (first[0],) + tuple(self._output_shape)

    def get_config(self):
        config = super().get_config()
        config["function"] = _serialize_function(self.function, "function")
        if self._output_shape is not None:
            config["output_shape"] = (_serialize_function(self._output_shape, "output_shape")
                                      if callable(self._output_shape)
                                      else list(self._output_shape))
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["function"] = _deserialize_function(config["function"], "function",
                                                   custom_objects)
        shape = config.get("output_shape")
        if isinstance(shape, dict) or callable(shape):
            config["output_shape"] = _deserialize_function(shape, "output_shape",
                                                           custom_objects)
        return cls(**config)
