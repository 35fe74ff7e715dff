"""Reverse-mode differentiation of ``loss`` with respect to every trainable parameter.

Walks the ops between the trainable ``param`` values and the ``loss`` output in
reverse topological order, applying each op's gradient rule from the registry
and summing the contributions of every use of a value (so a weight shared by
two layer calls gets both gradients). The gradients are recorded in
``graph.meta["grads"]`` as ``{param value: gradient value}``; parameters the
loss does not depend on get none, as in Keras.
"""

import networkx as nx

from compiler.errors import UnsupportedOpError
from compiler.ops.build import const, emit
from compiler.ops.registry import get_op


class Autodiff:
    name = "autodiff"

    def __call__(self, graph) -> bool:
        loss = graph.outputs["loss"]
        params = [p for p in graph.sources("param") if graph.attrs_of(p).get("trainable", True)]

        # the ops on some path from a trainable parameter to the loss
        upstream = nx.ancestors(graph.nx, loss) | {loss}
        downstream = set(params)
        for p in params:
            downstream |= nx.descendants(graph.nx, p)
        on_path = upstream & downstream

        grads = {loss: const(graph, 1.0, graph.type_of(loss).dtype, like=loss)}
        for name in reversed(graph.topological()):
            if name not in on_path or name not in grads or name in params:
                continue
            node = graph.node(name)
            opdef = get_op(node["op"])
            if opdef.grad is None:
                where = f" in layer `{node['layer']}`" if node.get("layer") else ""
                raise UnsupportedOpError(
                    f"Cannot differentiate through op `{node['op']}`{where}: it has no "
                    "gradient rule.")
            contributions = opdef.grad(graph, name, grads[name])
            for src, d in zip(graph.operands(name), contributions):
                if d is None or src not in on_path:
                    continue
                grads[src] = d if src not in grads else emit(graph, "add", [grads[src], d],
                                                             like=name)

        graph.meta["grads"] = {p: grads[p] for p in params if p in grads}
        return True
