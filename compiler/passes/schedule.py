"""Scheduling: fix the order in which codegen emits ops.

The order is a topological order with ties broken by creation, so forward ops
come in layer order and each gradient follows the ops it needs. Reads of a
persistent value always precede its replacement because updates are applied
after the whole program body.
"""


class Schedule:
    name = "schedule"

    def __call__(self, graph) -> bool:
        order = graph.topological()
        changed = order != graph.order
        graph.order = order
        return changed
