"""The reference executor: runs any graph op by op in plain NumPy.

Every generated program and every pass is tested against it: a pass must not
change what the interpreter computes, and a compiled program must compute what
the interpreter computes. It favours clarity over speed, and frees each value
after its last use so that large graphs stay cheap to check.
"""

import logging
from typing import Dict, Mapping, Optional

import numpy as np

from compiler.errors import InternalCompilerError
from compiler.ops.registry import get_op

logger = logging.getLogger(__name__)


def source_key(graph, name):
    """How the caller names a source value: ``("x", 0)``, ``"dense/kernel"``, ..."""
    attrs = graph.attrs_of(name)
    op = graph.op_of(name)
    if op == "input":
        return (attrs["kind"], attrs["index"])
    return attrs.get("key")


def run(graph, inputs: Mapping, params: Mapping, state: Optional[Mapping] = None,
        batch_size: Optional[int] = None):
    """Evaluate ``graph``.

    Args:
        inputs: ``{(kind, index): array}`` for every ``input`` value, e.g. ``("x", 0)``.
        params: ``{key: array}`` for every ``param`` value.
        state: ``{key: array}`` for every ``state`` value (defaults to each one's ``init``).
        batch_size: rows of the batch; taken from the first input when omitted.

    Returns:
        ``(outputs, updates)``: ``{role: array}`` and ``{key: new array}`` for
        every persistent value the program replaces.
    """
    state = dict(state or {})
    if batch_size is None:
        batch_size = _infer_batch(graph, inputs)
    order = graph.execution_order()
    last_use = {}
    for i, name in enumerate(order):
        for src in graph.operands(name):
            last_use[src] = i
    keep = set(graph.outputs.values()) | set(graph.updates.values()) | set(graph.updates)
    values: Dict[str, np.ndarray] = {}

    for i, name in enumerate(order):
        values[name] = _evaluate(graph, name, values, inputs, params, state, batch_size)
        for src in set(graph.operands(name)):
            if last_use.get(src) == i and src not in keep:
                del values[src]

    outputs = {role: values[v] for role, v in graph.outputs.items()}
    updates = {source_key(graph, tgt): values[v] for tgt, v in graph.updates.items()}
    return outputs, updates


def _infer_batch(graph, inputs):
    for arr in inputs.values():
        return int(np.asarray(arr).shape[0])
    return 1


def _evaluate(graph, name, values, inputs, params, state, batch_size):
    node = graph.node(name)
    op = node["op"]
    vtype = node["type"]
    if op == "input":
        key = source_key(graph, name)
        if key not in inputs:
            raise KeyError(f"No data for input {key}.")
        return np.asarray(inputs[key], dtype=vtype.dtype)
    if op == "param":
        return np.asarray(params[node["attrs"]["key"]], dtype=vtype.dtype)
    if op == "state":
        key = node["attrs"]["key"]
        value = state[key] if key in state else node["attrs"].get("init", 0.0)
        return np.broadcast_to(np.asarray(value, dtype=vtype.dtype),
                               vtype.concrete(batch_size)).copy()
    if op == "batch_size":
        return np.asarray(batch_size, dtype=vtype.dtype)
    opdef = get_op(op)
    operands = [values[src] for src in graph.operands(name)]
    attrs = dict(node["attrs"], _batch=batch_size)
    try:
        with np.errstate(all="ignore"):
            result = np.asarray(opdef.numpy(operands, attrs))
    except Exception as err:
        raise InternalCompilerError(f"{type(err).__name__}: {err}", stage="interpreter",
                                    op=name, layer=node.get("layer")) from err
    expected = vtype.concrete(batch_size)
    if result.shape != expected:
        raise InternalCompilerError(
            f"NumPy reference produced shape {result.shape}, the shape rule says {expected}",
            stage="interpreter", op=name, layer=node.get("layer"))
    return result.astype(vtype.dtype, copy=False)
