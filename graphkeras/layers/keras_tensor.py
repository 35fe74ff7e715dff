"""Symbolic tensors of the Functional API, and the nodes that record layer calls.

A ``KerasTensor`` is a shape and a dtype with a history: the layer call that
made it. A ``Node`` is one *call* of a layer (a layer called twice has two
nodes, sharing its weights), holding the input and output tensors of that
call; following ``_keras_history`` from a model's outputs back to its inputs
recovers the whole DAG.
"""

from graphkeras.utils.structure import flatten


class KerasTensor:
    """A symbolic tensor: ``shape`` (batch dimension ``None``), ``dtype``, and its history."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name
        # (layer, node_index, tensor_index) of the call that produced this tensor
        self._keras_history = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError("A symbolic KerasTensor has no value; it only describes a model "
                        "input or a layer output. Call the model on data instead.")


class Node:
    """One call of ``layer``: the tensors in (``inputs``, as passed) and out."""

    def __init__(self, layer, inputs, outputs, kwargs):
        self.layer = layer
        self.call_inputs = inputs
        self.input_tensors = flatten(inputs)
        self.outputs = outputs
        self.output_tensors = flatten(outputs)
        self.kwargs = dict(kwargs)

    @property
    def parent_nodes(self):
        parents = []
        for t in self.input_tensors:
            layer, index, _ = t._keras_history
            parents.append(layer._inbound_nodes[index])
        return parents
