"""Scheduling: fix the order in which codegen emits ops.

The order is a topological order of the data edges plus one *anti-dependency*
per reader of a persistent value: every op that reads a weight or an
optimizer slot runs before the op that computes its replacement, so the
replacement can be written in place (``compiler.passes.memory_plan``).

Within that, the order is chosen for memory. Ops that the program's outputs
need (the forward pass, the loss, the metrics) come first, ties broken by
creation, so they run in layer order. The rest (gradients and optimizer
updates) run most-recently-created first among those ready. Since autodiff
creates each layer's gradients before the layers below it, and the optimizer
creates its updates last, this runs each parameter's update as soon as its
gradient exists, and the gradient's buffer is free again before the next
layer's gradient is made: a weight gradient no longer lives until the end of
the step, which is what lets the memory plan reuse it. Ready ops that shrink
their operand (a bias gradient summing over the batch) go first of all: they
end the operand's lifetime and allocate little.
"""

import heapq

import networkx as nx

PERSISTENT = ("param", "state", "const")


def anti_dependencies(graph):
    """``[(reader, replacement)]``: each reader of a persistent value, and what replaces it.

    Readers that themselves depend on the replacement are left out (they read
    the new value's inputs, not the old value, so there is no order to keep).
    """
    edges = []
    for target, value in graph.updates.items():
        if value not in graph:
            continue
        after = nx.descendants(graph.nx, value) | {value}
        for reader in graph.users(target):
            if reader not in after:
                edges.append((reader, value))
    return edges


def add_acyclic(dag, edges):
    """Add ``edges`` to ``dag``, leaving out any that would close a cycle.

    All at once when that stays acyclic (the usual case: one check), else one
    by one with a path check each, so that the cost stays linear in practice.
    """
    edges = [(a, b) for a, b in edges if a != b]
    dag.add_edges_from(edges)
    if nx.is_directed_acyclic_graph(dag):
        return
    dag.remove_edges_from(edges)
    for a, b in edges:
        if not nx.has_path(dag, b, a):
            dag.add_edge(a, b)


def _shrinks(graph, name):
    """Whether ``name`` is smaller than its largest scratch operand (a bias gradient, say)."""
    sizes = [graph.type_of(o).numel(2) for o in graph.operands(name)
             if graph.op_of(o) not in PERSISTENT]
    return bool(sizes) and graph.type_of(name).numel(2) < max(sizes)


class Schedule:
    name = "schedule"

    def __call__(self, graph) -> bool:
        order = self._order(graph)
        changed = order != graph.order
        graph.order = order
        return changed

    @staticmethod
    def _order(graph):
        dag = nx.DiGraph(graph.nx.edges())
        dag.add_nodes_from(graph.nx.nodes)
        add_acyclic(dag, anti_dependencies(graph))

        needed = set()
        for value in graph.outputs.values():
            needed |= nx.ancestors(graph.nx, value) | {value}

        def key(name):
            seq = graph.node(name)["seq"]
            if name in needed:
                return (0, 0, seq)
            return (1, 0 if _shrinks(graph, name) else 1, -seq)

        waiting = {n: dag.in_degree(n) for n in dag.nodes}
        ready = [(key(n), n) for n, d in waiting.items() if d == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            _, name = heapq.heappop(ready)
            order.append(name)
            for user in dag.successors(name):
                waiting[user] -= 1
                if waiting[user] == 0:
                    heapq.heappush(ready, (key(user), user))
        return order
