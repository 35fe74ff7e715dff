"""Model configs: ``Sequential`` and Functional ``Model`` to and from Keras's JSON structure.

Written configs follow Keras 3 (``docs``: keras.md section 3): layer envelopes
with ``module``/``registered_name``/``build_config``, dict-form nodes whose
tensors are ``__keras_tensor__`` entries with a ``keras_history`` of
``[layer name, node index, tensor index]``, and ``input_layers``/``output_layers``
that keep the structure (a bare triple for one tensor). ``legacy=True`` gives
the envelopes of Keras 3's own ``.h5`` files (no ``module``/``registered_name``
on layer entries).

Read configs may also be Keras 2's: list-form nodes ``[name, node, tensor,
kwargs]``, ``batch_input_shape``, ``Model`` as the class name, inputs listed
anywhere in the layer list.

Node indices count only the calls that belong to the model being described.
Keras 3 numbers a nested Functional model's nodes from 1 in ``input_layers``/
``output_layers`` (it counts a built-in node), but not inside ``args``; Keras 2
numbers every nested model's nodes from 1 everywhere. Both are undone on load.
"""

from graphkeras.saving import serialization
from graphkeras.utils.structure import flatten

_MAX_POSITIONAL = 1


def _layer_classes():
    from graphkeras.layers.input_layer import InputLayer
    from graphkeras.models.model import Model
    from graphkeras.models.sequential import Sequential
    return InputLayer, Model, Sequential


def _is_functional(layer):
    _, Model, Sequential = _layer_classes()
    return isinstance(layer, Model) and not isinstance(layer, Sequential)


# -- writing -------------------------------------------------------------------------------

def layer_entry(layer, legacy=False):
    """The envelope of one layer (a nested model included) as a model config lists it."""
    entry = serialization.serialize_keras_object(layer)
    config = entry["config"]
    if isinstance(config, dict):
        # the input shape lives in the model's InputLayer; Keras 3 rejects the key
        config.pop("batch_input_shape", None)
    if legacy:
        entry = {"class_name": entry["class_name"], "config": config}
    return entry


def _keras_tensor(tensor, index):
    layer, _, tensor_index = tensor._keras_history
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": [layer.name, index, tensor_index]}}


def _map_inputs(structure, fn):
    if isinstance(structure, (list, tuple)):
        return [_map_inputs(s, fn) for s in structure]
    if isinstance(structure, dict):
        return {k: _map_inputs(v, fn) for k, v in structure.items()}
    return fn(structure)


def functional_config(model, legacy=False):
    """Keras 3's config of a Functional model (``legacy`` for the ``.h5`` envelope)."""
    from graphkeras.saving.topology import keras_layer_order
    ordered = keras_layer_order(model)
    own = {id(node) for node in model._nodes}
    node_index = {}  # id(node) -> index among the model's own calls of its layer
    for layer in ordered:
        kept = 0
        for node in layer._inbound_nodes:
            if id(node) in own:
                node_index[id(node)] = kept
                kept += 1

    def history_index(tensor):
        layer, index, _ = tensor._keras_history
        return node_index[id(layer._inbound_nodes[index])]

    layers = []
    for layer in ordered:
        entry = layer_entry(layer, legacy)
        entry["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in own or not node.input_tensors:
                continue
            args = [_map_inputs(node.call_inputs,
                                lambda t: _keras_tensor(t, history_index(t)))]
            kwargs = {k: serialization.serialize_keras_object(v)
                      for k, v in node.kwargs.items()}
            nodes.append({"args": args, "kwargs": kwargs})
        entry["inbound_nodes"] = nodes
        layers.append(entry)

    def triple(tensor):
        layer, _, tensor_index = tensor._keras_history
        shift = 1 if _is_functional(layer) else 0
        return [layer.name, history_index(tensor) + shift, tensor_index]

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": _map_inputs(model._nested_inputs, triple),
            "output_layers": _map_inputs(model._nested_outputs, triple)}


def sequential_config(model, legacy=False):
    """Keras 3's config of a ``Sequential`` model."""
    layers = []
    if model._input_layer is not None:
        layers.append(layer_entry(model._input_layer, legacy))
    for layer in model._stack:
        layers.append(layer_entry(layer, legacy))
    config = {"name": model.name, "trainable": model.trainable, "dtype": model.dtype,
              "layers": layers}
    if model.built and model.inputs:
        config["build_input_shape"] = list(model.inputs[0].shape)
    return config


