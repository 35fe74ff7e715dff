"""Common-subexpression elimination: compute each distinct value once.

Two ops with the same op name, operands and attributes compute the same value
when the op is pure, so every use of the later one is pointed at the earlier
one. Constants merge when dtype, shape and content agree. This matters most
for optimizer updates, whose step-size corrections (from the learning rate
and the iteration count) are the same scalar arithmetic for every weight.
Sources other than constants are never merged: two inputs or parameters are
different values even when they look alike.
"""

import numpy as np

from compiler.ops.registry import get_op

SOURCES = ("input", "param", "state")


def _key(graph, name):
    op = graph.op_of(name)
    attrs = graph.attrs_of(name)
    if op == "const":
        value = np.asarray(attrs["value"])
        return ("const", graph.type_of(name).dtype, value.shape, value.tobytes())
    items = tuple(sorted((k, repr(v)) for k, v in attrs.items()))
    return (op, tuple(graph.operands(name)), items)


class CommonSubexpressions:
    name = "cse"

    def __call__(self, graph) -> bool:
        seen = {}
        changed = False
        for name in graph.topological():
            op = graph.op_of(name)
            if op in SOURCES or not get_op(op).pure:
                continue
            key = _key(graph, name)
            if key not in seen:
                seen[key] = name
                continue
            keep = seen[key]
            graph.replace_uses(name, keep)
            graph.remove(name)
            changed = True
        return changed
