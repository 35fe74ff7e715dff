"""Reshaping layers: ``Flatten``, ``Reshape``, ``Permute`` and ``RepeatVector``.

Every dimension but the batch is static in graphkeras, so these layers resolve
their output shapes fully when they are built.
"""

import math
import operator

from graphkeras import ops
from graphkeras.layers.layer import Layer

_DATA_FORMATS = ("channels_last", "channels_first")


def _check_ndim(layer, input_shape, ndim=None, min_ndim=None):
    """Raise Keras's input-spec error when ``input_shape`` has the wrong rank."""
    rank = len(input_shape)
    if ndim is not None and rank != ndim:
        raise ValueError(f"Input 0 of layer {layer.name!r} is incompatible with the layer: "
                         f"expected ndim={ndim}, found ndim={rank}. Full shape received: "
                         f"{tuple(input_shape)}")
    if min_ndim is not None and rank < min_ndim:
        raise ValueError(f"Input 0 of layer {layer.name!r} is incompatible with the layer: "
                         f"expected min_ndim={min_ndim}, found ndim={rank}. Full shape "
                         f"received: {tuple(input_shape)}")


def _batch_shape(shape):
    """``shape`` as an ``ops.reshape`` target that keeps the batch dimension first."""
    return (-1,) + tuple(shape)


class Flatten(Layer):
    """Flattens each sample to one dimension; the batch dimension is kept.

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``. With
            ``"channels_first"``, inputs of rank 3 or more are first transposed to
            channels-last, so that the order of the flattened features matches a
            model built channels-last.

    Input shape: ``(batch_size, ...)``.
    Output shape: ``(batch_size, product of the other dimensions)``; a rank-1
    input ``(batch_size,)`` becomes ``(batch_size, 1)``.

    Example:

    >>> x = Input(shape=(10, 64))
    >>> Flatten()(x).shape
    (None, 640)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = "channels_last" if data_format is None else data_format
        if data_format not in _DATA_FORMATS:
            raise ValueError(f"The `data_format` argument must be one of "
                             f"{set(_DATA_FORMATS)}. Received: data_format={data_format!r}")
        self.data_format = data_format

    def call(self, inputs):
        rank = len(inputs.shape)
        if self.data_format == "channels_first" and rank > 2:
            inputs = ops.transpose(inputs, (0, *range(2, rank), 1))
        size = math.prod(inputs.shape[1:])
        return ops.reshape(inputs, _batch_shape((size,)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], math.prod(input_shape[1:]))

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes each sample to ``target_shape``; the batch dimension is kept.

    Args:
        target_shape: the new sample shape, without the batch dimension. One
            entry may be -1: it is inferred from the number of elements.

    Input shape: any shape with the same number of elements per sample.
    Output shape: ``(batch_size, *target_shape)``.

    Example:

    >>> x = Input(shape=(12,))
    >>> Reshape((3, 4))(x).shape
    (None, 3, 4)
    >>> Reshape((-1, 2, 2))(x).shape
    (None, 3, 2, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        try:
            target_shape = tuple(operator.index(d) for d in target_shape)
        except TypeError:
            raise TypeError(f"Argument `target_shape` must be a tuple of integers. Received: "
                            f"target_shape={target_shape!r}") from None
        if target_shape.count(-1) > 1:
            raise ValueError(f"The `target_shape` argument must not contain more than one "
                             f"`-1` value. Received: target_shape={target_shape}")
        if any(d == 0 or d < -1 for d in target_shape):
            raise ValueError(f"Argument `target_shape` must hold positive integers and at "
                             f"most one -1. Received: target_shape={target_shape}")
        self.target_shape = target_shape

    def _resolve(self, input_shape):
        size = math.prod(input_shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise ValueError(f"The total size of the tensor must be unchanged. Received: "
                                 f"input_shape={tuple(input_shape)}, "
                                 f"target_shape={self.target_shape}")
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(f"The total size of the tensor must be unchanged. Received: "
                             f"input_shape={tuple(input_shape)}, "
                             f"target_shape={self.target_shape}")
        return self.target_shape

    def build(self, input_shape):
        self._resolve(input_shape)
        self.built = True

    def call(self, inputs):
        return ops.reshape(inputs, _batch_shape(self._resolve(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(Layer):
    """Permutes the dimensions of each sample; the batch dimension stays first.

    Args:
        dims: the permutation of the sample dimensions, numbered from 1 (the
            batch dimension is 0 and is not included). ``(2, 1)`` transposes the
            two dimensions of a rank-3 input.

    Input shape: ``(batch_size, d1, ..., dn)`` with ``n == len(dims)``.
    Output shape: the input shape with its sample dimensions reordered by ``dims``.

    Example:

    >>> x = Input(shape=(10, 64))
    >>> Permute((2, 1))(x).shape
    (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(operator.index(d) for d in dims)
        except TypeError:
            raise TypeError(f"Argument `dims` must be a tuple of integers. Received: "
                            f"dims={dims!r}") from None
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set "
                             f"of indices in `dims` must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.dims = dims

    def build(self, input_shape):
        _check_ndim(self, input_shape, ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        _check_ndim(self, inputs.shape, ndim=len(self.dims) + 1)
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """Repeats each input vector ``n`` times.

    Args:
        n: integer, the number of repetitions.

    Input shape: ``(batch_size, features)``.
    Output shape: ``(batch_size, n, features)``.

    Example:

    >>> x = Input(shape=(32,))
    >>> RepeatVector(3)(x).shape
    (None, 3, 32)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        try:
            n = operator.index(n)
        except TypeError:
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.") from None
        if n <= 0:
            raise ValueError(f"Argument `n` must be a positive integer. Received: n={n}")
        self.n = n

    def build(self, input_shape):
        _check_ndim(self, input_shape, ndim=2)
        self.built = True

    def call(self, inputs):
        _check_ndim(self, inputs.shape, ndim=2)
        features = inputs.shape[1]
        column = ops.reshape(inputs, _batch_shape((1, features)))
        return ops.broadcast_to(column, (inputs.shape[0], self.n, features))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
