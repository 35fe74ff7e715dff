"""A harness for op tests: one case list checked by finite differences and by compilation.

A ``Case`` builds a few outputs from ``param`` values and batched ``input``
values. Two checks use it:

- ``check_gradient(case)``: float64, through the interpreter. The outputs are
  projected to a scalar ``loss`` by fixed random tensors, the ``Autodiff`` pass
  runs through the pass manager (so the IR is verified), and each parameter's
  gradient must match central differences of the interpreter's loss.
- ``check_compiled(cases, dtype)``: every case in *one* graph (one compiled
  program per dtype keeps compile time low), with the gradients of the cases
  that have them as extra outputs, through ``legalize_broadcast``, ``dce`` and
  ``schedule``; the program runs at several batch sizes on one compiled
  function and must match the interpreter each time.

Not a test module; the test modules next to it import it by name.
"""

import re
import zlib
from dataclasses import dataclass, field
from typing import Callable, Dict, Tuple

import numpy as np

from compiler import interpreter
from compiler.passes import Autodiff, DeadCodeElimination, LegalizeBroadcast, Schedule
from compiler.pipeline import run_passes

from compiler_testlib import Runner, compiled_signatures, const, new_graph, param, x_input

EPS = 1e-6
RTOL, ATOL = 1e-5, 1e-7
BATCH = 3
TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-9, atol=1e-11)}
# (capacity, batch sizes run at that capacity): 1, odd, full, then after a re-link
SCHEDULE = [(8, (1, 5, 8)), (13, (11,))]
MAX_ROWS = 13


@dataclass
class Case:
    id: str
    ops: Tuple[str, ...]             # ops this case must contain
    build: Callable                  # (g, params {key: Value}, xs {index: Value}) -> {role: Value}
    params: Dict[str, tuple] = field(default_factory=dict)    # key -> (shape, generator)
    inputs: Dict[int, tuple] = field(default_factory=dict)    # index -> (sample shape, gen)
    grad: bool = True                # whether gradients flow to every param (FD-checked)


def rng_for(tag):
    return np.random.default_rng(zlib.crc32(tag.encode()))


def normal(rng, shape):
    return rng.normal(size=shape)


def grid(rng, shape):
    """Multiples of 0.5 in [-2, 2]: zeros and ties on purpose."""
    return rng.integers(-4, 5, size=shape) / 2.0


def away_from(*kinks, margin=0.25, low=-3.0, high=3.0):
    """A generator of values in [low, high] at least ``margin`` from every kink."""
    def gen(rng, shape):
        vals = rng.uniform(low, high, size=shape)
        for _ in range(100):
            bad = np.zeros(vals.shape, dtype=bool)
            for k in kinks:
                bad |= np.abs(vals - k) < margin
            if not bad.any():
                return vals
            vals[bad] = rng.uniform(low, high, size=int(bad.sum()))
        raise AssertionError("could not draw values away from the kinks")
    return gen


def _add_case(g, case, dtype, params_prefix, first_index, rng, rows):
    """Add ``case``'s values to ``g``; return (outputs, param values, feeds, next index)."""
    values = {k: np.asarray(gen(rng, shape), dtype=dtype)
              for k, (shape, gen) in case.params.items()}
    params = {k: param(g, params_prefix + k, np.shape(v), dtype) for k, v in values.items()}
    xs, feeds = {}, {}
    index = first_index
    for i, (shape, gen) in case.inputs.items():
        xs[i] = x_input(g, shape, index=index, dtype=dtype)
        feeds[("x", index)] = np.asarray(gen(rng, (rows,) + tuple(shape)), dtype=dtype)
        index += 1
    outputs = case.build(g, params, xs)
    present = {g.op_of(n) for n in g.nx.nodes}
    missing = set(case.ops) - present
    assert not missing, f"case {case.id} does not contain the ops it claims: {missing}"
    values = {params_prefix + k: v for k, v in values.items()}
    return outputs, values, feeds, index


def _project(g, outputs, rng, dtype, rows, feeds, first_y):
    """``sum(out * proj)`` over ``outputs``; batched projections are ``y`` inputs."""
    loss, y = None, first_y
    for out in outputs:
        if out.type.batched:
            proj = x_input(g, out.shape[1:], index=y, kind="y", dtype=dtype)
            feeds[("y", y)] = rng.normal(size=(rows,) + tuple(out.shape[1:])).astype(dtype)
            y += 1
        else:
            proj = const(g, rng.normal(size=out.shape), dtype)
        term = g.add("reduce_sum", [g.add("mul", [out, proj])], {"axes": None})
        loss = term if loss is None else g.add("add", [loss, term])
    return loss, y


