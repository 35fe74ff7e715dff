"""Dead-code elimination: drop every value that no output or update depends on.

``drop_outputs`` names output roles (by prefix) that the program will not
return: train and test programs drop the model's predictions (``output:``),
which fit and evaluate never read, so that whatever only they needed (a
softmax after a fused softmax cross-entropy, say) is not computed.
"""

import networkx as nx


class DeadCodeElimination:
    name = "dce"

    def __init__(self, drop_outputs=()):
        self.drop_outputs = tuple(drop_outputs)

    def __call__(self, graph) -> bool:
        dropped = [r for r in graph.outputs if self.drop_outputs and
                   r.startswith(self.drop_outputs)]
        for role in dropped:
            del graph.outputs[role]
        roots = set(graph.outputs.values()) | set(graph.updates.values()) | set(graph.updates)
        live = set(roots)
        for root in roots:
            live |= nx.ancestors(graph.nx, root)
        dead = [n for n in graph.nx.nodes if n not in live]
        for name in dead:
            graph.remove(name)
        return bool(dead or dropped)
