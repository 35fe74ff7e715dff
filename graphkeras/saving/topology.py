"""The layer and weight orders Keras uses in files.

Keras matches weights by position: legacy ``.h5`` files pair layers by their
place in ``model.layers``, ``.keras`` files key layers by class name and a
counter in that same order, and optimizer state follows
``model.trainable_variables``. So files must use Keras 3's order of a
Functional model's layers, which is not always the order in which graphkeras
keeps them. Keras 3 orders layers by *depth* (the longest path from the layer
to an output), deepest first, and breaks ties by the order in which a
depth-first walk from the outputs first meets each layer
(``keras/src/ops/function.py``, ``map_graph``). This module computes that order
for any graphkeras model.
"""

from graphkeras.layers.input_layer import InputLayer
from graphkeras.utils.structure import flatten


def _is_input_node(node):
    return isinstance(node.layer, InputLayer)


def _node_of(tensor):
    layer, index, _ = tensor._keras_history
    return layer._inbound_nodes[index]


def keras_layer_order(model):
    """``model.layers`` in Keras 3's order (Sequential: the stack order)."""
    from graphkeras.models.sequential import Sequential
    if isinstance(model, Sequential):
        return list(model.layers)
    input_ids = {id(t) for t in flatten(model.inputs)}
    finished, in_progress = set(), set()
    post_order, first_seen = [], {}

    def enter(tensor):
        node = _node_of(tensor)
        if id(node) in finished:
            return None
        if not _is_input_node(node) and id(tensor) in input_ids:
            finished.add(id(node))
            return None
        if id(node) in in_progress:
            raise ValueError(f"The graph of model {model.name!r} has a cycle at layer "
                             f"{node.layer.name!r}.")
        first_seen.setdefault(id(node.layer), len(first_seen))
        in_progress.add(id(node))
        return node

    for output in flatten(model.outputs):
        start = enter(output)
        if start is None:
            continue
        stack = [(start, iter(start.input_tensors))]
        while stack:
            node, parents = stack[-1]
            for tensor in parents:
                child = enter(tensor)
                if child is not None:
                    stack.append((child, iter(child.input_tensors)))
                    break
            else:
                stack.pop()
                in_progress.discard(id(node))
                finished.add(id(node))
                post_order.append(node)

    in_graph = {id(n) for n in post_order}
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(post_order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for tensor in node.input_tensors:
            parent = _node_of(tensor)
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for tensor in flatten(model.inputs):
        layer = tensor._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            first_seen[id(layer)] = -1
            layers[id(layer)] = layer
    ordered = sorted(layers, key=lambda k: (-layer_depth[k], first_seen[k]))
    return [layers[k] for k in ordered]


def legacy_weights(layer):
    """A layer's weights as legacy ``.h5`` files list them: trainable, then non-trainable."""
    from graphkeras.models.model import Model
    if isinstance(layer, Model):
        weights = keras_weights(layer)
        trainable = [v for v in weights if v.trainable and layer.trainable]
        ids = {id(v) for v in trainable}
        return trainable + [v for v in weights if id(v) not in ids]
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def keras_weights(model):
    """All weights of ``model`` in Keras 3's order (each layer's own, layers in file order)."""
    from graphkeras.models.model import Model
    out, seen = [], set()
    for v in model._trainable_variables + model._non_trainable_variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    for layer in keras_layer_order(model):
        sub = keras_weights(layer) if isinstance(layer, Model) else layer.weights
        for v in sub:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


def keras_trainable_weights(model):
    """``model.trainable_variables`` in Keras 3's order: what optimizer state follows."""
    if not model.trainable:
        return []
    return [v for v in keras_weights(model) if v.trainable]
