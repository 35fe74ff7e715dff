"""Activation functions by name, written with ``graphkeras.ops`` (so they compile and run eagerly).

The names, arguments and defaults are Keras 3's (``keras.activations``):
``get(identifier)`` resolves a name, ``None`` (linear), a config or a callable;
``serialize`` gives a built-in function's name; ``deserialize`` reverses it.
Note two Keras facts: the ``leaky_relu`` function's slope is 0.2 (the
``LeakyReLU`` layer's default is 0.3), and ``hard_sigmoid`` is
``clip(x / 6 + 0.5, 0, 1)`` (Keras 2 used ``0.2 * x + 0.5``).
"""

from graphkeras import ops


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras's optional slope, cap and threshold.

    ``max_value`` for ``x >= max_value``, ``x`` for ``threshold < x < max_value`` and
    ``negative_slope * (x - threshold)`` at or below the threshold.

    Args:
        x: input tensor.
        negative_slope: slope below the threshold (default 0).
        max_value: the largest output, or None for no cap.
        threshold: where the function starts to pass values (default 0).
    """
    if negative_slope != 0 and max_value is None and threshold == 0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    if threshold != 0:
        out = ops.multiply(x, ops.greater(x, float(threshold)))
    elif max_value is not None and float(max_value) == 6.0:
        out = ops.relu6(x)
        max_value = None
    else:
        out = ops.relu(x)
    if max_value is not None:
        out = ops.clip(out, 0.0, float(max_value))
    if negative_slope != 0:
        below = ops.relu(ops.subtract(float(threshold), x))
        out = ops.subtract(out, ops.multiply(below, float(negative_slope)))
    return out


def leaky_relu(x, negative_slope=0.2):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below (note: 0.2 by default, as in Keras)."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return ops.relu6(x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return ops.sigmoid(x)


def tanh(x):
    """The hyperbolic tangent."""
    return ops.tanh(x)


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``, computed stably."""
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """``x - log(sum(exp(x)))`` along ``axis``."""
    return ops.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled ELU: ``scale * elu(x, alpha)`` with ``alpha = 1.67326324`` and
    ``scale = 1.05070098`` (Klambauer et al., 2017)."""
    return ops.selu(x)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``x`` for ``x > 0``, else
    ``alpha * (exp(x / alpha) - 1)``."""
    negative_part = ops.multiply(ops.expm1(ops.divide(ops.minimum(x, 0.0), float(alpha))),
                                 float(alpha))
    return ops.where(ops.greater(x, 0.0), x, negative_part)


def softplus(x):
    """``log(exp(x) + 1)``, computed stably."""
    return ops.softplus(x)


def softsign(x):
    """``x / (abs(x) + 1)``."""
    return ops.softsign(x)


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU."""
    return ops.multiply(ops.add(x, ops.sqrt(ops.add(ops.square(x), float(b)))), 0.5)


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    t = float(threshold)
    return ops.where(ops.greater(x, t), ops.subtract(x, t),
                     ops.where(ops.less(x, -t), ops.add(x, t), ops.zeros_like(x)))


def hard_shrink(x, threshold=0.5):
    """``x`` where ``abs(x) > threshold``, else 0."""
    return ops.where(ops.greater(ops.abs(x), float(threshold)), x, ops.zeros_like(x))


def tanh_shrink(x):
    """``x - tanh(x)``."""
    return ops.subtract(x, ops.tanh(x))


def hard_tanh(x):
    """``clip(x, -1, 1)``."""
    return ops.clip(x, -1.0, 1.0)


def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``."""
    inner = ops.multiply(ops.square(ops.add(x, 1.0)), 0.25)
    return ops.where(ops.less_equal(x, -1.0), ops.zeros_like(x),
                     ops.where(ops.less(x, 1.0), inner, x))


