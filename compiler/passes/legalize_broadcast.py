"""Legalize broadcasting: make every elementwise op's operands fit its kernel.

A ``Binary`` kernel covers the broadcasts that ``compiler.plan.binary_layout``
can describe as rows and columns with strides; a ``Map`` kernel needs every
``T`` operand in the output's shape. Both are what NumPy broadcasting yields
most of the time, but not always: ``(B, 4, 5) * (B, 1, 5)``, ``(4, 1) + (1, 5)``
or a ``select`` (a ``Map`` whose shape rule broadcasts) with a scalar
condition. For those this pass inserts an explicit ``broadcast_to`` on an
operand (the smallest one that suffices, else all that need it), so codegen
never meets a pattern it cannot lower.

It runs after every pass that emits ops (autodiff, the optimizer) and before
dead-code elimination. Gradients need no change: the gradient rules of the
elementwise ops already sum back to each operand's shape.
"""

from compiler.errors import UnsupportedOpError
from compiler.ops.build import emit
from compiler.ops.registry import Binary, Map, get_op
from compiler.plan import binary_layout


def _fits(out_type, types):
    try:
        binary_layout(out_type, *types)
        return True
    except UnsupportedOpError:
        return False


class LegalizeBroadcast:
    name = "legalize_broadcast"

    def __call__(self, graph) -> bool:
        changed = False
        for name in graph.topological():
            spec = get_op(graph.op_of(name)).kernel
            if isinstance(spec, Binary):
                changed |= self._binary(graph, name)
            elif isinstance(spec, Map):
                changed |= self._map(graph, name, spec.kinds)
        return changed

    def _binary(self, graph, name):
        out = graph.type_of(name)
        operands = graph.operands(name)
        types = [graph.type_of(o) for o in operands]
        if _fits(out, types):
            return False
        # broadcast one operand if that is enough, the one with fewer elements first
        candidates = [i for i, t in enumerate(types) if t.shape != out.shape]
        candidates.sort(key=lambda i: types[i].sample_size)
        for i in candidates:
            trial = list(types)
            trial[i] = out._replace(dtype=types[i].dtype)
            if _fits(out, trial):
                self._broadcast_operand(graph, name, i)
                return True
        for i in candidates:
            self._broadcast_operand(graph, name, i)
        return True

    def _map(self, graph, name, kinds):
        # ``S`` operands need nothing: shape rules already require them to be scalars
        out = graph.type_of(name)
        changed = False
        for i, (src, kind) in enumerate(zip(graph.operands(name), kinds)):
            if kind == "T" and graph.type_of(src).shape != out.shape:
                self._broadcast_operand(graph, name, i)
                changed = True
        return changed

    @staticmethod
    def _broadcast_operand(graph, user, pos):
        """Feed operand ``pos`` of ``user`` through a new ``broadcast_to`` to its shape."""
        src = graph.operands(user)[pos]
        shape = graph.type_of(user).shape
        wide = emit(graph, "broadcast_to", [src], {"shape": tuple(shape)}, like=user)
        graph.nx.remove_edge(src, user, key=pos)
        graph.nx.add_edge(wide, user, key=pos, pos=pos)
        if graph.order is not None:
            graph.order.insert(graph.order.index(user), wide)
