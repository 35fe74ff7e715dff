"""Shape and dtype inference: re-derive every value's type from its operands.

Values get a type when they are added, so on a fresh graph this pass finds
nothing to change; it exists to re-establish types after passes that rewire
operands, and to report a mismatch (a ``GraphError`` naming the layer, the
expected and the received shape) at one well-defined point.
"""

from compiler.ops.registry import get_op


class ShapeInference:
    name = "shape_inference"

    def __call__(self, graph) -> bool:
        changed = False
        for name in graph.topological():
            node = graph.node(name)
            operands = [graph.type_of(s) for s in graph.operands(name)]
            derived = get_op(node["op"]).infer(operands, node["attrs"], node.get("layer"))
            if derived != node["type"]:
                node["type"] = derived
                changed = True
        return changed