def sparse_sigmoid(x):
    """``clip((x + 1) / 2, 0, 1)``: 0 for ``x <= -1``, 1 for ``x >= 1``."""
    return ops.clip(ops.multiply(ops.add(x, 1.0), 0.5), 0.0, 1.0)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return ops.where(ops.greater(x, float(threshold)), x,
                     ops.add(ops.zeros_like(x), float(default_value)))


def silu(x):
    """Swish / SiLU: ``x * sigmoid(x)``."""
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit.

    Exact (default, as the Keras activation): ``0.5 * x * (1 + erf(x / sqrt(2)))``;
    with ``approximate=True`` the tanh form
    ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``.
    """
    return ops.gelu(x, approximate=approximate)


def glu(x, axis=-1):
    """Gated linear unit: ``a * sigmoid(b)`` where ``a, b`` are the two halves along ``axis``."""
    rank = len(x.shape)
    axis = axis % rank
    size = x.shape[axis]
    if size is None or size % 2:
        raise ValueError(f"`glu` needs an even size along axis {axis}; received shape "
                         f"{tuple(x.shape)}.")
    lead = (slice(None),) * axis
    first, second = x[lead + (slice(0, size // 2),)], x[lead + (slice(size // 2, size),)]
    return ops.multiply(first, ops.sigmoid(second))


def exponential(x):
    """``exp(x)``."""
    return ops.exp(x)


def hard_sigmoid(x):
    """``clip(x / 6 + 0.5, 0, 1)``: 0 below -3, 1 above 3, linear between (Keras 3)."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """Hard swish / hard SiLU: ``x * hard_sigmoid(x)``."""
    return ops.hard_silu(x)


hard_swish = hard_silu


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably."""
    return ops.log_sigmoid(x)


def mish(x):
    """``x * tanh(softplus(x))``."""
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def sparsemax(x, axis=-1):
    """Sparsemax (Martins & Astudillo, 2016); not supported: it needs a sort."""
    raise NotImplementedError("The `sparsemax` activation needs sorting along an axis, "
                              "which graphkeras cannot compile yet.")


def linear(x):
    """The identity."""
    return x


_FUNCTIONS = (relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign,
              squareplus, soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink,
              threshold, sigmoid, sparse_sigmoid, exponential, hard_sigmoid, hard_silu,
              hard_tanh, hard_shrink, linear, mish, log_softmax, log_sigmoid, sparsemax)
_BY_NAME = {f.__name__: f for f in _FUNCTIONS}
_BY_NAME["swish"] = silu
_BY_NAME["hard_swish"] = hard_silu


def serialize(activation):
    """The name of a built-in activation; for another function, a function reference."""
    if activation is None:
        return "linear"
    name = getattr(activation, "__name__", None)
    if name in _BY_NAME and _BY_NAME[name] is activation:
        return name
    if name is None or name == "<lambda>":
        raise NotImplementedError(
            f"Cannot serialize the activation {activation!r}: Keras stores a Python lambda as "
            "bytecode, loadable only with `safe_mode=False`, which graphkeras does not "
            "support yet. Use a named function (a `def`) or a built-in activation.")
    return {"module": getattr(activation, "__module__", None), "class_name": "function",
            "config": name, "registered_name": "function"}


def deserialize(config, custom_objects=None):
    """The activation function that ``serialize`` described."""
    custom_objects = custom_objects or {}
    name = config.get("config") if isinstance(config, dict) else config
    if isinstance(name, str):
        if name in custom_objects:
            return custom_objects[name]
        if name in _BY_NAME:
            return _BY_NAME[name]
    raise ValueError(f"Unknown activation function: {name!r}. Expected one of "
                     f"{sorted(_BY_NAME)}, or pass it in `custom_objects`.")


def get(identifier):
    """An activation function from a name, None (linear), a config dict or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown activation function: {identifier!r}. Expected one of "
                             f"{sorted(_BY_NAME)}.")
        return _BY_NAME[identifier]
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}.")
