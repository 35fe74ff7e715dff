"""The ``legalize_broadcast`` pass: explicit broadcasts where the elementwise kernels need them.

For each case the helper checks the structural change (how many ``broadcast_to``
ops, on which operands), the post-condition (every ``Binary`` op fits
``binary_layout``, every ``Map`` tensor operand has the output's shape), that
the interpreter computes the same before and after, and that the verifier
accepts the result. One compiled program runs every case. The pass must also
sit before ``dce`` in every program of a model.
"""

import numpy as np
import pytest

import graphkeras
from compiler import interpreter
from compiler.codegen import generate
from compiler.errors import UnsupportedOpError
from compiler.ops.registry import Binary, Map, get_op
from compiler.passes import LegalizeBroadcast, Schedule
from compiler.pipeline import run_passes
from compiler.plan import binary_layout
from compiler.verify import verify
from graphkeras import ops
from graphkeras.layers import Input, Layer

from compiler_testlib import Runner, const, new_graph, param, x_input

BATCH = 3


def _mul(a_shape, b_shape):
    """``a * b``; shapes starting with None are inputs, the others weights."""
    def build(g):
        a = x_input(g, a_shape[1:]) if a_shape[:1] == (None,) else param(g, "a", a_shape)
        b = (x_input(g, b_shape[1:], index=1) if b_shape[:1] == (None,)
             else param(g, "b", b_shape))
        return {"y": g.add("mul", [a, b])}
    return build


def _select(cond, x, y):
    def build(g):
        c = const(g, 1.0) if cond == () else x_input(g, cond[1:], index=2)
        a = x_input(g, x[1:]) if x[:1] == (None,) else param(g, "a", x)
        b = x_input(g, y[1:], index=1) if y[:1] == (None,) else param(g, "b", y)
        return {"y": g.add("select", [c, a, b])}
    return build


# id: (build, {operand position: broadcast shape} expected on the op under test)
CASES = {
    "batched-middle": (_mul((None, 4, 5), (None, 1, 5)), {1: (None, 4, 5)}),
    "column-times-batch": (_mul((4, 1), (None, 4, 5)), {0: (None, 4, 5)}),
    "weight-column-on-batch": (_mul((None, 4, 5), (4, 1)), {1: (None, 4, 5)}),
    "both-need-it": (_mul((None, 3, 1, 5), (None, 1, 4, 1)),
                     {0: (None, 3, 4, 5), 1: (None, 3, 4, 5)}),
    "select-scalar-cond": (_select((), (None, 3), (3,)), {0: (None, 3), 2: (None, 3)}),
    "select-broadcast-cond": (_select((None, 1), (None, 2), (None, 2)), {0: (None, 2)}),
    # patterns the kernels cover: the pass must leave them alone
    "row-bias": (_mul((None, 5), (5,)), {}),
    "outer-product": (_mul((4, 1), (1, 5)), {}),
    "scalar": (_mul((None, 2, 5), ()), {}),
    "column": (_mul((None, 4, 5), (None, 4, 1)), {}),
    "leading-weight": (_mul((None, 4, 5), (4, 5)), {}),
    "select-same-shapes": (_select((None, 3), (None, 3), (None, 3)), {}),
}


def _data(g, rng, rows):
    feeds = {(g.attrs_of(n)["kind"], g.attrs_of(n)["index"]):
             rng.integers(0, 2, size=(rows,) + g.type_of(n).shape[1:]).astype(float)
             for n in g.sources("input")}
    values = {g.attrs_of(n)["key"]: rng.normal(size=g.type_of(n).shape)
              for n in g.sources("param")}
    return feeds, values


def _broadcasts(g):
    return sorted(n for n in g.nx.nodes if g.op_of(n) == "broadcast_to")


def assert_legal(g):
    """The pass's post-condition: codegen can lower every elementwise op."""
    for name in g.nx.nodes:
        spec = get_op(g.op_of(name)).kernel
        types = [g.type_of(o) for o in g.operands(name)]
        if isinstance(spec, Binary):
            binary_layout(g.type_of(name), *types)
        elif isinstance(spec, Map):
            for t, kind in zip(types, spec.kinds):
                assert kind == "S" or t.shape == g.type_of(name).shape, name