# -- gradients against finite differences -----------------------------------------------

def _loss(g, feeds, params):
    outputs, _ = interpreter.run(g, feeds, params, batch_size=BATCH)
    return float(outputs["loss"])


def _numeric_grad(g, feeds, params, key):
    base = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    grad = np.zeros_like(base[key])
    flat = base[key].reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + EPS
        up = _loss(g, feeds, base)
        flat[i] = keep - EPS
        down = _loss(g, feeds, base)
        flat[i] = keep
        grad.reshape(-1)[i] = (up - down) / (2 * EPS)
    return grad


def check_gradient(case):
    """The case's gradients (Autodiff + interpreter) against central differences."""
    g = new_graph(case.id.replace("-", "_"))
    rng = rng_for(case.id)
    outputs, values, feeds, _ = _add_case(g, case, "float64", "", 0, rng, BATCH)
    loss, _ = _project(g, list(outputs.values()), rng, "float64", BATCH, feeds, 0)
    g.outputs["loss"] = loss.name
    stages, _ = run_passes(g, [Autodiff()])
    dg = stages.final()
    grads = dg.meta["grads"]
    assert set(grads) == set(values), "every parameter of the case feeds the loss"
    for p, gv in grads.items():
        assert dg.type_of(gv) == dg.type_of(p), f"gradient of {p} has the parameter's type"
        dg.outputs[f"grad:{p}"] = gv
    got, _ = interpreter.run(dg, feeds, values, batch_size=BATCH)
    for key in values:
        numeric = _numeric_grad(g, feeds, values, key)
        np.testing.assert_allclose(got[f"grad:{key}"], numeric, rtol=RTOL, atol=ATOL,
                                   err_msg=f"d loss / d {key} in case {case.id}")


# -- compiled program against the interpreter --------------------------------------------

def build_combined(cases, dtype, name):
    """All ``cases`` in one graph, with the gradients of the grad cases as outputs."""
    g = new_graph(name)
    values, feeds, projected = {}, {}, []
    index = 0
    for case in cases:
        rng = rng_for(f"{case.id}-data")
        outputs, vals, case_feeds, index = _add_case(g, case, dtype, f"{case.id}/", index, rng,
                                                     MAX_ROWS)
        values.update(vals)
        feeds.update(case_feeds)
        for role, value in outputs.items():
            g.outputs[f"{case.id}:{role}"] = value.name
            if case.grad:
                projected.append(value)
    if projected:
        loss, _ = _project(g, projected, rng_for(f"{name}-proj"), dtype, MAX_ROWS, feeds, 0)
        g.outputs["loss"] = loss.name
        g = run_passes(g, [Autodiff()])[0].final()
        for p, gv in g.meta["grads"].items():
            g.outputs[f"grad:{p}"] = gv
    stages, _ = run_passes(g, [LegalizeBroadcast(), DeadCodeElimination(), Schedule()])
    return stages.final(), values, feeds


def check_compiled(cases, dtype, name):
    """Run the combined program at every batch size of ``SCHEDULE`` against the interpreter."""
    graph, values, feeds = build_combined(cases, dtype, name)
    runner = Runner(graph, dtype, values, name=re.sub(r"\W", "_", name))
    program = runner.program
    entries = counts = None
    for capacity, batches in SCHEDULE:
        program.ensure_capacity(capacity)
        for batch in batches:
            batch_feeds = {k: v[:batch] for k, v in feeds.items()}
            got = runner.run(batch_feeds, batch)
            want, _ = interpreter.run(graph, batch_feeds, values, batch_size=batch)
            for role in graph.outputs:
                assert got[role].shape == np.shape(want[role]), role
                np.testing.assert_allclose(got[role], want[role], **TOLERANCE[dtype],
                                           err_msg=f"output {role} at batch {batch}")
            if entries is None:
                entries, counts = program.entries, compiled_signatures(program)
            assert program.entries is entries, "a new batch size must not recompile"
    assert compiled_signatures(program) == counts, "one specialization for every batch size"
    return graph, program
