"""Activation functions by name, written with ``graphkeras.ops`` (so they compile and run eagerly).

``get(identifier)`` resolves a name, ``None`` (linear) or a callable, and raises
a ``ValueError`` that lists the known names for anything else.
"""

from graphkeras import ops


def linear(x):
    return x


def relu(x):
    return ops.relu(x)


def sigmoid(x):
    return ops.sigmoid(x)


def tanh(x):
    return ops.tanh(x)


def softmax(x, axis=-1):
    return ops.softmax(x, axis=axis)


def softplus(x):
    return ops.softplus(x)


def exponential(x):
    return ops.exp(x)


_BY_NAME = {f.__name__: f for f in (linear, relu, sigmoid, tanh, softmax, softplus,
                                    exponential)}


def serialize(activation):
    name = getattr(activation, "__name__", None)
    if name in _BY_NAME and _BY_NAME[name] is activation:
        return name
    return name or str(activation)


def get(identifier):
    """An activation function from a name, None or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown activation function: {identifier!r}. Expected one of "
                             f"{sorted(_BY_NAME)}.")
        return _BY_NAME[identifier]
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}.")
