"""``Layer``: the base class of every layer, built-in or user-written.

A layer creates its weights in ``build(input_shape)`` with ``add_weight`` and
computes in ``call(inputs)`` with ``graphkeras.ops``. Calling a layer does one
of three things, by what it is called on:

- Keras tensors (the Functional API): build if needed, trace ``call`` once on
  placeholder values to learn the output shapes (so a shape mismatch or an op
  the compiler cannot handle is reported here, naming the layer), and record
  a ``Node``;
- IR values (while a model is being compiled): emit ``call``'s ops into the
  program's graph;
- NumPy data: compute now.
"""

import inspect

import numpy as np

from compiler.codegen import check_lowerable
from compiler.ir import Graph, Value
from graphkeras import backend, initializers
from graphkeras.layers.keras_tensor import KerasTensor, Node
from graphkeras.trace import current_trace, layer_scope, trace
from graphkeras.utils.structure import flatten, map_structure, pack_like
from graphkeras.variables import Variable

_LAYER_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "input_dim")


class Layer:
    """Base layer class.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: a unique name (by default the snake-cased class name, numbered).
        dtype: the dtype of the layer's weights and computations.
        input_shape: for the first layer of a ``Sequential``, the shape of one sample.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        unknown = [k for k in kwargs if k not in _LAYER_KWARGS]
        if unknown:
            raise TypeError(f"Unrecognized keyword arguments passed to "
                            f"{type(self).__name__}: {unknown}")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ValueError(f"Argument `name` must be a non-empty string without '/'; "
                             f"received name={name!r}.")
        self.name = name or backend.unique_name(backend.snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = (dtype.get("config", {}).get("name") if isinstance(dtype, dict)
                      else dtype) or backend.floatx()
        self.built = False
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._inbound_nodes = []
        self._eager_losses = []
        self.activity_regularizer = None
        self._input_shape_arg = None
        if "batch_input_shape" in kwargs and kwargs["batch_input_shape"] is not None:
            self._input_shape_arg = tuple(kwargs["batch_input_shape"])[1:]
        elif "input_shape" in kwargs and kwargs["input_shape"] is not None:
            self._input_shape_arg = tuple(kwargs["input_shape"])
        elif "input_dim" in kwargs and kwargs["input_dim"] is not None:
            self._input_shape_arg = (int(kwargs["input_dim"]),)

    # -- weights -----------------------------------------------------------------

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   regularizer=None, constraint=None, name=None, **kwargs):
        """Create a weight of this layer (call it from ``build``)."""
        shape = tuple(int(d) for d in (shape or ()))
        dtype = dtype or self.dtype
        if initializer is None:
            initializer = "glorot_uniform" if np.dtype(dtype).kind == "f" else "zeros"
        init = initializers.get(initializer)
        name = name or "variable"
        var = Variable(init, shape=shape, dtype=dtype, trainable=trainable and self.trainable,
                       name=name, path=f"{self.name}/{name}")
        var.regularizer = regularizer
        var.constraint = constraint
        (self._trainable_variables if trainable else self._non_trainable_variables).append(var)
        return var

    @property
    def _sublayers(self):
        """Layers held in attributes (directly, or in a list, tuple or dict), in assignment order.

        Keras tracks the layers a custom layer creates in ``__init__`` (``self.dense =
        Dense(4)``) and counts their weights as the layer's own; so does this.
        """
        found, seen = [], {id(self)}
        for value in vars(self).values():
            if isinstance(value, dict):
                items = list(value.values())
            elif isinstance(value, (list, tuple)):
                items = value
            else:
                items = [value]
            for item in items:
                if isinstance(item, Layer) and id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
        return found

    def _layer_tree(self):
        """This layer and every layer below it, each once, depth first."""
        order, seen, stack = [], set(), [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            order.append(layer)
            stack.extend(reversed(layer._sublayers))
        return order

    @property
    def weights(self):
        """All weights: this layer's own (trainable first) then its sublayers'."""
        out, seen = [], set()
        for layer in self._layer_tree():
            for v in layer._trainable_variables + layer._non_trainable_variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    variables = weights

    @property
    def trainable_weights(self):
        return [v for v in self.weights if v.trainable] if self.trainable else []

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        for layer in self._layer_tree():
            layer._trainable = value
            for v in layer._trainable_variables:
                v.trainable = value

    def get_weights(self):
        """The weights' values as NumPy arrays, in ``weights`` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Set every weight from a list of arrays in ``weights`` order."""
        params = self.weights
        if len(weights) != len(params):
            raise ValueError(
                f"Layer {self.name!r} expects {len(params)} weights, but the weight list "
                f"passed has {len(weights)} entries.")
        for var, value in zip(params, weights):
            value = np.asarray(value)
            if value.shape != var.shape:
                raise ValueError(
                    f"Layer {self.name!r} weight shape {var.shape} is not compatible with "
                    f"provided weight shape {value.shape}.")
        for var, value in zip(params, weights):
            var.assign(value)

    def count_params(self):
        """The number of scalars in all weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer {self.name!r}, but "
                             "the layer isn't built. Call it on data or build it first.")
        return int(sum(np.prod(v.shape, dtype=np.int64) for v in self.weights))

    # -- losses added by the layer ----------------------------------------------------

    def add_loss(self, loss):
        """Add a scalar to the training loss, from inside ``call`` (as in Keras).

        While a model is being compiled the term joins the program's loss (and
        so ``evaluate`` and the validation loss); called on data it is kept in
        ``layer.losses`` until the next call.
        """
        from graphkeras.trace import current_trace
        from graphkeras import ops
        trace = current_trace()
        if trace is not None and ops.is_symbolic(loss):
            trace.add_penalty(ops.sum(loss) if loss.shape else loss)
            return
        self._eager_losses.append(float(np.sum(loss)))

    @property
    def losses(self):
        """Scalars added with ``add_loss`` during the last call on data."""
        return list(getattr(self, "_eager_losses", []))

    # -- build and call -------------------------------------------------------------

    def build(self, input_shape):
        """Create weights for inputs of ``input_shape``; the default creates none."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement `call`.")

    def _maybe_build(self, input_shape):
        if not self.built:
            self.build(input_shape)
            self.built = True

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f"Layer {self.name!r} was called without inputs.")
            args = (kwargs.pop("inputs"),)
        inputs, rest = args[0], args[1:]
        if rest:
            raise TypeError(f"Layer {self.name!r} takes its inputs as one argument (a tensor "
                            "or a list of tensors).")
        flat = flatten(inputs)
        if any(isinstance(t, KerasTensor) for t in flat):
            if not all(isinstance(t, KerasTensor) for t in flat):
                raise ValueError(f"Layer {self.name!r} was called on a mix of symbolic Keras "
                                 "tensors and data; pass only Keras tensors.")
            return self._symbolic_call(inputs, kwargs)
        if any(isinstance(t, Value) for t in flat):
            return self._traced_call(inputs, kwargs)
        return self._eager_call(inputs, kwargs)

    def _call_kwargs(self, kwargs, training):
        kwargs = dict(kwargs)
        params = inspect.signature(self.call).parameters
        if "training" in params and kwargs.get("training") is None:
            kwargs["training"] = training
        elif "training" not in params:
            kwargs.pop("training", None)
        return kwargs

    def _traced_call(self, inputs, kwargs):
        t = current_trace()
        self._maybe_build(map_structure(lambda v: tuple(v.shape), inputs))
        with layer_scope(self.name):
            outputs = self.call(inputs, **self._call_kwargs(kwargs, t.training))
            if self.activity_regularizer is not None and t.training is not None:
                from graphkeras import ops
                for out in flatten(outputs):
                    penalty = self.activity_regularizer(out)
                    batch = t.graph.add("batch_size", [], {"dtype": out.dtype}, name="n")
                    t.add_penalty(ops.divide(penalty, batch))
        return outputs

    def _symbolic_call(self, inputs, kwargs):
        self._maybe_build(map_structure(lambda kt: kt.shape, inputs))
        outputs = self._trace_shapes(inputs, kwargs)
        node = Node(self, inputs, outputs, kwargs)
        index = len(self._inbound_nodes)
        self._inbound_nodes.append(node)
        for i, t in enumerate(node.output_tensors):
            t._keras_history = (self, index, i)
        return outputs

    def _trace_shapes(self, inputs, kwargs):
        """Output Keras tensors of calling ``self`` on ``inputs``, found by tracing ``call``."""
        graph = Graph(f"{self.name}-shapes")
        with trace(graph, training=False):
            counter = iter(range(10 ** 6))
            values = map_structure(lambda kt: graph.add(
                "input", [], {"kind": "x", "index": next(counter), "shape": kt.shape,
                              "dtype": kt.dtype, "key": "probe"}), inputs)
            out = self._traced_call(values, kwargs)
        check_lowerable(graph)
        flat = [KerasTensor(v.shape, v.dtype, name=f"{self.name}_output_{i}")
                for i, v in enumerate(flatten(out))]
        return pack_like(out, flat)

    def _eager_call(self, inputs, kwargs):
        self._eager_losses = []
        inputs = map_structure(lambda x: np.asarray(x), inputs)
        self._maybe_build(map_structure(lambda x: (None,) + tuple(x.shape[1:]), inputs))
        return self.call(inputs, **self._call_kwargs(kwargs, False))

    def compute_output_shape(self, input_shape):
        """Output shape(s) for ``input_shape``, found by tracing ``call``."""
        is_single = isinstance(input_shape, tuple) and all(
            d is None or isinstance(d, int) for d in input_shape)
        tensors = (KerasTensor(input_shape, self.dtype) if is_single else
                   [KerasTensor(s, self.dtype) for s in input_shape])
        self._maybe_build(input_shape)
        return map_structure(lambda kt: kt.shape, self._trace_shapes(tensors, {}))

    # -- graph position ----------------------------------------------------------------

    def _node_attr(self, attr):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called and thus has "
                                 f"no defined {attr}.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"Layer {self.name!r} has multiple inbound nodes; use "
                                 f"`get_{attr}_at(node_index)` instead.")
        node = self._inbound_nodes[0]
        return node.call_inputs if attr == "input" else node.outputs

    @property
    def input(self):
        return self._node_attr("input")

    @property
    def output(self):
        return self._node_attr("output")

    def get_input_at(self, node_index):
        return self._inbound_nodes[node_index].call_inputs

    def get_output_at(self, node_index):
        return self._inbound_nodes[node_index].outputs

    @property
    def input_shape(self):
        return map_structure(lambda t: t.shape, self.input)

    @property
    def output_shape(self):
        return map_structure(lambda t: t.shape, self.output)

    # -- config ---------------------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._input_shape_arg is not None:
            config["batch_input_shape"] = (None,) + tuple(self._input_shape_arg)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