def model_envelope(model, legacy=False):
    """``{"class_name", "config"}`` (plus ``module``/``registered_name`` unless legacy)."""
    _, Model, Sequential = _layer_classes()
    if type(model) is Sequential:
        envelope = {"module": "keras", "class_name": "Sequential",
                    "config": sequential_config(model, legacy), "registered_name": None}
    elif type(model) is Model:
        envelope = {"module": "keras.src.models.functional", "class_name": "Functional",
                    "config": functional_config(model, legacy),
                    "registered_name": "Functional"}
    else:
        envelope = serialization.serialize_keras_object(model)
    if legacy:
        return {"class_name": envelope["class_name"], "config": envelope["config"]}
    build = serialization.build_config_of(model)
    if build is not None:
        envelope["build_config"] = build
    return envelope


# -- reading -------------------------------------------------------------------------------

class _NotReady(Exception):
    """A node's input tensors do not exist yet; retried on the next sweep."""


def deserialize_layer(entry, custom_objects, where="model config"):
    """One layer from its entry in a model config (any generation)."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        raise ValueError(f"{where}: a layer entry must be a dict with a `class_name`; "
                         f"found {str(entry)[:80]!r}.")
    config = entry.get("config")
    name = entry.get("name") or (config or {}).get("name")
    label = f"{where}, layer {name!r} ({entry['class_name']})"
    if entry["class_name"] in ("Sequential", "Functional", "Model"):
        return model_from_config(entry, custom_objects, where=label)
    if isinstance(config, dict) and entry["class_name"] == "InputLayer" \
            and "batch_input_shape" in config:
        config = dict(config)
        config["batch_shape"] = config.pop("batch_input_shape")
        entry = dict(entry, config=config)
    return serialization.deserialize_keras_object(
        {k: entry[k] for k in ("module", "class_name", "config", "registered_name")
         if k in entry}, custom_objects, kind="layer", where=label)


def _output_tensor(layer, index, tensor_index, where):
    nodes = layer._inbound_nodes
    if not 0 <= index < len(nodes):
        raise _NotReady()
    tensors = nodes[index].output_tensors
    if not 0 <= tensor_index < len(tensors):
        raise ValueError(f"{where}: layer {layer.name!r} has no output {tensor_index} at "
                         f"node {index}.")
    return tensors[tensor_index]


def _node_call(node, created, where):
    """``(inputs, kwargs)`` of one serialized call, or ``_NotReady``."""
    _, Model, _ = _layer_classes()
    if isinstance(node, list):  # Keras 2: [[name, node, tensor, kwargs], ...]
        tensors, kwargs = [], {}
        for item in node:
            if not isinstance(item, list) or len(item) not in (3, 4):
                raise ValueError(f"{where}: cannot read the inbound node entry {item!r}.")
            name, index, tensor_index = item[0], item[1], item[2]
            if len(item) == 4 and item[3]:
                kwargs = dict(item[3])
            if name not in created:
                raise ValueError(f"{where}: a node refers to the unknown layer {name!r}.")
            layer = created[name]
            if isinstance(layer, Model):
                index -= 1
            tensors.append(_output_tensor(layer, index, tensor_index, where))
        return (tensors[0] if len(tensors) == 1 else tensors), kwargs
    if not isinstance(node, dict):
        raise ValueError(f"{where}: cannot read the inbound node {node!r}.")

    def revive(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            name, index, tensor_index = value["config"]["keras_history"]
            if name not in created:
                raise ValueError(f"{where}: a node refers to the unknown layer {name!r}.")
            return _output_tensor(created[name], index, tensor_index, where)
        if isinstance(value, list):
            return [revive(v) for v in value]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: revive(v) for k, v in value.items()}
        return serialization.deserialize_keras_object(value, where=where)

    args = [revive(a) for a in node.get("args", [])]
    kwargs = {k: revive(v) for k, v in (node.get("kwargs") or {}).items()}
    if len(args) > _MAX_POSITIONAL:
        raise NotImplementedError(f"{where}: a layer call with {len(args)} positional "
                                  "arguments is not supported.")
    return (args[0] if args else None), kwargs


def _clean_call_kwargs(kwargs, where):
    out = {}
    for key, value in kwargs.items():
        if value is None:
            continue  # e.g. Keras 3's `mask: null` on nested model calls
        if key == "mask":
            raise NotImplementedError(f"{where}: masks are not supported.")
        out[key] = value
    return out


def functional_from_config(config, custom_objects=None, cls=None, where="model config"):
    """Rebuild a Functional model: create the layers, then replay their calls in sweeps."""
    _, Model, _ = _layer_classes()
    cls = cls or Model
    if not isinstance(config, dict) or "layers" not in config:
        raise ValueError(f"{where}: a Functional config needs `layers`, `input_layers` and "
                         "`output_layers`.")
    created, order, pending = {}, [], {}
    for entry in config["layers"]:
        layer = deserialize_layer(entry, custom_objects, where)
        name = entry.get("name") or layer.name
        if name in created:
            raise ValueError(f"{where}: the layer name {name!r} appears twice.")
        created[name] = layer
        order.append(name)
        pending[name] = list(entry.get("inbound_nodes") or [])
    legacy = any(isinstance(n, list) for nodes in pending.values() for n in nodes)
    while any(pending.values()):
        progress = False
        for name in order:
            layer = created[name]
            while pending[name]:
                try:
                    inputs, kwargs = _node_call(pending[name][0], created,
                                                f"{where}, layer {name!r}")
                except _NotReady:
                    break
                layer(inputs, **_clean_call_kwargs(kwargs, f"{where}, layer {name!r}"))
                pending[name].pop(0)
                progress = True
        if not progress:
            stuck = sorted(n for n, nodes in pending.items() if nodes)
            raise ValueError(f"{where}: the graph has loops or disconnected nodes; the calls "
                             f"of layers {stuck} could not be resolved.")

    def tensor(triple):
        name, index, tensor_index = triple[0], triple[1], triple[2]
        if name not in created:
            raise ValueError(f"{where}: input/output layer {name!r} is not in `layers`.")
        layer = created[name]
        if isinstance(layer, Model) and (legacy or _is_functional(layer)):
            index -= 1
        try:
            return _output_tensor(layer, index, tensor_index, where)
        except _NotReady:
            raise ValueError(f"{where}: layer {name!r} has no node {index}.") from None

    def structure(value):
        if isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str) \
                and isinstance(value[1], int):
            return tensor(value)
        if isinstance(value, dict):
            return {k: structure(v) for k, v in value.items()}
        if isinstance(value, list):
            return [structure(v) for v in value]
        raise ValueError(f"{where}: cannot read the input/output spec {value!r}.")

    inputs = structure(config["input_layers"])
    outputs = structure(config["output_layers"])
    if legacy:  # Keras 2 always wrote lists; a single tensor was a one-element list
        inputs = inputs[0] if isinstance(inputs, list) and len(inputs) == 1 else inputs
        outputs = outputs[0] if isinstance(outputs, list) and len(outputs) == 1 else outputs
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
               trainable=config.get("trainable", True))


def sequential_from_config(config, custom_objects=None, cls=None, where="model config"):
    """Rebuild a ``Sequential``: its layers in order, then ``build`` if the shape is known."""
    _, _, Sequential = _layer_classes()
    cls = cls or Sequential
    if isinstance(config, list):  # very old Keras 2: the config is the layer list
        config = {"layers": config}
    if not isinstance(config, dict) or "layers" not in config:
        raise ValueError(f"{where}: a Sequential config needs `layers`.")
    model = cls(name=config.get("name"), trainable=config.get("trainable", True))
    for entry in config["layers"]:
        model.add(deserialize_layer(entry, custom_objects, where), rebuild=False)
    model._rebuild()
    shape = config.get("build_input_shape")
    if not model.built and isinstance(shape, (list, tuple)) and shape:
        model.build(tuple(shape))
    return model


def model_from_config(envelope, custom_objects=None, cls=None, where="model config"):
    """A model from ``{"class_name": "Sequential"|"Functional"|"Model", "config": ...}``."""
    if not isinstance(envelope, dict) or "class_name" not in envelope:
        raise ValueError(f"{where}: expected a dict with `class_name` and `config`.")
    _, Model, Sequential = _layer_classes()
    name = envelope["class_name"]
    config = envelope.get("config")
    if cls is None and name not in ("Sequential", "Functional", "Model"):
        return serialization.deserialize_keras_object(envelope, custom_objects,
                                                      kind="layer", where=where)
    cls = cls or (Sequential if name == "Sequential" else Model)
    with serialization.custom_object_scope(custom_objects or {}):
        if issubclass(cls, Sequential):
            return sequential_from_config(config, custom_objects, cls, where)
        return functional_from_config(config, custom_objects, cls, where)


def flat_names(structure):
    return [t._keras_history[0].name for t in flatten(structure)]
