"""The runtime: one arena per model, and compiled programs linked against it.

``Arena`` is a single flat array holding, in order, the *persistent* values
(parameters, optimizer slots, moving statistics, metric totals, constants),
which live as long as the model, and the *scratch* values of whichever program
runs (inputs, intermediates, outputs), sized for a batch *capacity*. Programs
of one model share the persistent region by key, so a weight updated by
``train`` is the weight ``predict`` reads. Front-end variables are views into
it (their owner is told through ``_bind_storage`` whenever the arena moves).

``Program`` is one compiled program: its kernel calls (from ``compiler.codegen``),
the addresses of their compiled kernels, the graph it came from and its plan
table; ``compiler.kernels.driver.run_calls`` runs it. When the arena changes
layout (a new program adds persistent values, or a larger batch needs more
scratch), programs re-link: they rebuild the plan table, which is data, and
never recompile.
"""

import hashlib
import logging
import time
from typing import Callable, Dict, Optional

import numba
import numpy as np

from compiler import config
from compiler.codegen import generate
from compiler.kernels.driver import run_calls
from compiler.kernels.loader import compile_recovering
from compiler.kernels.native import entry_point
from compiler.ops.registry import Alias, get_op
from compiler.passes.memory_plan import layout
from compiler.plan import Slot, pack_rows
from compiler.types import TensorType

logger = logging.getLogger(__name__)

ALIGN = 16  # elements; keeps every value's start on a 64-byte line for float32


