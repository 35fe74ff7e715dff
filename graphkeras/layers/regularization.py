"""Regularization layers: ``Dropout`` and ``ActivityRegularization``."""

import numbers

from graphkeras import ops, regularizers
from graphkeras.layers.layer import Layer
from graphkeras.ops.dispatch import apply


def _uniform_like(x):
    """U[0, 1) draws of ``x``'s shape (batch included), from the program's generator.

    Compiled programs draw from Numba's generator and eager calls from NumPy's,
    both seeded by ``graphkeras.utils.set_random_seed``.
    """
    return apply("random_uniform", [x])


def _shape_source(x, noise_shape):
    """A tensor of shape ``noise_shape`` derived from ``x`` (only its shape matters)."""
    for axis, (size, noise) in enumerate(zip(x.shape, noise_shape)):
        if noise == 1 and size != 1:
            x = ops.mean(x, axis=axis, keepdims=True)
    return x


class Dropout(Layer):
    """Sets a random fraction ``rate`` of its inputs to 0 during training.

    The kept inputs are scaled by ``1 / (1 - rate)`` so that their expected sum
    is unchanged ("inverted" dropout). The layer is active only in training
    (``fit``, ``train_on_batch``, or a call with ``training=True``); in
    ``predict``, ``evaluate`` and plain calls it returns its input unchanged.
    Within one training step the same mask serves the forward pass and the
    gradients.

    Args:
        rate: float between 0 and 1, the fraction of the inputs to drop. 0 keeps
            everything; 1 drops everything (the output is all zeros).
        noise_shape: optional shape of the binary mask, broadcast over the inputs;
            ``None`` entries take the input's size. For inputs of shape
            ``(batch, timesteps, features)``, ``noise_shape=(None, 1, features)``
            drops the same features at every timestep.
        seed: an integer seed, kept in the config. graphkeras draws every mask
            from the compiled programs' single generator, which
            ``graphkeras.utils.set_random_seed`` seeds; a per-layer seed does not
            give the layer a stream of its own.

    Input shape: arbitrary.
    Output shape: the input shape.

    Example:

    >>> model = Sequential([Input(shape=(64,)), Dense(64, activation="relu"),
    ...                     Dropout(0.5), Dense(10, activation="softmax")])
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"Invalid value received for argument `rate`. Expected a float "
                            f"value between 0 and 1. Received: rate={rate!r}")
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"Argument `seed` must be an integer or None. Received: "
                             f"seed={seed!r}")
        if noise_shape is not None:
            noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _resolved_noise_shape(self, input_shape):
        if self.noise_shape is None:
            return tuple(input_shape)
        if len(self.noise_shape) != len(input_shape):
            raise ValueError(f"Argument `noise_shape` of layer {self.name!r} must have the rank "
                             f"of the inputs ({len(input_shape)}). Received: "
                             f"noise_shape={self.noise_shape} for inputs of shape "
                             f"{tuple(input_shape)}")
        out = []
        for noise, size in zip(self.noise_shape, input_shape):
            if noise is None:
                out.append(size)
            elif noise == 1 or noise == size:
                out.append(noise)
            else:
                raise ValueError(f"Argument `noise_shape` of layer {self.name!r} must "
                                 f"broadcast to the inputs: each entry None, 1 or the input's "
                                 f"size. Received: noise_shape={self.noise_shape} for inputs "
                                 f"of shape {tuple(input_shape)}")
        return tuple(out)

    def build(self, input_shape):
        self._resolved_noise_shape(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return ops.multiply(inputs, 0.0)
        keep_prob = 1.0 - self.rate
        noise_shape = self._resolved_noise_shape(inputs.shape)
        draws = _uniform_like(_shape_source(inputs, noise_shape))
        # 1 / keep_prob where the draw falls below keep_prob, else 0
        scale = ops.multiply(ops.less(draws, keep_prob), 1.0 / keep_prob)
        if tuple(scale.shape) != tuple(inputs.shape):
            scale = ops.broadcast_to(scale, tuple(inputs.shape))
        return ops.multiply(inputs, scale)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed,
                       "noise_shape": None if self.noise_shape is None
                       else list(self.noise_shape)})
        return config


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds ``l1 * sum(|x|) + l2 * sum(x**2)`` to the loss.

    As for every activity penalty in Keras, the term is divided by the batch size.

    Args:
        l1: non-negative L1 factor.
        l2: non-negative L2 factor.

    Input shape: arbitrary.
    Output shape: the input shape.

    Example:

    >>> model = Sequential([Input(shape=(8,)), Dense(4), ActivityRegularization(l1=1e-3)])
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
