"""Dead-code elimination: drop every value that no output or update depends on."""

import networkx as nx


class DeadCodeElimination:
    name = "dce"

    def __call__(self, graph) -> bool:
        roots = set(graph.outputs.values()) | set(graph.updates.values()) | set(graph.updates)
        live = set(roots)
        for root in roots:
            live |= nx.ancestors(graph.nx, root)
        dead = [n for n in graph.nx.nodes if n not in live]
        for name in dead:
            graph.remove(name)
        return bool(dead)
