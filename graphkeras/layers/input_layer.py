"""``Input`` and ``InputLayer``: where a Functional model's data enters."""

import numpy as np

from graphkeras import backend
from graphkeras.layers.keras_tensor import KerasTensor, Node
from graphkeras.layers.layer import Layer


class InputLayer(Layer):
    """The layer behind ``Input``: it owns one symbolic tensor and computes nothing.

    Args:
        shape: the shape of one sample, without the batch dimension.
        batch_size: an optional fixed batch size (recorded, not enforced).
        dtype: the input's dtype (``floatx()`` by default).
        name: the layer's name (``input_layer``, ``input_layer_1``, ... by default).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_shape=None,
                 input_shape=None, batch_input_shape=None, sparse=False, ragged=False,
                 optional=False, **kwargs):
        if shape is None and input_shape is not None:
            shape = input_shape
        if batch_shape is None and batch_input_shape is not None:
            batch_shape = batch_input_shape
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is not None:
            batch_shape = tuple(batch_shape)
            shape, batch_size = batch_shape[1:], batch_shape[0]
        if shape is None:
            raise ValueError("You must pass a `shape` argument to `Input`, e.g. "
                             "`Input(shape=(784,))`.")
        if isinstance(shape, int):
            shape = (shape,)
        shape = tuple(shape)
        for d in shape:
            if d is not None and (not isinstance(d, (int, np.integer)) or d <= 0):
                raise ValueError(f"Argument `shape` must be a tuple of positive integers; "
                                 f"received shape={shape}.")
        if any(d is None for d in shape):
            raise NotImplementedError(
                f"Input shape {shape} has an unknown dimension besides the batch; "
                "graphkeras compiles static shapes, so give every dimension a size.")
        if sparse or ragged:
            raise NotImplementedError("Sparse and ragged inputs are not supported.")
        super().__init__(name=name or backend.unique_name("input_layer"), dtype=dtype,
                         **kwargs)
        self.batch_size = batch_size
        self.shape = shape
        self.batch_shape = (batch_size,) + shape
        self.built = True
        tensor = KerasTensor((None,) + shape, self.dtype, name=self.name)
        node = Node(self, [], tensor, {})
        node.input_tensors = []
        self._inbound_nodes.append(node)
        tensor._keras_history = (self, 0, 0)
        self.output_tensor = tensor

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("optional", None)
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None, **kwargs):
    """A symbolic tensor to start a Functional model from.

    Args:
        shape: the shape of one sample, e.g. ``(784,)`` (without the batch dimension).
        batch_size: an optional fixed batch size.
        dtype: the expected dtype of the data (``floatx()`` by default).
        name: a name for the input layer.

    Example:

    >>> x = Input(shape=(784,))
    >>> y = Dense(10, activation="softmax")(x)
    >>> model = Model(x, y)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                       batch_shape=batch_shape, **kwargs)
    return layer.output_tensor
