"""Fusion: merge chains of elementwise ops into groups that run as one loop.

A *group* is a set of elementwise ops (``Map`` and ``Binary`` kernels) with
the same output shape, run by one generated kernel (``compiler.kernels.fused``)
that reads every input element once, keeps intermediates in registers and
writes only the values that something outside the group needs. Operands of a
group are tensors of the group's shape, rows (a vector along the last axis,
such as a bias) or scalars (such as a learning rate). Typical groups: a bias
add and its activation; an activation's gradient; all the slot and weight
updates of one parameter's optimizer step; the scalar arithmetic of a
learning-rate correction.

An op joins the group of one of its operands when the shapes agree and the
merge keeps the graph of groups acyclic (no operand of the op may depend on
the group through an op outside it). The pass then reorders the schedule so
that each group's ops are contiguous, in a topological order of the groups
that keeps the scheduled order where it can.

Records ``graph.meta["fusion"]``: ``{group: {"ops", "inputs", "outputs",
"shape"}}``; member nodes get the attribute ``group`` (shown in listings) and
values used only inside their group ``fused_internal`` (they get no buffer).
"""

import networkx as nx

from compiler.ops.registry import Binary, Map, get_op
from compiler.passes.schedule import add_acyclic, anti_dependencies

#: Most operands plus outputs a group may have (plan rows are 16 wide, 2 used).
MAX_PORTS = 14


def operand_kind(shape, operand_shape):
    """How a group of ``shape`` reads an operand: ``T``ensor, ``R``ow, ``S``calar or None."""
    operand_shape = tuple(operand_shape)
    if operand_shape == tuple(shape):
        return "T"
    if operand_shape == () or all(d == 1 for d in operand_shape):
        return "S"
    if len(shape) >= 2 and shape[-1] is not None and operand_shape[-1] == shape[-1] \
            and all(d == 1 for d in operand_shape[:-1]) \
            and len(operand_shape) <= len(shape):
        return "R"
    return None


class Fusion:
    name = "fusion"

    def __call__(self, graph) -> bool:
        order = graph.execution_order()
        position = {name: i for i, name in enumerate(order)}
        group_of = {}
        members = {}
        counter = 0

        for name in order:
            if not self._fusable(graph, name):
                continue
            shape = graph.type_of(name).shape
            candidates = []
            for operand in graph.operands(name):
                g = group_of.get(operand)
                if g is not None and g not in candidates \
                        and graph.type_of(members[g][0]).shape == shape:
                    candidates.append(g)
            target = self._join(graph, name, candidates, members, group_of, position)
            if target is None:
                counter += 1
                target = f"fused_{counter}"
                members[target] = [name]
            group_of[name] = target

        groups = {g: ops for g, ops in members.items() if len(ops) > 1}
        if not groups:
            return False
        info = {}
        for g, ops in groups.items():
            inputs, outputs = self._interface(graph, ops)
            info[g] = {"ops": list(ops), "inputs": inputs, "outputs": outputs,
                       "shape": tuple(graph.type_of(ops[0]).shape)}
            for op in ops:
                graph.node(op)["group"] = g
                if op not in outputs:
                    graph.node(op)["fused_internal"] = True
        graph.order = self._contiguous_order(graph, {op: g for g, ops in groups.items()
                                                     for op in ops})
        position = {name: i for i, name in enumerate(graph.order)}
        for entry in info.values():
            # codegen and the memory plan read a group's first and last op from this list
            entry["ops"].sort(key=position.get)
        graph.meta["fusion"] = info
        return True

    @staticmethod
    def _fusable(graph, name):
        spec = get_op(graph.op_of(name)).kernel
        if not isinstance(spec, (Map, Binary)):
            return False
        shape = graph.type_of(name).shape
        return all(operand_kind(shape, graph.type_of(o).shape) is not None
                   for o in graph.operands(name))

    def _join(self, graph, name, candidates, members, group_of, position):
        """Put ``name`` in the group(s) of its operands if that is legal; return the group.

        All candidate groups together first (so an op that combines two chains,
        like a weight update reading both moment estimates, fuses them into one
        loop), then each alone.
        """
        options = ([candidates] if len(candidates) > 1 else []) + [[g] for g in candidates]
        for option in options:
            merged = [op for g in option for op in members[g]] + [name]
            if self._ports(graph, merged) > MAX_PORTS:
                continue
            if self._creates_cycle(graph, set(merged), members, group_of, position):
                continue
            target = option[0]
            for g in option[1:]:
                for op in members.pop(g):
                    group_of[op] = target
            members[target] = sorted(merged, key=lambda n: graph.node(n)["seq"])
            return target
        return None

    @staticmethod
    def _creates_cycle(graph, merged, members, group_of, position):
        """Whether running ``merged`` as one unit would need it both before and after
        some op outside it: a path leaves the unit and comes back to it.

        ``position`` is a topological order: every edge goes forward in it, so a
        path that comes back to the unit never passes an op placed after the
        unit's last op, and the search stops there (without this bound, each
        check walked everything downstream, quadratic in a deep model).
        """
        horizon = max(position[n] for n in merged)

        def unit(n):
            return "__merged__" if n in merged else group_of.get(n, n)

        def nodes_of(u):
            return members[u] if u in members else [u]

        frontier = [unit(u) for n in merged for u in graph.users(n)
                    if u not in merged and position[u] < horizon]
        seen = set(frontier)
        while frontier:
            current = frontier.pop()
            for n in nodes_of(current):
                for user in graph.users(n):
                    nxt = unit(user)
                    if nxt == "__merged__":
                        return True
                    if nxt not in seen and position[user] < horizon:
                        seen.add(nxt)
                        frontier.append(nxt)
        return False

    def _ports(self, graph, ops):
        inputs, outputs = self._interface(graph, ops)
        return len(inputs) + len(outputs)

    @staticmethod
    def _interface(graph, ops):
        """``(inputs, outputs)`` of a group: values read from outside, values needed outside."""
        inside = set(ops)
        inputs = []
        for op in ops:
            for operand in graph.operands(op):
                if operand not in inside and operand not in inputs:
                    inputs.append(operand)
        roots = set(graph.outputs.values()) | set(graph.updates.values())
        outputs = [op for op in ops
                   if op in roots or any(u not in inside for u in graph.users(op))]
        return inputs, outputs

    @staticmethod
    def _contiguous_order(graph, group_of):
        """A topological order in which each group's ops run back to back.

        Units (groups and single ops) keep the schedule's order, placed by
        their first op, and the schedule's anti-dependencies (readers of a
        weight before its in-place replacement) where the groups allow it.
        """
        contracted = nx.DiGraph()
        first = {}
        for i, name in enumerate(graph.execution_order()):
            unit = group_of.get(name, name)
            contracted.add_node(unit)
            first.setdefault(unit, i)
        for src, dst in graph.nx.edges():
            a, b = group_of.get(src, src), group_of.get(dst, dst)
            if a != b:
                contracted.add_edge(a, b)
        add_acyclic(contracted, [(group_of.get(r, r), group_of.get(v, v))
                                 for r, v in anti_dependencies(graph)])
        order = []
        by_group = {}
        for name in graph.execution_order():
            if name in group_of:
                by_group.setdefault(group_of[name], []).append(name)
        for unit in nx.lexicographical_topological_sort(contracted, key=lambda u: first[u]):
            order.extend(by_group.get(unit, [unit]))
        return order
