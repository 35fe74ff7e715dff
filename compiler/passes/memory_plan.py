"""Memory planning: give every scratch value an offset so that buffers are reused.

Runs last, on the scheduled graph. For every value that lives in scratch (not a
``param``, ``state`` or ``const``) it computes the interval of schedule steps
during which the value is live, then packs the intervals into two regions
with best-fit offsets:

- the *batched* region holds values with a batch dimension; sizes and offsets
  are counted in elements per sample, and the runtime multiplies them by the
  padded batch capacity, so one plan serves every capacity;
- the *fixed* region holds values without one (gradients of weights, losses),
  in elements.

Two kinds of reuse go beyond disjoint lifetimes:

- an elementwise op whose operand dies at that op and has the output's type
  writes its output over the operand (each element is read before the same
  element is written, so this is safe for ``Map`` and ``Binary`` kernels);
- a persistent value (a weight, an optimizer slot) whose replacement is made
  by an elementwise op after every other read of the old value gets its
  replacement written in place, so the program needs no copy at the end.

Reshapes share their operand's buffer, extending its lifetime. Program inputs
are live from the start and outputs until the end. The plan is recorded in
``graph.meta["memory"]`` and, per value, in the node attribute ``mem`` that
IR listings show.
"""

from compiler.ops.registry import Alias, Binary, Map, get_op

PERSISTENT = ("param", "state", "const")
ALIGN = 16


class _Blocks:
    """Best-fit allocation of ``[offset, offset + size)`` blocks in one region."""

    def __init__(self, align):
        self.align = align
        self.free = []          # sorted (offset, size)
        self.top = 0
        self.high = 0           # the most the region ever needed

    def _round(self, size):
        return (size + self.align - 1) // self.align * self.align

    def alloc(self, size):
        size = self._round(max(size, 1))
        fits = [(s, o) for o, s in self.free if s >= size]
        if fits:
            s, o = min(fits)
            self.free.remove((o, s))
            if s > size:
                self.free.append((o + size, s - size))
                self.free.sort()
            return o
        offset = self.top
        self.top += size
        self.high = max(self.high, self.top)
        return offset

    def release(self, offset, size):
        size = self._round(max(size, 1))
        self.free.append((offset, size))
        self.free.sort()
        merged = []
        for o, s in self.free:
            if merged and merged[-1][0] + merged[-1][1] == o:
                merged[-1] = (merged[-1][0], merged[-1][1] + s)
            else:
                merged.append((o, s))
        self.free = merged
        if merged and merged[-1][0] + merged[-1][1] == self.top:
            self.top = merged[-1][0]
            self.free.pop()


class MemoryPlan:
    name = "memory_plan"

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

        # 4. allocation step by step, freeing buffers after their last use
        # batched offsets are multiplied by a capacity rounded up to ALIGN, which
        # aligns them already; only the fixed region needs rounding
        regions = {"batched": _Blocks(1), "fixed": _Blocks(ALIGN)}
        placed = {}            # buffer -> (region, offset, size)
        expiring = {}          # step -> buffers whose last use is that step
        for buf, last in end.items():
            expiring.setdefault(last, []).append(buf)
        pinned = {root[v] for v in inplace.values()}
        for buf in sorted((b for b in start if start[b] == -1), key=step.get):
            placed[buf] = self._place(graph, buf, regions)

        for i, unit in enumerate(units):
            reads = [o for name in unit for o in graph.operands(name) if o not in unit]
            for name in unit:
                buf = root.get(name)
                if buf is None or buf != name or buf in placed or buf in pinned:
                    continue
                reuse = self._reusable_operand(graph, name, reads, root, end, i, placed,
                                               pinned)
                if reuse is not None:
                    placed[buf] = placed[reuse]
                    expiring[i].remove(reuse)
                    reads = [r for r in reads if root.get(r) != reuse]
                else:
                    placed[buf] = self._place(graph, buf, regions)
            for dead in expiring.get(i, []):
                region, offset, size = placed[dead]
                regions[region].release(offset, size)

        # 5. record the plan
        memory = {"batched": {}, "fixed": {}, "inplace": dict(inplace),
                  "batched_size": regions["batched"].high, "fixed_size": regions["fixed"].high}
        replaced = {v: t for t, v in inplace.items()}
        for name in order:
            if name in root and root[name] in replaced:
                graph.node(name)["mem"] = f"in place of %{replaced[root[name]]}"
                continue
            if name not in root:
                continue
            region, offset, size = placed[root[name]]
            memory[region][name] = offset
            unit = "*B" if region == "batched" else ""
            graph.node(name)["mem"] = f"{region} @{offset}{unit}, {size}{unit} elems"
        memory["naive_batched"] = sum(graph.type_of(b).sample_size for b in placed
                                      if graph.type_of(b).batched)
        memory["naive_fixed"] = sum(graph.type_of(b).numel(1) for b in placed
                                    if not graph.type_of(b).batched)
        memory["peak"] = self._peak(graph, start, end, end_step)
        graph.meta["memory"] = memory
        return True

    @staticmethod
    def _place(graph, buf, regions):
        vtype = graph.type_of(buf)
        region = "batched" if vtype.batched else "fixed"
        size = vtype.sample_size if vtype.batched else vtype.numel(1)
        return region, regions[region].alloc(size), size

    @staticmethod
    def _elementwise(graph, name):
        return isinstance(get_op(graph.op_of(name)).kernel, (Map, Binary))

    def _reusable_operand(self, graph, name, reads, root, end, i, placed, pinned):
        """A tensor read at this step, dying here, whose buffer ``name`` may overwrite."""
        for operand in reads:
            buf = root.get(operand)
            if (buf is not None and buf in placed and buf not in pinned and end.get(buf) == i
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

    @staticmethod
    def _peak(graph, start, end, end_step):
        """The largest total size (batched per sample, fixed) of buffers live at once."""
        best = (0, 0)
        for i in range(-1, end_step + 1):
            live_b = live_f = 0
            for buf in start:
                if start[buf] <= i <= end[buf]:
                    vtype = graph.type_of(buf)
                    if vtype.batched:
                        live_b += vtype.sample_size
                    else:
                        live_f += vtype.numel(1)
            best = max(best, (live_b, live_f))
        return best