@pytest.mark.parametrize("case_id", list(CASES))
def test_pass_inserts_exactly_the_broadcasts_needed(case_id):
    build, expected = CASES[case_id]
    g = new_graph(case_id.replace("-", "_"))
    outputs = build(g)
    target = outputs["y"].name
    for role, value in outputs.items():
        g.outputs[role] = value.name

    work = g.copy()
    changed = LegalizeBroadcast()(work)
    verify(work, stage="legalize_broadcast")
    assert changed is bool(expected)
    assert len(_broadcasts(work)) == len(expected)
    operands = work.operands(target)
    for pos, shape in expected.items():
        assert work.op_of(operands[pos]) == "broadcast_to"
        assert work.type_of(operands[pos]).shape == shape
        assert work.operands(operands[pos]) == [g.operands(target)[pos]]
        assert work.node(operands[pos])["layer"] == work.node(target)["layer"]
    assert_legal(work)
    assert not LegalizeBroadcast()(work), "a second run finds nothing left to do"

    feeds, values = _data(g, np.random.default_rng(7), BATCH)
    before, _ = interpreter.run(g, feeds, values)
    after, _ = interpreter.run(work, feeds, values)
    np.testing.assert_array_equal(after["y"], before["y"])


def test_codegen_needs_the_pass():
    g = new_graph()
    _mul((None, 4, 5), (None, 1, 5))(g)
    with pytest.raises(UnsupportedOpError, match="broadcast one operand explicitly"):
        generate(run_passes(g, [Schedule()])[0].final(), "p")


def test_new_values_keep_a_set_execution_order():
    g = new_graph()
    y = _mul((None, 4, 5), (4, 1))(g)["y"]
    g.outputs["y"] = y.name
    g.order = g.topological()
    LegalizeBroadcast()(g)
    verify(g)
    (wide,) = _broadcasts(g)
    assert g.order.index(wide) == g.order.index(y.name) - 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_program_runs_every_case(dtype):
    g = new_graph(f"legalized_{dtype}")
    for case_id, (build, _) in CASES.items():
        sub = new_graph()
        build(sub)
        # rebuild each case's op in the shared graph with its own inputs and weights
        mapping = {}
        for name in sub.topological():
            node = sub.node(name)
            attrs = dict(node["attrs"])
            if node["op"] == "input":
                attrs.update(index=len(g.sources("input")), dtype=dtype,
                             key=f"x:{len(g.sources('input'))}")
            elif node["op"] == "param":
                attrs.update(key=f"{case_id}/{attrs['key']}", dtype=dtype)
            elif node["op"] == "const":
                attrs.update(value=np.asarray(attrs["value"], dtype=dtype), dtype=dtype)
            ops_in = [mapping[o] for o in sub.operands(name)]
            mapping[name] = g.add(node["op"], ops_in, attrs, name=f"{case_id}/{name}").name
            if not sub.users(name):
                g.outputs[case_id] = mapping[name]
    final = run_passes(g, [LegalizeBroadcast(), Schedule()])[0].final()
    assert_legal(final)
    feeds, values = _data(final, np.random.default_rng(3), 6)
    values = {k: v.astype(dtype) for k, v in values.items()}
    runner = Runner(final, dtype, values, name=f"legalized_{dtype}")
    for batch in (1, 6):
        batch_feeds = {k: v[:batch].astype(dtype) for k, v in feeds.items()}
        got = runner.run(batch_feeds, batch)
        want, _ = interpreter.run(final, batch_feeds, values, batch_size=batch)
        for role in final.outputs:
            np.testing.assert_allclose(got[role], want[role], rtol=1e-6, err_msg=role)


class _Gate(Layer):
    """Multiplies (B, 4, 5) features by a per-sample (B, 1, 5) gate: needs a broadcast."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(4, 1), initializer="ones", name="w")

    def call(self, x):
        gate = ops.sigmoid(ops.mean(x, axis=1, keepdims=True))
        return ops.multiply(ops.multiply(x, gate), self.w)


@pytest.mark.parametrize("kind", ["predict", "test", "train"])
def test_pass_runs_before_dce_in_every_program(kind):
    inp = Input(shape=(4, 5))
    model = graphkeras.Model(inp, _Gate()(inp))
    model.compile(optimizer="sgd", loss="mse")
    stages = list(model._stages(kind))
    assert stages.index("legalize_broadcast") < stages.index("dce")
    final = model.get_ir(kind)
    assert_legal(final)
    assert _broadcasts(final), "the gate's broadcast is explicit"
