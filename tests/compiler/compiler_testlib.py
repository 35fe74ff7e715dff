"""Shared helpers of the compiler tests: building small graphs by hand and running them.

Not a test module (no ``test_`` prefix); the test modules next to it import it by
name, which works because pytest puts this directory on ``sys.path``.
"""

import numpy as np

from compiler import interpreter
from compiler.ir import Graph
from compiler.runtime import Arena, Program


def new_graph(name="t"):
    return Graph(name)


def x_input(g, sample_shape, index=0, dtype="float64", kind="x", name=None):
    """A batched ``input`` value of shape ``(B, *sample_shape)``."""
    shape = (None,) + tuple(sample_shape)
    attrs = {"kind": kind, "index": index, "shape": shape, "dtype": dtype,
             "key": f"{kind}:{index}"}
    return g.add("input", [], attrs, name=name or f"{kind}{index}")


def param(g, key, shape, dtype="float64", trainable=True, layer=None):
    attrs = {"key": key, "shape": tuple(shape), "dtype": dtype, "trainable": trainable}
    return g.add("param", [], attrs, layer=layer, name=key)


def state(g, key, shape, dtype="float64", init=0.0):
    attrs = {"key": key, "shape": tuple(shape), "dtype": dtype, "init": init}
    return g.add("state", [], attrs, name=key)


def const(g, value, dtype="float64"):
    arr = np.asarray(value, dtype=dtype)
    return g.add("const", [], {"value": arr, "dtype": arr.dtype.name}, name="const")


def op_names(g):
    """The multiset of op names in ``g``, as a sorted list."""
    return sorted(g.op_of(n) for n in g.nx.nodes)


def run_interpreter(g, inputs=None, params=None, state_values=None, batch_size=None):
    return interpreter.run(g, inputs or {}, params or {}, state_values, batch_size)


class Runner:
    """A compiled ``Program`` for ``g`` on a fresh arena, with helpers to feed and read it."""

    def __init__(self, g, dtype, params=None, name="prog"):
        self.graph = g
        self.arena = Arena(dtype)
        persistent = {k: (np.asarray(v), None) for k, v in (params or {}).items()}
        self.program = Program(name, g, self.arena, persistent)

    def run(self, inputs, batch):
        """Write ``inputs`` (``{(kind, index): array}``) and run ``batch`` rows."""
        p = self.program
        p.ensure_capacity(batch)
        p.entries  # compile (and re-link) before writing inputs, which live in scratch
        for key, arr in inputs.items():
            p.input_view(key, batch)[...] = arr
        p.run(batch)
        return {role: np.array(p.output_view(role, batch)) for role in self.graph.outputs}


# -- a tiny model, a loss, a metric and an optimizer, as the front end describes them ----

def dense_model(dtype="float64", units=3, features=4, activation="softmax"):
    """``softmax(x @ W + b)`` as the front end lowers it: ``(graph, {param name: Value})``."""
    g = new_graph("tiny")
    x = x_input(g, (features,), dtype=dtype)
    w = param(g, "dense/kernel", (features, units), dtype, layer="dense")
    b = param(g, "dense/bias", (units,), dtype, layer="dense")
    h = g.add("add", [g.add("matmul", [x, w], layer="dense"), b], layer="dense")
    if activation:
        h = g.add(activation, [h], {"axis": -1}, layer="dense")
    g.outputs["output:0"] = h.name
    return g, {"W": w, "b": b}


def dense_values(rng, dtype="float64", units=3, features=4, batch=5):
    """Data and weights for ``dense_model``: ``(inputs, params)`` for the interpreter."""
    x = rng.normal(size=(batch, features)).astype(dtype)
    y = np.eye(units, dtype=dtype)[rng.integers(0, units, size=batch)]
    params = {"dense/kernel": rng.normal(size=(features, units)).astype(dtype),
              "dense/bias": rng.normal(size=(units,)).astype(dtype) * 0.1}
    return {("x", 0): x, ("y", 0): y}, params


def mse(y_true, y_pred):
    """Per-sample mean squared error, as a loss rule emits it."""
    g = y_pred.graph
    diff = g.add("sub", [y_pred, y_true])
    return g.add("reduce_mean", [g.add("square", [diff])], {"axes": -1})


def squared_error(y_true, y_pred):
    """Per-element squared error (rank 2): a loss with no reduction of its own."""
    g = y_pred.graph
    return g.add("square", [g.add("sub", [y_pred, y_true])])


def mean_metric(y_true, y_pred, batch):
    """A Keras ``Mean``-style metric of the MSE: a total and a count."""
    g = y_pred.graph
    return {"total": g.add("reduce_sum", [mse(y_true, y_pred)], {"axes": None}),
            "count": batch}


class SGD:
    """An optimizer spec (duck-typed, as ``OptimizerLowering`` expects): plain SGD."""

    state_prefix = "sgd"
    initial_learning_rate = 0.1
    clipnorm = clipvalue = global_clipnorm = weight_decay = None

    def __init__(self, **options):
        for k, v in options.items():
            setattr(self, k, v)

    def slots(self, vtype):
        return []

    def learning_rate_value(self, lr, iteration):
        return lr

    def update(self, p, grad, slots, lr, iteration):
        g = p.graph
        return g.add("sub", [p, g.add("mul", [grad, lr])]), {}


class Momentum(SGD):
    """SGD with a velocity slot: ``m = 0.9 m - lr g; p = p + m``."""

    state_prefix = "momentum"

    def slots(self, vtype):
        return [("m", 0.0)]

    def update(self, p, grad, slots, lr, iteration):
        g = p.graph
        beta = const(g, 0.9, p.dtype)
        m = g.add("sub", [g.add("mul", [slots["m"], beta]), g.add("mul", [grad, lr])])
        return g.add("add", [p, m]), {"m": m}


def compiled_signatures(program):
    """How many specializations the driver and each kernel of ``program`` have compiled."""
    from compiler.kernels import kernel
    from compiler.kernels.driver import run_calls
    counts = {c.kernel: len(kernel(c.kernel).signatures) for c in program.generated.calls}
    counts["run_calls"] = len(run_calls.signatures)
    return counts
