"""``Model``: a DAG of layer calls from input tensors to output tensors (the Functional API).

``Model(inputs, outputs)`` follows each output's history back to the inputs,
checks the graph once, here (every tensor reaches a given input, layer names
are unique), and keeps the layer calls in topological order. A model is
itself a layer: called on tensors it replays its calls, so it nests inside
other models, and called on data it predicts. Training lives in ``Trainer``.
"""

from graphkeras import backend
from graphkeras.layers.input_layer import InputLayer
from graphkeras.layers.keras_tensor import KerasTensor
from graphkeras.layers.layer import Layer
from graphkeras.models.trainer import Trainer
from graphkeras.utils.structure import flatten, pack_like


class Model(Trainer, Layer):
    """A model grouping layers into an object with training and inference features.

    Args:
        inputs: the model's input tensor(s) (from ``Input``): one, a list or a dict.
        outputs: the model's output tensor(s): one, a list or a dict.
        name: the model's name.

    Example:

    >>> inputs = Input(shape=(784,))
    >>> x = Dense(64, activation="relu")(inputs)
    >>> outputs = Dense(10, activation="softmax")(x)
    >>> model = Model(inputs=inputs, outputs=outputs)
    """

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        if inputs is None or outputs is None:
            raise NotImplementedError(
                "Subclassed models (Model() without `inputs` and `outputs`) are not supported "
                "yet; build the model with `Model(inputs, outputs)` or `Sequential`.")
        Layer.__init__(self, name=name or backend.unique_name("functional"),
                       trainable=trainable, **kwargs)
        Trainer.__init__(self)
        self._init_graph(inputs, outputs)

    # -- graph ---------------------------------------------------------------------

    def _init_graph(self, inputs, outputs):
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        for role, tensors in (("inputs", self.inputs), ("outputs", self.outputs)):
            for t in tensors:
                if not isinstance(t, KerasTensor) or t._keras_history is None:
                    raise ValueError(f"All `{role}` of a Model must be symbolic tensors "
                                     f"created by `Input` or a layer call; received {t!r}.")
        for t in self.inputs:
            if not isinstance(t._keras_history[0], InputLayer):
                raise ValueError(f"Model inputs must come from `Input`; {t.name!r} is the "
                                 f"output of layer {t._keras_history[0].name!r}.")
        self._nodes = self._collect_nodes()
        self._layers = self._collect_layers()
        self.built = True
        self._invalidate_programs()

    def _collect_nodes(self):
        """The layer calls between inputs and outputs, in topological order."""
        input_ids = {id(t) for t in self.inputs}
        seen, order, visited_layers = set(), [], []
        stack = [(t, False) for t in reversed(self.outputs)]
        while stack:
            tensor, expanded = stack.pop()
            layer, node_index, _ = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            if id(node) in seen:
                continue
            if expanded:
                seen.add(id(node))
                order.append(node)
                continue
            if isinstance(layer, InputLayer):
                if id(tensor) not in input_ids:
                    reached = sorted({n.layer.name for n in order} | set(visited_layers))
                    raise ValueError(
                        f"Graph disconnected: cannot find the input for tensor {tensor.name!r} "
                        f"(from layer {layer.name!r}). Pass it in `inputs`. The following "
                        f"layers were reached without issue: {reached}")
                seen.add(id(node))
                order.append(node)
                continue
            visited_layers.append(layer.name)
            stack.append((tensor, True))
            for parent in reversed(node.input_tensors):
                stack.append((parent, False))
        by_input = {id(t): i for i, t in enumerate(self.inputs)}
        inputs_first = sorted([n for n in order if isinstance(n.layer, InputLayer)],
                              key=lambda n: by_input.get(id(n.outputs), 0))
        return inputs_first + [n for n in order if not isinstance(n.layer, InputLayer)]

    def _collect_layers(self):
        """The model's layers in Keras 3's order (deepest first), so that ``layers``,
        ``weights`` and ``get_weights()`` line up with a Keras model of the same graph."""
        from graphkeras.saving.topology import keras_layer_order
        layers = keras_layer_order(self)
        names = [layer.name for layer in layers]
        for name in set(names):
            if names.count(name) > 1:
                raise ValueError(f"The name {name!r} is used {names.count(name)} times in the "
                                 "model. All layer names should be unique.")
        return layers

    @property
    def layers(self):
        return list(self._layers)

    @property
    def _sublayers(self):
        return [layer for layer in self._layers if layer is not self]

    @property
    def input(self):
        return self._nested_inputs

    @property
    def output(self):
        return self._nested_outputs

    @property
    def input_names(self):
        return [t._keras_history[0].name for t in self.inputs]

    @property
    def output_names(self):
        return [t._keras_history[0].name for t in self.outputs]

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in ``layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both.")
        if index is not None:
            if not -len(self._layers) <= index < len(self._layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model "
                                 f"only has {len(self._layers)} layers.")
            return self._layers[index]
        if name is not None:
            for layer in self._layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in self._layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # -- calling ------------------------------------------------------------------------

    def _run_graph(self, inputs, training=None):
        """Replay the layer calls on ``inputs`` (values or arrays) and return the outputs."""
        flat = flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self.inputs)} input(s), but "
                             f"it received {len(flat)} input tensors.")
        values = {id(t): v for t, v in zip(self.inputs, flat)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = pack_like(node.call_inputs, [values[id(t)] for t in node.input_tensors])
            kwargs = dict(node.kwargs)
            if training is not None and kwargs.get("training") is None:
                kwargs["training"] = training
            outs = node.layer(args, **kwargs)
            for t, v in zip(node.output_tensors, flatten(outs)):
                values[id(t)] = v
        return pack_like(self._nested_outputs, [values[id(t)] for t in self.outputs])

    def call(self, inputs, training=None):
        return self._run_graph(inputs, training)

    def _eager_call(self, inputs, kwargs):
        """``model(x)`` on data: the compiled predict program, as ``predict_on_batch``.

        With ``training=True`` the layers run one by one on the data instead, as
        in Keras: Dropout drops and BatchNormalization normalises with, and
        updates its moving statistics from, the batch.
        """
        if kwargs.get("training"):
            return super()._eager_call(inputs, kwargs)
        return self.predict_on_batch(inputs)

    def build(self, input_shape):
        self.built = True

    # -- saving (graphkeras.saving) -------------------------------------------------------

    def get_config(self):
        """Keras 3's config: the layers with their calls (nodes), and the model's ends."""
        from graphkeras.saving import model_config
        return model_config.functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from graphkeras.saving import model_config
        return model_config.functional_from_config(config, custom_objects, cls=cls)

    def to_json(self, **kwargs):
        """The architecture as Keras 3's JSON (``graphkeras.models.model_from_json`` reads it)."""
        from graphkeras.saving import api
        return api.model_to_json(self, **kwargs)

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        """Save to ``.keras`` (Keras 3's format) or ``.h5`` (legacy HDF5), atomically."""
        from graphkeras.saving import api
        api.save_model(self, filepath, overwrite=overwrite,
                       include_optimizer=include_optimizer, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Save the weights to ``.weights.h5`` (Keras 3 layout) or ``.h5`` (legacy layout)."""
        from graphkeras.saving import api
        api.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False):
        """Load weights from a ``.weights.h5``, ``.h5`` or ``.keras`` file of any Keras."""
        from graphkeras.saving import api
        api.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name)


Functional = Model
