"""Common-subexpression elimination merges equal pure values, and nothing else."""

import numpy as np

from compiler import interpreter
from compiler.ir import Graph
from compiler.passes.cse import CommonSubexpressions
from compiler.verify import verify


def _graph():
    g = Graph()
    x = g.add("input", [], {"kind": "x", "index": 0, "shape": (None, 3), "dtype": "float32",
                            "key": "x:0"})
    c1 = g.add("const", [], {"value": np.float32(2.0), "dtype": "float32"})
    c2 = g.add("const", [], {"value": np.float32(2.0), "dtype": "float32"})
    a = g.add("mul", [x, c1])
    b = g.add("mul", [x, c2])
    s = g.add("state", [], {"key": "s", "shape": (3,), "dtype": "float32", "init": 0.0})
    t = g.add("state", [], {"key": "t", "shape": (3,), "dtype": "float32", "init": 0.0})
    g.outputs["out"] = g.add("add", [g.add("exp", [a]), g.add("exp", [b])]).name
    g.updates[s.name] = g.add("add", [s, g.add("reduce_sum", [a], {"axes": (0,)})]).name
    g.updates[t.name] = g.add("add", [t, g.add("reduce_sum", [b], {"axes": (0,)})]).name
    return g


def test_equal_values_are_computed_once_with_the_same_results(rng):
    g = _graph()
    before = interpreter.run(g, {("x", 0): rng.normal(size=(4, 3))}, {})
    cse = g.copy()
    assert CommonSubexpressions()(cse) is True
    verify(cse)
    ops = [cse.op_of(n) for n in cse.nx.nodes]
    assert ops.count("const") == 1 and ops.count("mul") == 1 and ops.count("exp") == 1
    assert ops.count("state") == 2, "persistent values are never merged"
    after = interpreter.run(cse, {("x", 0): rng.normal(size=(4, 3))}, {})
    assert set(after[1]) == {"s", "t"}
    x = rng.normal(size=(4, 3))
    np.testing.assert_allclose(interpreter.run(g, {("x", 0): x}, {})[0]["out"],
                               interpreter.run(cse, {("x", 0): x}, {})[0]["out"])
    assert CommonSubexpressions()(cse) is False
    assert before[0]["out"].shape == (4, 3)
