"""Tracing: running a layer's ``call`` on IR values to build the graph of a program.

While a ``Trace`` is active, ``graphkeras.ops`` functions that receive IR
values (``compiler.ir.Value``) or variables emit ops into the trace's graph
instead of computing. A variable becomes a ``param`` value the first time it
is used, and the same value every later time, so layers called twice share
their weights and their gradients add up. ``Variable.assign`` inside a trace
records an update of the program (moving statistics), and ``add_penalty``
records a term for the loss (activity regularizers).
"""

import threading
from contextlib import contextmanager

from compiler.ir import Value

_STATE = threading.local()


def current_trace():
    return getattr(_STATE, "trace", None)


class Trace:
    """The graph being built and what the front end must know about it."""

    def __init__(self, graph, training=False):
        self.graph = graph
        self.training = training
        self.variables = {}          # variable key -> Variable
        self._params = {}            # variable key -> value name
        self.layer_stack = []        # names of the layers being traced, innermost last

    @property
    def layer(self):
        return self.layer_stack[-1] if self.layer_stack else None

    def is_symbolic(self, x):
        from graphkeras.variables import Variable
        return isinstance(x, (Value, Variable))

    def param(self, var):
        """The ``param`` value standing for ``var`` in this graph."""
        if var.key not in self._params:
            attrs = {"key": var.key, "shape": var.shape, "dtype": var.dtype,
                     "trainable": bool(var.trainable)}
            value = self.graph.add("param", [], attrs, layer=self.layer, name=var.path)
            self._params[var.key] = value.name
            self.variables[var.key] = var
        return Value(self.graph, self._params[var.key])

    def assign(self, var, value):
        target = self.param(var).name
        self.graph.updates[target] = value.name

    def add_penalty(self, value):
        self.graph.meta.setdefault("penalties", []).append(value.name)


@contextmanager
def trace(graph, training=False):
    """Make ``Trace(graph)`` current for the ops called inside the block."""
    previous = current_trace()
    _STATE.trace = Trace(graph, training)
    try:
        yield _STATE.trace
    finally:
        _STATE.trace = previous


@contextmanager
def layer_scope(name):
    """Attribute the ops emitted inside the block to layer ``name``."""
    t = current_trace()
    if t is None:
        yield
        return
    t.layer_stack.append(name)
    try:
        yield
    finally:
        t.layer_stack.pop()
