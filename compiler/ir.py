"""The compiler's intermediate representation: a DAG of single-output ops held in networkx.

A ``Graph`` is one program (``predict``, ``test`` or ``train``) or a piece of one
while it is being built. Every node is a value and the op that makes it; every
edge is a tensor flowing into an operand position of its user (the edge key and
its ``pos`` attribute are that position, so ``x * x`` is two parallel edges).

Node attributes (``graph.nx.nodes[name]``):

- ``op``: the op name, a key of the op registry (``compiler.ops.REGISTRY``);
- ``attrs``: a dict of op attributes (axes, flags; never tensors);
- ``type``: the ``TensorType`` of the value (shape with a symbolic batch, dtype);
- ``layer``: the Keras layer the op came from, or None (used in every message);
- ``seq``: insertion number, which makes every ordering deterministic.

Values with no operands are the program's interface: ``input`` (a batch of
``x``, ``y`` or sample weights), ``param`` (a model weight), ``state`` (a
persistent non-weight: optimizer slots, moving statistics, metric totals, the
learning rate), ``const`` (a literal) and ``batch_size`` (the runtime batch).
A program's results are named in ``outputs`` (role -> value) and the new
values of persistent ``param``/``state`` values in ``updates`` (value -> value).
Ops never mutate their operands: the IR is pure, and in-place execution is a
decision of the memory planner.
"""

import json
from typing import Dict, Iterable, List, Optional

import networkx as nx
import numpy as np

from compiler.errors import GraphError
from compiler.ops.registry import REGISTRY, get_op
from compiler.types import TensorType, format_shape

SOURCE_OPS = ("input", "param", "state", "const", "batch_size")


class Value:
    """A handle on one value of a graph, as passed to op builders and loss rules.

    Python operators on values (``x * w + b``, ``-x``, ``x ** 2``, ``x @ w``,
    ``x > 0``, ``x[:, 1:3]``) emit ops, so custom layers can be written as in
    Keras. The compiler does not know the front end, so the operators go
    through a hook: ``Value.operators`` is an object the front end installs at
    import (``graphkeras.ops`` does), with methods ``add``, ``sub``, ``mul``,
    ``truediv``, ``pow``, ``matmul``, ``neg``, ``gt``, ``ge``, ``lt``, ``le``
    and ``getitem``, each taking the operands in Python order. ``==`` is left
    as identity so values can key dicts and sets.

    NumPy functions cannot see inside a value: ``np.asarray(x)`` and ufuncs
    such as ``np.exp(x)`` raise a ``TypeError`` naming ``graphkeras.ops``, while
    arithmetic with a NumPy array on the left (``w_array * x``) is routed to
    the operators above.
    """

    __slots__ = ("graph", "name")

    #: The front end's operator implementations (see the class docstring), or None.
    operators = None

    def __init__(self, graph: "Graph", name: str):
        self.graph = graph
        self.name = name

    @property
    def type(self) -> TensorType:
        return self.graph.type_of(self.name)

    @property
    def shape(self):
        return self.type.shape

    @property
    def dtype(self) -> str:
        return self.type.dtype

    @property
    def ndim(self) -> int:
        return len(self.type.shape)

    def __repr__(self):
        return f"<Value %{self.name} {format_shape(self.shape)} {self.dtype}>"

    # -- operators, through the front end's hook --------------------------------

    def _apply(self, method, *operands):
        impl = Value.operators
        if impl is None:
            raise TypeError(
                f"Operator `{method}` on an IR value needs a front end to emit ops; "
                "import graphkeras (or use `Graph.add`) first.")
        return getattr(impl, method)(*operands)

    def __add__(self, other):
        return self._apply("add", self, other)

    def __radd__(self, other):
        return self._apply("add", other, self)

    def __sub__(self, other):
        return self._apply("sub", self, other)

    def __rsub__(self, other):
        return self._apply("sub", other, self)

    def __mul__(self, other):
        return self._apply("mul", self, other)

    def __rmul__(self, other):
        return self._apply("mul", other, self)

    def __truediv__(self, other):
        return self._apply("truediv", self, other)

    def __rtruediv__(self, other):
        return self._apply("truediv", other, self)

    def __pow__(self, other):
        return self._apply("pow", self, other)

    def __rpow__(self, other):
        return self._apply("pow", other, self)

    def __matmul__(self, other):
        return self._apply("matmul", self, other)

    def __rmatmul__(self, other):
        return self._apply("matmul", other, self)

    def __neg__(self):
        return self._apply("neg", self)

    def __gt__(self, other):
        return self._apply("gt", self, other)

    def __ge__(self, other):
        return self._apply("ge", self, other)

    def __lt__(self, other):
        return self._apply("lt", self, other)

    def __le__(self, other):
        return self._apply("le", self, other)

    def __getitem__(self, key):
        return self._apply("getitem", self, key)

    def __iter__(self):
        # NOTE: without this, ``__getitem__`` would make values iterable by index
        raise TypeError("An IR value cannot be iterated; index it (`x[:, 0]`) or use "
                        "`graphkeras.ops` functions instead.")

    def __bool__(self):
        raise TypeError(
            f"The truth value of IR value %{self.name} is only known when the program "
            "runs; inside a layer use `graphkeras.ops.where` instead of `if`.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"IR value %{self.name} is symbolic: NumPy cannot compute with it. Inside a "
            "layer's `call`, use `graphkeras.ops` functions (e.g. `ops.exp(x)`) instead of "
            "NumPy functions.")

    # NumPy operators with an array on the left (``w * x``) defer to the hook
    _UFUNC_OPERATORS = {np.add: "add", np.subtract: "sub", np.multiply: "mul",
                        np.true_divide: "truediv", np.power: "pow", np.matmul: "matmul",
                        np.negative: "neg", np.greater: "gt", np.greater_equal: "ge",
                        np.less: "lt", np.less_equal: "le"}

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = self._UFUNC_OPERATORS.get(ufunc)
        if method != "__call__" or name is None or kwargs:
            raise TypeError(
                f"NumPy function `{ufunc.__name__}` was called on IR value %{self.name}, "
                "which is symbolic. Inside a layer's `call`, use the `graphkeras.ops` "
                "function of the same name instead.")
        return self._apply(name, *inputs)


