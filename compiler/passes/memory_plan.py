"""Memory planning: decide which values share buffers, and when each buffer lives.

Runs last, on the scheduled graph. For every value that lives in scratch (not a
``param``, ``state`` or ``const``) it computes the interval of schedule steps
during which the value is live. Intervals that never overlap in time share
memory: ``layout`` packs them best-fit into one region for a given batch
capacity (batched buffers scale with it, weight gradients and losses do not),
so a weight gradient made late in the step reuses activations that died
before it. The runtime asks for a layout whenever its capacity changes; the
listing shows offsets for the capacity the pass was given (32 rows unless
told), as ``@offset in %buffer``.

Two kinds of reuse go beyond disjoint lifetimes:

- an elementwise op whose operand dies at that op and has the output's type
  writes its output over the operand (each element is read before the same
  element is written, so this is safe for ``Map`` and ``Binary`` kernels);
- a persistent value (a weight, an optimizer slot) whose replacement is made
  by an elementwise op after every other read of the old value gets its
  replacement written in place, so the program needs no copy at the end.

Reshapes share their operand's buffer, extending its lifetime. Program inputs
are live from the start and outputs until the end. The plan is recorded in
``graph.meta["memory"]`` (``buffers``: lifetime and size of each value's own
buffer; ``owner``: whose memory it uses; ``values``: the buffer each value
lives in; ``inplace``) and, per value, in the node attribute ``mem``.
"""

from compiler.ops.registry import Alias, Binary, Map, get_op

PERSISTENT = ("param", "state", "const")
ALIGN = 16


class MemoryPlan:
    name = "memory_plan"

    def __init__(self, capacity=32):
        self.capacity = capacity

    def __call__(self, graph) -> bool:
        order = graph.execution_order()
        fusion = graph.meta.get("fusion", {})

        # 0. steps: a fusion group runs as one step, at the place of its first op
        step, units = {}, []
        for name in order:
            group = graph.node(name).get("group")
            if group is not None and fusion[group]["ops"][0] != name:
                step[name] = step[fusion[group]["ops"][0]]
                units[-1].append(name)
                continue
            step[name] = len(units)
            units.append([name])
        end_step = len(units)

        # 1. buffers: every materialized scratch value owns one, reshapes share
        root = {}
        for name in order:
            op = graph.op_of(name)
            if op in PERSISTENT or graph.node(name).get("fused_internal"):
                continue
            if isinstance(get_op(op).kernel, Alias):
                operand = graph.operands(name)[0]
                if graph.op_of(operand) in PERSISTENT or operand not in root:
                    continue  # a view of a weight or constant: it lives in their slot
                root[name] = root[operand]
            else:
                root[name] = name

        # 2. lifetimes of buffers, over steps
        start, end = {}, {}
        for name in order:
            if name not in root:
                continue
            buf = root[name]
            born = -1 if graph.op_of(name) == "input" else step[name]
            start.setdefault(buf, born)
            end[buf] = max(end.get(buf, born), born)
            for user in graph.users(name):
                end[buf] = max(end[buf], step[user])
        for value in list(graph.outputs.values()) + list(graph.updates.values()):
            if value in root:
                end[root[value]] = end_step

        # 3. persistent replacements written in place
        inplace = self._inplace_updates(graph, step, root)
        for value in inplace.values():
            end.pop(root[value], None)
            start.pop(root[value], None)

        # 4. sharing, step by step: an elementwise op may take over a dying operand's buffer
        pinned = {root[v] for v in inplace.values()}
        owner = {buf: buf for buf in start if start[buf] == -1}
        for i, unit in enumerate(units):
            reads = [o for name in unit for o in graph.operands(name) if o not in unit]
            for name in unit:
                buf = root.get(name)
                if buf is None or buf != name or buf in owner or buf in pinned:
                    continue
                reuse = self._reusable_operand(graph, name, reads, root, end, i, owner, pinned)
                owner[buf] = buf if reuse is None else owner[reuse]
                if reuse is not None:
                    reads = [r for r in reads if root.get(r) != reuse]

        # 5. record the plan; offsets come from ``layout`` for each capacity
        buffers = {}
        for buf in owner:
            vtype = graph.type_of(buf)
            per_sample, fixed = (vtype.sample_size, 0) if vtype.batched else (0, vtype.numel(1))
            buffers[buf] = [start[buf], end[buf], per_sample, fixed]
        memory = {"inplace": dict(inplace), "buffers": buffers, "owner": owner,
                  "values": {name: owner[root[name]] for name in order
                             if name in root and root[name] in owner},
                  "capacity": self.capacity}
        offsets, size = layout(memory, self.capacity)
        replaced = {v: t for t, v in inplace.items()}
        for name in order:
            if name in root and root[name] in replaced:
                graph.node(name)["mem"] = f"in place of %{replaced[root[name]]}"
            elif name in memory["values"]:
                buf = memory["values"][name]
                _, _, per_sample, fixed = buffers[buf]
                extent = f"{per_sample}*B" if per_sample else f"{fixed}"
                graph.node(name)["mem"] = f"@{offsets[buf]} in %{buf}, {extent} elems"
        graph.meta["memory"] = memory
        return True

    @staticmethod
    def _elementwise(graph, name):
        return isinstance(get_op(graph.op_of(name)).kernel, (Map, Binary))

    def _reusable_operand(self, graph, name, reads, root, end, i, owner, pinned):
        """A tensor read at this step, dying here, whose buffer ``name`` may overwrite."""
        for operand in reads:
            buf = root.get(operand)
            if (buf is not None and buf in owner and buf not in pinned and end.get(buf) == i
                    and root[operand] == operand
                    and graph.type_of(operand) == graph.type_of(name)
                    and self._elementwise(graph, name)):
                return buf
        return None

    def _inplace_updates(self, graph, step, root):
        """``{persistent value: replacement}`` pairs that can be computed in place.

        The replacement must be made by an elementwise op (alone or in a fusion
        group) that reads the old value, at or after every other read of it.
        """
        found, taken = {}, set()
        fusion = graph.meta.get("fusion", {})
        for target, value in graph.updates.items():
            if value not in root or root[value] != value or value in taken:
                continue
            if not self._elementwise(graph, value) or value in graph.outputs.values():
                continue
            if graph.type_of(value) != graph.type_of(target):
                continue
            group = graph.node(value).get("group")
            readers_here = set(fusion[group]["ops"]) if group else {value}
            if not any(target in graph.operands(r) for r in readers_here):
                continue
            if any(step[r] > step[value] for r in graph.users(target)):
                continue
            found[target] = value
            taken.add(value)
        return found