def _aligned(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


class Arena:
    """The flat storage of one model; see the module docstring."""

    #: Counts every relayout and rebinding of any arena in the process: a variable
    #: shared by two models moves when either model's arena changes.
    moves = 0

    def __init__(self, dtype="float32"):
        self.dtype = np.dtype(dtype)
        self.data = np.zeros(0, dtype=self.dtype)
        self.slots: Dict[str, Slot] = {}           # persistent key -> slot
        self.owners: Dict[str, object] = {}        # key -> object told about moves
        self.bound: Dict[str, np.ndarray] = {}     # key -> the view its owner was given
        self.persistent_size = 0
        self.scratch_size = 0
        self.version = 0

    @property
    def scratch_base(self):
        return _aligned(self.persistent_size)

    def has(self, key):
        return key in self.slots

    def view(self, key):
        """The live array of persistent value ``key``, in its shape."""
        slot = self.slots[key]
        size = slot.type.numel(1)
        return self.data[slot.offset:slot.offset + size].reshape(slot.type.shape)

    def reserve(self, entries, scratch_size):
        """Make room for new persistent ``entries`` and ``scratch_size`` elements.

        ``entries`` is a list of ``(key, TensorType, initial, owner)``; ``initial``
        is an array or a callable returning one, ``owner`` may be None. Returns
        whether the layout changed.
        """
        new = [e for e in entries if e[0] not in self.slots]
        if not new and scratch_size <= self.scratch_size:
            return False

        offset = self.persistent_size
        added = []
        for key, vtype, initial, owner in new:
            offset = _aligned(offset)
            self.slots[key] = Slot(offset, vtype)
            added.append((key, vtype, initial))
            if owner is not None:
                self.owners[key] = owner
            offset += vtype.numel(1)
        self.persistent_size = offset
        self.scratch_size = max(self.scratch_size, scratch_size)

        old = self.data
        self.data = np.zeros(self.scratch_base + self.scratch_size, dtype=self.dtype)
        self.data[:min(old.size, self.persistent_size)] = old[:min(old.size,
                                                                   self.persistent_size)]
        for key, vtype, initial in added:
            value = initial() if callable(initial) else initial
            self.view(key)[...] = np.broadcast_to(np.asarray(value, dtype=self.dtype),
                                                  vtype.shape)
        for key, owner in self.owners.items():
            self.bound[key] = self.view(key)
            owner._bind_storage(self.bound[key])
        self.version += 1
        Arena.moves += 1
        logger.debug("arena relayout: %d persistent + %d scratch elements",
                     self.persistent_size, self.scratch_size)
        return True

    def rebind(self, key, owner):
        """Make ``owner`` (a variable) live in this arena again, keeping its current value."""
        current = np.array(owner._storage_value(), dtype=self.dtype, copy=True)
        view = self.view(key)
        view[...] = current
        self.owners[key] = owner
        self.bound[key] = view
        owner._bind_storage(view)
        Arena.moves += 1


class Program:
    """A compiled program bound to an arena.

    Args:
        name: program kind (``predict``, ``test``, ``train``), also the function name.
        graph: the final, scheduled graph.
        arena: the model's ``Arena``.
        persistent: ``key -> (initial, owner)`` for the ``param``/``state``
            values, supplied by the front end.
    """

    def __init__(self, name, graph, arena, persistent):
        self.name = name
        self.graph = graph
        self.arena = arena
        self._persistent = persistent
        self.generated = generate(graph, name)
        self.source = self.generated.source
        self._entries = None         # address of each plan row's kernel, once compiled
        self._kernels = []           # their dispatchers, which keep that code alive
        self._layout = None          # (rows, {buffer: offset}, size) of the memory plan
        self.capacity = 0
        self.plan = None
        self._linked_version = -1
        self.slots: Dict[str, Slot] = {}
        self.input_slots: Dict[tuple, Slot] = {}
        self.output_slots: Dict[str, Slot] = {}
        self.compile_seconds = 0.0

    # -- compile and link ---------------------------------------------------------

    @property
    def entries(self):
        """The address of each plan row's compiled kernel; the first access compiles them.

        Compiling means: every kernel the program calls, for this arena's types
        (most come from the on-disk cache, a new fusion group or elementwise
        kernel is compiled), and the shared driver. Nothing is specific to the
        program but the table, so a program is ready as soon as its kernels are.
        """
        if self._entries is None:
            start = time.perf_counter()
            if config.debug_level() >= 3:
                logger.info("generated source of program %s:\n%s", self.name, self.source)
            self.ensure_capacity(max(self.capacity, 1))
            compile_recovering(self._compile, self._dispatchers())
            self.compile_seconds = time.perf_counter() - start
            logger.info("program %s ready in %.2f s", self.name, self.compile_seconds)
        return self._entries

    def _compile(self):
        """Compile (or load) the kernels and the driver for this arena's types.

        Nothing runs (a run would change state). A damaged entry in Numba's
        on-disk cache makes this raise; ``loader.compile_recovering`` then
        flushes the entries and calls it again.
        """
        from compiler import kernels
        A, plan, i64 = numba.typeof(self.arena.data), numba.typeof(self.plan), numba.types.int64
        signature = (A, plan, i64, i64)
        found, pinned = {}, []
        for call in self.generated.calls:
            if call.kernel not in found:
                dispatcher = kernels.kernel(call.kernel)
                dispatcher.compile(signature)
                found[call.kernel] = entry_point(dispatcher, signature)
                pinned.append(dispatcher)
        run_calls.compile((numba.types.int64[::1], A, plan, i64))
        self._kernels = pinned
        self._entries = np.array([found[c.kernel] for c in self.generated.calls],
                                 dtype=np.int64)

    def _dispatchers(self):
        """The driver and every compiled function it can reach, for cache recovery."""
        from compiler import kernels
        found = [run_calls]
        for name in sorted({c.kernel for c in self.generated.calls}):
            found.append(kernels.kernel(name))
        for module in kernels._MODULES + (kernels.common, kernels.fpenv):
            found += [obj for obj in vars(module).values() if hasattr(obj, "_cache")]
        return found

    def ensure_capacity(self, batch):
        """Make sure batches of up to ``batch`` rows fit; grow and re-link if not."""
        if batch > self.capacity or self._linked_version != self.arena.version:
            self.capacity = max(self.capacity, batch)
            self._link()

    def _link(self):
        graph = self.graph
        entries = []
        for name in graph.execution_order():
            node = graph.node(name)
            if node["op"] in ("param", "state"):
                key = node["attrs"]["key"]
                initial, owner = self._persistent.get(key, (node["attrs"].get("init", 0.0),
                                                            None))
                entries.append((key, node["type"], initial, owner))
            elif node["op"] == "const":
                entries.append((self._const_key(name), node["type"], node["attrs"]["value"],
                                None))

        scratch, size = self._scratch_offsets()
        self.arena.reserve(entries, size)
        base = self.arena.scratch_base
        inplace = graph.meta.get("memory", {}).get("inplace", {})
        replaced = {v: t for t, v in inplace.items()}
        slots = {}
        for name in graph.execution_order():
            node = graph.node(name)
            op = node["op"]
            if op in ("param", "state"):
                slots[name] = self.arena.slots[node["attrs"]["key"]]
            elif op == "const":
                slots[name] = self.arena.slots[self._const_key(name)]
            elif name in replaced:
                slots[name] = Slot(slots[replaced[name]].offset, node["type"])
            elif name in scratch:
                slots[name] = Slot(base + scratch[name], node["type"])
            elif node.get("fused_internal"):
                continue
            else:
                (src,) = graph.operands(name)
                slots[name] = Slot(slots[src].offset, node["type"])
        self.slots = slots

        rows = [call.row(slots.__getitem__) for call in self.generated.calls]
        self.plan = pack_rows(rows)
        self.input_slots = {(graph.attrs_of(n)["kind"], graph.attrs_of(n)["index"]): slots[n]
                            for n in graph.sources("input")}
        self.output_slots = {role: slots[v] for role, v in graph.outputs.items()}
        self._linked_version = self.arena.version

    def _scratch_offsets(self):
        """``({value: offset in scratch}, scratch size)`` for the current capacity.

        With a memory plan (``compiler.passes.memory_plan``) the offsets are its
        layout for the capacity rounded up to ``ALIGN``; without one, every
        value gets its own buffer in schedule order.
        """
        graph = self.graph
        memory = graph.meta.get("memory")
        if memory is not None:
            rows = _aligned(self.capacity)
            if self._layout is None or self._layout[0] != rows:
                self._layout = (rows,) + layout(memory, rows)
            _, where, size = self._layout
            return {name: where[buf] for name, buf in memory["values"].items()}, size
        offsets, size = {}, 0
        for name in graph.execution_order():
            op = graph.op_of(name)
            if op in ("param", "state", "const") or isinstance(get_op(op).kernel, Alias) \
                    or graph.node(name).get("fused_internal"):
                continue
            offsets[name] = size
            size = _aligned(size + graph.type_of(name).numel(self.capacity))
        return offsets, size

    def _const_key(self, name):
        """The arena key of constant ``name``: its shape and content, as the arena holds it.

        Equal literals share one slot. A key made from ``id(self)`` was wrong: Python
        reuses the id of a freed program, so a later program found the key taken and
        silently read the old program's value for its own constant of the same name.
        """
        node = self.graph.node(name)
        shape = tuple(node["type"].shape)
        value = np.broadcast_to(np.asarray(node["attrs"]["value"], dtype=self.arena.dtype),
                                shape)
        digest = hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest()[:20]
        return f"const/{shape}/{digest}"

    # -- run ----------------------------------------------------------------------

    def input_view(self, key, batch):
        """The arena rows that input ``key`` (e.g. ``("x", 0)``) reads, for ``batch`` rows."""
        if self._linked_version != self.arena.version:
            self._link()  # the arena moved (another program grew it): never write stale slots
        slot = self.input_slots[key]
        shape = slot.type.concrete(batch)
        return self.arena.data[slot.offset:slot.offset + slot.type.numel(batch)].reshape(shape)

    def run(self, batch):
        """Run the program on the ``batch`` rows already written to its inputs."""
        entries = self.entries
        if batch > self.capacity or self._linked_version != self.arena.version:
            self.ensure_capacity(batch)
        run_calls(entries, self.arena.data, self.plan, np.int64(batch))

    def output_view(self, role, batch):
        """Output ``role`` after a run of ``batch`` rows, as a view into the arena."""
        slot = self.output_slots[role]
        shape = slot.type.concrete(batch)
        return self.arena.data[slot.offset:slot.offset + slot.type.numel(batch)].reshape(shape)

    def scalar(self, role):
        """Output ``role`` as a Python float (for the loss)."""
        return float(self.arena.data[self.output_slots[role].offset])

    def memory_bytes(self):
        """Scratch bytes this program uses at its capacity."""
        return self.arena.scratch_size * self.arena.dtype.itemsize
