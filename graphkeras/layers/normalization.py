"""Normalization layers: ``BatchNormalization``."""

from graphkeras import constraints, initializers, ops, regularizers
from graphkeras.layers.layer import Layer


def _axis_runs(axes):
    """Sorted axes split into runs of adjacent axes: ``[0, 2, 3]`` -> ``[[0], [2, 3]]``."""
    runs = []
    for ax in sorted(axes):
        if runs and runs[-1][-1] == ax - 1:
            runs[-1].append(ax)
        else:
            runs.append([ax])
    return runs


def _mean_over(x, axes):
    """The mean of ``x`` over ``axes`` (any set), keeping every reduced axis as size 1.

    Compiled reductions take adjacent axes only, so the mean is taken one run of
    adjacent axes at a time; every run covers whole slices, so the mean of the
    partial means is the overall mean.
    """
    for run in reversed(_axis_runs(axes)):
        x = ops.mean(x, axis=tuple(run), keepdims=True)
    return x


class BatchNormalization(Layer):
    """Normalizes its inputs with the mean and variance of the batch (training) or moving ones.

    In training (``fit``, ``train_on_batch``, or ``training=True``) the layer
    uses the mean and the biased variance of the current batch, taken over every
    axis but ``axis``, and updates its moving statistics with
    ``moving = moving * momentum + batch_statistic * (1 - momentum)``. In
    inference (``predict``, ``evaluate``, plain calls) it uses the moving
    statistics. The output is ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    A layer with ``trainable = False`` is frozen: it runs in inference mode even
    during training and leaves its moving statistics unchanged, as in Keras.

    Args:
        axis: the axis holding the features (usually the channels), -1 by default.
            A list of axes normalizes over the remaining ones (Keras 2 files write
            the axis as a one-element list, e.g. ``[1]``).
        momentum: momentum of the moving average.
        epsilon: small float added to the variance to avoid dividing by zero.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned scale ``gamma``.
        beta_initializer, gamma_initializer: initializers of ``beta`` and ``gamma``.
        moving_mean_initializer, moving_variance_initializer: initializers of the
            moving statistics.
        beta_regularizer, gamma_regularizer: optional weight penalties.
        beta_constraint, gamma_constraint: optional weight constraints.
        synchronized: accepted for compatibility; graphkeras runs on one device,
            where synchronized statistics are the plain batch statistics.

    Input shape: arbitrary, of rank at least 2.
    Output shape: the input shape.

    Example:

    >>> model = Sequential([Input(shape=(16,)), Dense(32), BatchNormalization(),
    ...                     Activation("relu")])
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False,
                 renorm_clipping=None, renorm_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        self.axis = self._check_axis(axis)
        if renorm or renorm_clipping is not None:
            raise NotImplementedError("BatchNormalization with `renorm=True` (batch "
                                      "renormalization) is not supported.")
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)
        self.renorm_momentum = float(renorm_momentum)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None

    @staticmethod
    def _check_axis(axis):
        if isinstance(axis, (list, tuple)):
            items = list(axis)
            if not items or not all(isinstance(a, int) and not isinstance(a, bool)
                                    for a in items):
                raise TypeError(f"Argument `axis` must be an integer or a non-empty list of "
                                f"integers. Received: axis={axis!r}")
            return items[0] if len(items) == 1 else items
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Argument `axis` must be an integer or a list of integers. "
                            f"Received: axis={axis!r}")
        return axis

    def _feature_axes(self, rank):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        out = []
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"Invalid axis {a} for an input of rank {rank} in layer "
                                 f"{self.name!r}: expected an axis in [{-rank}, {rank}).")
            out.append(a % rank)
        if len(set(out)) != len(out):
            raise ValueError(f"Argument `axis` of layer {self.name!r} repeats an axis: "
                             f"axis={self.axis}")
        if 0 in out:
            raise ValueError(f"Layer {self.name!r} cannot normalize along the batch axis "
                             f"(axis 0): its weights need a fixed size. Received: "
                             f"axis={self.axis}")
        return sorted(out)

    def build(self, input_shape):
        rank = len(input_shape)
        if rank < 2:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: "
                             f"expected min_ndim=2, found ndim={rank}. Full shape received: "
                             f"{tuple(input_shape)}")
        self._axes = self._feature_axes(rank)
        self._rank = rank
        shape = tuple(input_shape[a] for a in self._axes)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        # the statistics' shape for broadcasting against a sample (batch axis left out)
        self._broadcast_shape = tuple(input_shape[i] if i in self._axes else 1
                                      for i in range(1, rank))
        self._param_shape = shape
        self.built = True

    def call(self, inputs, training=None):
        if len(inputs.shape) != self._rank:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: "
                             f"expected ndim={self._rank}, found ndim={len(inputs.shape)}. "
                             f"Full shape received: {tuple(inputs.shape)}")
        if training and self.trainable:
            reduce_axes = [i for i in range(self._rank) if i not in self._axes]
            mean = ops.reshape(_mean_over(inputs, reduce_axes), self._param_shape)
            centered = ops.subtract(inputs, self._expand(self._for_broadcast(mean), inputs))
            variance = ops.reshape(_mean_over(ops.square(centered), reduce_axes),
                                   self._param_shape)
            keep = 1.0 - self.momentum
            self.moving_mean.assign(ops.add(ops.multiply(self.moving_mean, self.momentum),
                                            ops.multiply(mean, keep)))
            self.moving_variance.assign(
                ops.add(ops.multiply(self.moving_variance, self.momentum),
                        ops.multiply(variance, keep)))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return self._normalize(inputs, mean, variance)

    def _normalize(self, x, mean, variance):
        """``x * inv + (beta - mean * inv)`` with ``inv = gamma / sqrt(variance + epsilon)``.

        ``inv`` and the shift are computed at the weights' shape, then broadcast
        over the sample once each.
        """
        inv = ops.divide(1.0, ops.sqrt(ops.add(variance, self.epsilon)))
        if self.gamma is not None:
            inv = ops.multiply(inv, self.gamma)
        shift = ops.negative(ops.multiply(mean, inv))
        if self.beta is not None:
            shift = ops.add(shift, self.beta)
        out = ops.multiply(x, self._expand(self._for_broadcast(inv), x))
        return ops.add(out, self._expand(self._for_broadcast(shift), x))

    def _for_broadcast(self, stat):
        """A statistic or weight reshaped to broadcast against a sample."""
        if tuple(stat.shape) == self._broadcast_shape:
            return stat
        return ops.reshape(stat, self._broadcast_shape)

    def _expand(self, stat, x):
        """``stat`` spread over the sample shape when the kernels cannot broadcast it directly.

        Elementwise kernels broadcast an operand that is constant along leading or
        trailing axes; statistics of a middle axis (``axis=1`` of a rank-3 input)
        are repeated over the sample first, which costs one small copy.
        """
        shape, sample = self._broadcast_shape, tuple(x.shape[1:])
        for k in range(len(shape) + 1):
            if all(d == 1 for d in shape[:k]) and shape[k:] == sample[k:]:
                return stat
        return ops.broadcast_to(stat, sample)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": self.renorm_momentum,
        })
        return config