class Graph:
    """One program as a DAG of ops; see the module docstring for the invariants."""

    def __init__(self, name: str = "program"):
        self.name = name
        self.nx = nx.MultiDiGraph()
        # role -> value name, in the order results are returned
        self.outputs: Dict[str, str] = {}
        # persistent value name -> the value that replaces it after the program
        self.updates: Dict[str, str] = {}
        # an execution order set by the schedule pass, or None
        self.order: Optional[List[str]] = None
        # free-form facts that later stages need (metric names, loss names)
        self.meta: dict = {}
        self._seq = 0
        self._names: Dict[str, int] = {}

    # -- building -------------------------------------------------------------

    def add(self, op: str, operands: Iterable, attrs: Optional[dict] = None,
            layer: Optional[str] = None, name: Optional[str] = None) -> Value:
        """Append an op, infer its type from its operands, and return its value.

        Shape errors are raised here, as ``GraphError`` naming the layer, so a
        bad model fails while it is being built rather than in ``fit``.
        """
        opdef = get_op(op)
        names = [v.name if isinstance(v, Value) else v for v in operands]
        for src in names:
            if src not in self.nx:
                raise GraphError(f"Operand `{src}` of op `{op}` is not a value of this graph.")
        attrs = dict(attrs or {})
        in_types = [self.type_of(n) for n in names]
        vtype = opdef.infer(in_types, attrs, layer)
        vname = self._unique(name or (f"{layer}/{op}" if layer else op))
        self.nx.add_node(vname, op=op, attrs=attrs, type=vtype, layer=layer, seq=self._seq)
        self._seq += 1
        for pos, src in enumerate(names):
            self.nx.add_edge(src, vname, key=pos, pos=pos)
        return Value(self, vname)

    def _unique(self, hint: str) -> str:
        if hint not in self.nx and hint not in self._names:
            self._names[hint] = 0
            return hint
        count = self._names.get(hint, 0)
        while True:
            count += 1
            candidate = f"{hint}_{count}"
            if candidate not in self.nx:
                self._names[hint] = count
                return candidate

    def value(self, name: str) -> Value:
        if name not in self.nx:
            raise KeyError(f"No value `{name}` in graph `{self.name}`.")
        return Value(self, name)

    def remove(self, name: str) -> None:
        self.nx.remove_node(name)

    def replace_uses(self, old: str, new: str) -> None:
        """Point every use of ``old`` (edges, outputs, updates) at ``new``."""
        for _, user, key, data in list(self.nx.out_edges(old, keys=True, data=True)):
            self.nx.remove_edge(old, user, key=key)
            self.nx.add_edge(new, user, key=key, pos=data["pos"])
        for role, val in self.outputs.items():
            if val == old:
                self.outputs[role] = new
        for tgt, val in self.updates.items():
            if val == old:
                self.updates[tgt] = new

    # -- queries --------------------------------------------------------------

    def node(self, name: str) -> dict:
        return self.nx.nodes[name]

    def op_of(self, name: str) -> str:
        return self.nx.nodes[name]["op"]

    def type_of(self, name: str) -> TensorType:
        return self.nx.nodes[name]["type"]

    def attrs_of(self, name: str) -> dict:
        return self.nx.nodes[name]["attrs"]

    def operands(self, name: str) -> List[str]:
        """The operand values of ``name`` in position order."""
        edges = sorted(self.nx.in_edges(name, data="pos"), key=lambda e: e[2])
        return [src for src, _, _ in edges]

    def users(self, name: str) -> List[str]:
        """The distinct ops that read ``name``, in insertion order."""
        users = {dst for _, dst in self.nx.out_edges(name)}
        return sorted(users, key=lambda n: self.nx.nodes[n]["seq"])

    def sources(self, op: str) -> List[str]:
        """All values made by a source op (``input``, ``param``, ...) in insertion order."""
        found = [n for n, d in self.nx.nodes(data=True) if d["op"] == op]
        return sorted(found, key=lambda n: self.nx.nodes[n]["seq"])

    def find_source(self, op: str, **attrs) -> Optional[str]:
        """The source value of kind ``op`` whose attrs include ``attrs``, if any."""
        for n in self.sources(op):
            node_attrs = self.nx.nodes[n]["attrs"]
            if all(node_attrs.get(k) == v for k, v in attrs.items()):
                return n
        return None

    def topological(self) -> List[str]:
        """A deterministic topological order (ties broken by insertion)."""
        return list(nx.lexicographical_topological_sort(
            self.nx, key=lambda n: self.nx.nodes[n]["seq"]))

    def execution_order(self) -> List[str]:
        return list(self.order) if self.order is not None else self.topological()

    def __len__(self):
        return self.nx.number_of_nodes()

    def __contains__(self, name):
        return name in self.nx

    def copy(self, name: Optional[str] = None) -> "Graph":
        """A deep copy of structure and attributes (constant arrays are shared)."""
        new = Graph(name or self.name)
        new.nx = self.nx.copy()
        for n in new.nx.nodes:
            new.nx.nodes[n]["attrs"] = dict(new.nx.nodes[n]["attrs"])
        new.outputs = dict(self.outputs)
        new.updates = dict(self.updates)
        new.order = list(self.order) if self.order is not None else None
        new.meta = json.loads(json.dumps(self.meta, default=str))
        new._seq = self._seq
        new._names = dict(self._names)
        return new

    # -- rendering ------------------------------------------------------------

    def format_node(self, name: str) -> str:
        """One listing line: name, op, operands, shape, dtype and the layer."""
        data = self.nx.nodes[name]
        operands = ", ".join(f"%{o}" for o in self.operands(name))
        attrs = _format_attrs(data["op"], data["attrs"])
        lhs = f"%{name} = {data['op']}{attrs}({operands})"
        vtype = data["type"]
        text = f"  {lhs:<58} {format_shape(vtype.shape):<12} {vtype.dtype}"
        if data.get("layer"):
            text += f"  @{data['layer']}"
        if data.get("group"):
            text += f"  [{data['group']}]"
        if data.get("mem"):
            text += f"  {{{data['mem']}}}"
        return text

    def __str__(self):
        lines = [f"graph {self.name} ({len(self)} values)"]
        lines += [self.format_node(n) for n in self.execution_order()]
        for role, val in self.outputs.items():
            lines.append(f"  output {role} = %{val}")
        for tgt, val in self.updates.items():
            lines.append(f"  update %{tgt} <- %{val}")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The graph as JSON: nodes in execution order, outputs and updates."""
        nodes = []
        for n in self.execution_order():
            data = self.nx.nodes[n]
            nodes.append({
                "name": n, "op": data["op"], "operands": self.operands(n),
                "attrs": {k: _json_safe(v) for k, v in data["attrs"].items()},
                "shape": list(data["type"].shape), "dtype": data["type"].dtype,
                "layer": data.get("layer"),
            })
        doc = {"name": self.name, "nodes": nodes, "outputs": self.outputs,
               "updates": self.updates}
        return json.dumps(doc, indent=1)

    def to_dot(self) -> str:
        """The graph in Graphviz DOT: one box per op, edges labelled by operand position."""
        ids = {n: f"n{i}" for i, n in enumerate(self.execution_order())}
        lines = [f'digraph "{self.name}" {{', "  node [shape=box, fontname=monospace];"]
        for n, nid in ids.items():
            data = self.nx.nodes[n]
            label = f"{n}\\n{data['op']} {format_shape(data['type'].shape)}"
            lines.append(f'  {nid} [label="{_dot_escape(label)}"];')
        for src, dst, pos in self.nx.edges(data="pos"):
            lines.append(f'  {ids[src]} -> {ids[dst]} [label="{pos}"];')
        for role, val in self.outputs.items():
            lines.append(f'  "out:{role}" [shape=ellipse];')
            lines.append(f'  {ids[val]} -> "out:{role}";')
        lines.append("}")
        return "\n".join(lines)


def _format_attrs(op: str, attrs: dict) -> str:
    if not attrs:
        return ""
    parts = []
    for k, v in attrs.items():
        if op == "const" and k == "value":
            arr = np.asarray(v)
            v = arr.item() if arr.size == 1 else f"<{arr.size} values>"
        parts.append(f"{k}={v}")
    return "[" + ", ".join(parts) + "]"


def _json_safe(v):
    if isinstance(v, np.ndarray):
        return v.tolist() if v.size <= 64 else f"<array {v.shape} {v.dtype}>"
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, tuple):
        return list(v)
    return v


def _dot_escape(text: str) -> str:
    return text.replace('"', '\\"')


__all__ = ["Graph", "Value", "SOURCE_OPS", "REGISTRY"]
