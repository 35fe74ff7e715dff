"""Activation layers: ``ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax`` and ``PReLU``."""

import numbers
import warnings

from graphkeras import activations, constraints, initializers, ops, regularizers
from graphkeras.layers.layer import Layer


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class ReLU(Layer):
    """Rectified linear unit, with an optional cap, leak and threshold.

    ``f(x) = max_value`` for ``x >= max_value``, ``x`` for
    ``threshold <= x < max_value``, and ``negative_slope * (x - threshold)`` below
    the threshold.

    Args:
        max_value: float >= 0, the largest output; None (default) for no cap.
        negative_slope: float >= 0, the slope below the threshold (default 0).
        threshold: float >= 0, where the function starts to pass values (default 0).

    Input shape: arbitrary.
    Output shape: the input shape.

    Example:

    >>> layer = ReLU(max_value=10, negative_slope=0.5)
    >>> layer(np.array([-10.0, -5.0, 0.0, 5.0, 10.0]))
    array([-5. , -2.5,  0. ,  5. , 10. ])
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and (not _is_number(max_value) or max_value < 0.0):
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value!r}")
        if not _is_number(negative_slope) or negative_slope < 0.0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be None or a negative "
                             f"value. Received: negative_slope={negative_slope!r}")
        if not _is_number(threshold) or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be None or a negative value. "
                             f"Received: threshold={threshold!r}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


class LeakyReLU(Layer):
    """Leaky rectified linear unit: ``x`` for ``x >= 0``, ``negative_slope * x`` below.

    Args:
        negative_slope: float >= 0, the slope for negative inputs (default 0.3;
            note that the ``"leaky_relu"`` activation function uses 0.2). Keras 2's
            name ``alpha`` is accepted too, with a deprecation warning.

    Input shape: arbitrary.
    Output shape: the input shape.

    Example:

    >>> LeakyReLU(negative_slope=0.5)(np.array([-10.0, 0.0, 10.0]))
    array([-5.,  0., 10.])
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if not _is_number(negative_slope) or negative_slope < 0:
            raise ValueError(f"The negative_slope value of a Leaky ReLU layer cannot be None "
                             f"or negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope!r}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class ELU(Layer):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: float, the scale of the negative part (default 1.0).

    Input shape: arbitrary.
    Output shape: the input shape.

    Example:

    >>> layer = ELU(alpha=0.5)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if not _is_number(alpha):
            raise ValueError(f"Argument `alpha` of an ELU layer must be a float. Received: "
                             f"alpha={alpha!r}")
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        # Keras 3 leaves `alpha` out of the config (so a reloaded layer forgets it);
        # graphkeras keeps it, which Keras's `ELU(**config)` accepts as well.
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(Layer):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, computed stably.

    Args:
        axis: integer, or list of integers, the axis (axes) to normalize over
            (default -1, the last). The batch axis cannot be one of them.

    Call arguments:
        inputs: the logits.
        mask: not supported; must be None.

    Input shape: arbitrary.
    Output shape: the input shape.

    Example:

    >>> Softmax()(np.array([[1.0, 2.0, 1.0]]))
    array([[0.21194157, 0.5761169 , 0.21194157]])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise ValueError(f"Argument `axis` of a Softmax layer must be an integer or a "
                             f"list of integers. Received: axis={axis!r}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis

    def _axes(self, rank):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        out = []
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"Invalid axis {a} for an input of rank {rank} in layer "
                                 f"{self.name!r}.")
            out.append(a % rank)
        if 0 in out:
            raise NotImplementedError(f"Layer {self.name!r} normalizes over the batch axis, "
                                      "which graphkeras cannot compile.")
        return sorted(set(out))

    def build(self, input_shape):
        self._axes(len(input_shape))
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            raise NotImplementedError("Masked softmax (`mask=`) is not supported.")
        axes = self._axes(len(inputs.shape))
        if len(axes) == 1:
            return activations.softmax(inputs, axis=axes[0])
        # several axes: exp(x - logsumexp(x)), the reductions one axis at a time
        peak = inputs
        for a in axes:
            peak = ops.max(peak, axis=a, keepdims=True)
        shifted = ops.subtract(inputs, peak)
        total = ops.exp(shifted)
        for a in axes:
            total = ops.sum(total, axis=a, keepdims=True)
        return ops.exp(ops.subtract(shifted, ops.log(total)))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class PReLU(Layer):
    """Parametric ReLU: ``x`` for ``x >= 0`` and ``alpha * x`` below, with ``alpha`` learned.

    ``alpha`` is a weight of the sample shape (``input_shape[1:]``), with size 1
    along ``shared_axes``, where one value serves every position.

    Args:
        alpha_initializer: initializer of ``alpha`` (default ``"zeros"``).
        alpha_regularizer: optional penalty on ``alpha``.
        alpha_constraint: optional constraint on ``alpha``.
        shared_axes: the axes (numbered from 1, after the batch) that share one
            ``alpha``, e.g. ``[1, 2]`` for feature maps ``(batch, height, width,
            channels)`` to learn one ``alpha`` per channel.

    Input shape: arbitrary.
    Output shape: the input shape.

    Example:

    >>> model = Sequential([Input(shape=(8, 8, 3)), PReLU(shared_axes=[1, 2])])
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) \
                else [shared_axes]
            if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1
                       for a in axes):
                raise ValueError(f"Argument `shared_axes` must hold axes numbered from 1 "
                                 f"(the batch axis 0 is always separate). Received: "
                                 f"shared_axes={shared_axes!r}")
            self.shared_axes = axes

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis >= len(input_shape):
                raise ValueError(f"Argument `shared_axes` of layer {self.name!r} names axis "
                                 f"{axis}, but the inputs have rank {len(input_shape)}. "
                                 f"Full shape received: {tuple(input_shape)}")
            param_shape[axis - 1] = 1
        self.alpha = self.add_weight(shape=tuple(param_shape), name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self._input_rank = len(input_shape)
        self.built = True

    def call(self, inputs):
        if len(inputs.shape) != self._input_rank:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: "
                             f"expected ndim={self._input_rank}, found ndim="
                             f"{len(inputs.shape)}. Full shape received: {tuple(inputs.shape)}")
        positive = ops.relu(inputs)
        negative = ops.multiply(self._alpha_for(inputs), ops.relu(ops.negative(inputs)))
        return ops.subtract(positive, negative)

    def _alpha_for(self, inputs):
        """``alpha``, spread over the sample when sharing makes a pattern the kernels lack.

        Elementwise kernels broadcast an operand that is constant along leading
        axes (``shared_axes=[1, 2]`` of an image); sharing an inner axis only
        (``shared_axes=[2]`` of a rank-4 input) needs one explicit copy.
        """
        shape, sample = tuple(self.alpha.shape), tuple(inputs.shape[1:])
        for k in range(len(shape) + 1):
            if all(d == 1 for d in shape[:k]) and shape[k:] == sample[k:]:
                return self.alpha
        return ops.broadcast_to(self.alpha, sample)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
