"""``verify(graph)``: the invariants every pass must keep.

Checked: the graph is acyclic; a set execution order contains every value once
and respects every edge; operand positions are 0..k-1 with no gaps; every op is
registered and its arity holds; every value's recorded type equals what its
shape rule derives from its operands; the batch dimension is only ever first;
outputs and updates name existing values, and every update replaces a
``param``/``state`` with a value of the same type.

A failure raises ``VerificationError`` (an internal error) whose message shows
the failing op with a few of its neighbours in execution order, and the layer
it came from.
"""

import networkx as nx

from compiler.errors import GraphError, VerificationError
from compiler.ops.registry import get_op

CONTEXT = 3


def verify(graph, stage=None):
    """Raise ``VerificationError`` if ``graph`` breaks an IR invariant."""
    if not nx.is_directed_acyclic_graph(graph.nx):
        cycle = nx.find_cycle(graph.nx)
        _fail(graph, cycle[0][0], "the graph has a cycle", stage)
    order = graph.execution_order()
    if graph.order is not None:
        if sorted(order) != sorted(graph.nx.nodes):
            _fail(graph, None, "the execution order does not list every value exactly once",
                  stage)
    position = {n: i for i, n in enumerate(order)}

    for name in order:
        node = graph.node(name)
        opdef = get_op(node["op"])
        edges = sorted(pos for _, _, pos in graph.nx.in_edges(name, data="pos"))
        if edges != list(range(len(edges))):
            _fail(graph, name, f"operand positions are {edges}", stage)
        operands = graph.operands(name)
        for src in operands:
            if position[src] >= position[name]:
                _fail(graph, name, f"operand %{src} is scheduled after its user", stage)
        try:
            derived = opdef.infer([graph.type_of(s) for s in operands], dict(node["attrs"]),
                                  node.get("layer"))
        except GraphError as err:
            _fail(graph, name, f"shape rule fails: {err}", stage)
        if derived != node["type"]:
            _fail(graph, name, f"recorded type {node['type']} but operands give {derived}",
                  stage)
        if None in tuple(node["type"].shape)[1:]:
            _fail(graph, name, "the batch dimension is not the first dimension", stage)

    for role, val in graph.outputs.items():
        if val not in graph.nx:
            _fail(graph, None, f"output `{role}` names a missing value %{val}", stage)
    for tgt, val in graph.updates.items():
        if tgt not in graph.nx or val not in graph.nx:
            _fail(graph, None, f"update %{tgt} <- %{val} names a missing value", stage)
        if graph.op_of(tgt) not in ("param", "state"):
            _fail(graph, tgt, "only param and state values can be updated", stage)
        if graph.type_of(tgt) != graph.type_of(val):
            _fail(graph, val, f"update of %{tgt} has type {graph.type_of(val)}, "
                              f"expected {graph.type_of(tgt)}", stage)


def _fail(graph, name, problem, stage):
    lines = [f"IR verification failed: {problem}"]
    layer = None
    if name is not None and name in graph.nx:
        order = _context_order(graph)
        i = order.index(name)
        layer = graph.node(name).get("layer")
        for j in range(max(0, i - CONTEXT), min(len(order), i + CONTEXT + 1)):
            mark = ">>" if j == i else "  "
            lines.append(mark + graph.format_node(order[j]))
    raise VerificationError("\n".join(lines), stage=stage, op=name, layer=layer)


def _context_order(graph):
    """The order to show neighbours in: the execution order, or creation order when
    the graph has a cycle and so no topological order (asking for one would raise
    ``NetworkXUnfeasible`` instead of reporting the cycle)."""
    if graph.order is None and not nx.is_directed_acyclic_graph(graph.nx):
        return sorted(graph.nx.nodes, key=lambda n: graph.node(n)["seq"])
    return graph.execution_order()
