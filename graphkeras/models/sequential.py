"""``Sequential``: a linear stack of layers.

It is built as a Functional graph once its input is known.
"""

from graphkeras import backend
from graphkeras.layers.input_layer import InputLayer
from graphkeras.layers.keras_tensor import KerasTensor
from graphkeras.layers.layer import Layer
from graphkeras.models.model import Model
from graphkeras.models.trainer import Trainer


class Sequential(Model):
    """A plain stack of layers, each with one input and one output.

    The input shape comes from an ``Input`` added first, from ``input_shape=`` on
    the first layer, or, when neither is given, from the first data the model sees.

    Args:
        layers: an optional list of layers to add.
        name: the model's name.

    Example:

    >>> model = Sequential()
    >>> model.add(Dense(64, activation="relu", input_shape=(784,)))
    >>> model.add(Dense(10, activation="softmax"))
    """

    def __init__(self, layers=None, name=None, trainable=True):
        Layer.__init__(self, name=name or backend.unique_name("sequential"),
                       trainable=trainable)
        Trainer.__init__(self)
        self._stack = []
        self._input_layer = None
        self._layers = []
        self._nodes = []
        self.inputs, self.outputs = [], []
        self.built = False
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    def add(self, layer, rebuild=True):
        """Append a layer (or start the stack with an ``Input`` tensor)."""
        if isinstance(layer, KerasTensor):
            source = layer._keras_history[0] if layer._keras_history else None
            if not isinstance(source, InputLayer):
                raise ValueError("Only an `Input` tensor can be added to a Sequential model; "
                                 f"received {layer!r}.")
            layer = source
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `graphkeras.layers.Layer` can be added to a "
                             f"Sequential model. Received: {layer!r} (of type {type(layer)})")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError("An `Input` can only be the first entry of a Sequential "
                                 "model.")
            self._input_layer = layer
        else:
            if any(existing.name == layer.name for existing in self._stack):
                raise ValueError(f"All layers added to a Sequential model should have unique "
                                 f"names. Name {layer.name!r} is already the name of a layer "
                                 "in this model.")
            self._stack.append(layer)
            if self._input_layer is None and len(self._stack) == 1 \
                    and layer._input_shape_arg is not None:
                self._input_layer = InputLayer(shape=layer._input_shape_arg)
        if rebuild:
            self._rebuild()

    def pop(self, rebuild=True):
        """Remove the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        if rebuild:
            self._rebuild()
        return layer

    def _rebuild(self):
        """Build the Functional graph from the input layer through the stack."""
        self._invalidate_programs()
        if self._input_layer is None or not self._stack:
            self.built = False
            return
        for layer in self._stack:
            del layer._inbound_nodes[:]
        x = self._input_layer.output_tensor
        for layer in self._stack:
            x = layer(x)
            if isinstance(x, (list, tuple)):
                raise ValueError(f"All layers in a Sequential model should have a single "
                                 f"output tensor; layer {layer.name!r} has {len(x)}.")
        self._init_graph(self._input_layer.output_tensor, x)

    @property
    def layers(self):
        return list(self._stack)

    @property
    def _sublayers(self):
        return list(self._stack)

    def build(self, input_shape=None):
        """Build for samples of ``input_shape`` (with or without the batch dimension)."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(input_shape)
        if shape and shape[0] is None:
            shape = shape[1:]
        self._input_layer = InputLayer(shape=shape)
        self._rebuild()

    def _ensure_built_for_data(self, x):
        if self.built:
            return
        if not self._stack:
            raise ValueError("The Sequential model has no layers; add layers before using it.")
        arr = x[0] if isinstance(x, (list, tuple)) else x
        shape = getattr(arr, "shape", None)
        if shape is None or len(shape) < 1:
            raise ValueError("Cannot infer the input shape of the Sequential model from the "
                             f"data passed; received {type(arr).__name__}.")
        self.build((None,) + tuple(shape[1:]))

    def get_config(self):
        """Keras 3's config: ``name``, ``layers`` (the InputLayer first), ``build_input_shape``."""
        from graphkeras.saving import model_config
        return model_config.sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from graphkeras.saving import model_config
        return model_config.sequential_from_config(config, custom_objects, cls=cls)

    @property
    def output_names(self):
        if not self.built:
            return [self._stack[-1].name] if self._stack else []
        return super().output_names