def layout(memory, rows):
    """``({buffer: offset}, size)``: the scratch layout of a plan for ``rows`` batch rows.

    Greedy by size: the largest buffer first, each at the lowest offset where
    it overlaps no already placed buffer that is live at the same time (time
    intervals include both ends, since an op's output must not overlap its
    operands). Placing in time order instead leaves holes that a large
    weight gradient made late in the step cannot use; by size, it goes where
    activations that died before it were. The layout depends on the
    capacity, which is why the plan records lifetimes and the runtime asks
    for a layout whenever the capacity changes.
    """
    spans = {}
    for buf, own in memory["owner"].items():
        first, last, per_sample, fixed = memory["buffers"][buf]
        lo, hi, _ = spans.get(own, (first, last, 0))
        size = per_sample * rows + fixed
        spans[own] = (min(lo, first), max(hi, last), (size + ALIGN - 1) // ALIGN * ALIGN)
    placed, offsets = [], {}
    for own in sorted(spans, key=lambda b: (-spans[b][2], spans[b][0], b)):
        first, last, size = spans[own]
        busy = sorted((o, o + z) for o, z, f, t in placed if f <= last and first <= t)
        offset = 0
        for lo, hi in busy:
            if offset + size <= lo:
                break
            offset = max(offset, hi)
        offsets[own] = offset
        placed.append((offset, size, first, last))
    return offsets, max([o + z for o, z, _, _ in placed] or [0])


def sizes(memory, rows):
    """``(naive, peak)`` in elements for ``rows``: one buffer per value, and most live at once.

    ``peak`` counts an op's output apart from an operand it overwrites, so it
    is what any plan without such sharing would need at least.
    """
    items = [(s, e, p * rows + f) for s, e, p, f in memory["buffers"].values()]
    naive = sum(size for _, _, size in items)
    steps = {s for s, _, _ in items} | {e for _, e, _ in items}
    peak = max([sum(size for s, e, size in items if s <= i <= e) for i in steps] or [0])
    return naive, peak


def storage_keys(graph):
    """``{value: key}`` naming the storage each value occupies once linked: equal keys, same
    elements.

    It follows how the runtime places values (``compiler.runtime``): persistent
    values live in their own slot, an in-place replacement in its target's
    slot, planned values in their buffer, and an alias (a reshape) in its
    operand's storage. Kernel generators use it to see that an output is
    written over one of its inputs, which they then load and store through one
    view, the pattern the loop vectorizer can prove safe. Computed once per
    program (codegen), since a deep model has thousands of values.
    """
    memory = graph.meta.get("memory", {})
    replaced = {value: target for target, value in memory.get("inplace", {}).items()}
    values = memory.get("values", {})
    keys = {}
    for name in graph.execution_order():
        op = graph.op_of(name)
        if op in PERSISTENT:
            keys[name] = ("slot", name)
        elif name in replaced:
            keys[name] = ("slot", replaced[name])
        elif name in values:
            keys[name] = ("buffer", values[name])
        elif isinstance(get_op(op).kernel, Alias):
            keys[name] = keys.get(graph.operands(name)[0], ("value", name))
        else:
            keys[name] = ("value", name)
    return keys
