"""Optimizer lowering: the update of every parameter and slot becomes part of the program.

The front end's optimizer describes itself through an ``OptimizerSpec``-like
object (duck-typed):

- ``state_prefix``: prefix of its state keys, unique per optimizer instance;
- ``slots(vtype) -> [(slot_name, init)]``: the per-parameter slots to create;
- ``update(param, grad, slots, lr, iteration) -> (new_param, {slot: new})``,
  which emits ops for one parameter (``iteration`` counts finished steps);
- ``learning_rate_value(lr, iteration) -> Value``: the rate for this step
  (a schedule may compute it; the default returns ``lr``);
- ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``weight_decay``: as in Keras.

The learning rate and the iteration count are ``state`` scalars, so a callback
can change the rate between batches without recompiling. ``constraints``
maps a parameter key to a rule applied to the updated value.
"""

from compiler.ir import Value
from compiler.ops.build import const, emit


def state_value(graph, key, shape, dtype, init):
    found = graph.find_source("state", key=key)
    if found is not None:
        return found
    return graph.add("state", [], {"key": key, "shape": tuple(shape), "dtype": dtype,
                                   "init": init}, name=key).name


class OptimizerLowering:
    name = "optimizer"

    def __init__(self, spec, constraints=None):
        self.spec = spec
        self.constraints = constraints or {}

    def __call__(self, graph) -> bool:
        spec = self.spec
        grads = dict(graph.meta.get("grads", {}))
        if not grads:
            return False
        dtype = graph.type_of(next(iter(grads))).dtype
        prefix = spec.state_prefix
        lr_state = state_value(graph, f"{prefix}/learning_rate", (), dtype,
                               float(spec.initial_learning_rate))
        iteration = state_value(graph, f"{prefix}/iterations", (), dtype, 0.0)
        lr = spec.learning_rate_value(Value(graph, lr_state), Value(graph, iteration)).name
        grads = self._clip(graph, grads, dtype)

        for param, grad in grads.items():
            key = graph.attrs_of(param)["key"]
            vtype = graph.type_of(param)
            slots = {}
            for slot, init in spec.slots(vtype):
                slots[slot] = Value(graph, state_value(
                    graph, f"{prefix}/{key}/{slot}", vtype.shape, vtype.dtype, init))
            current = Value(graph, param)
            if getattr(spec, "weight_decay", None):
                decay = emit(graph, "mul", [const(graph, spec.weight_decay, dtype), lr])
                current = Value(graph, emit(graph, "sub", [param, emit(
                    graph, "mul", [param, decay], like=param)], like=param))
            new_param, new_slots = spec.update(current, Value(graph, grad), slots,
                                               Value(graph, lr), Value(graph, iteration))
            if key in self.constraints:
                new_param = self.constraints[key](new_param)
            graph.updates[param] = new_param.name
            for slot, value in new_slots.items():
                graph.updates[slots[slot].name] = value.name

        one = const(graph, 1.0, dtype)
        graph.updates[iteration] = emit(graph, "add", [iteration, one], name="iterations_next")
        return True

    def _clip(self, graph, grads, dtype):
        spec = self.spec
        given = [a for a in ("clipnorm", "clipvalue", "global_clipnorm")
                 if getattr(spec, a, None) is not None]
        if len(given) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set; received {given}.")
        if not given:
            return grads
        limit = const(graph, getattr(spec, given[0]), dtype)
        if given[0] == "clipvalue":
            low = emit(graph, "neg", [limit])
            return {p: emit(graph, "clip", [g, low, limit], like=g) for p, g in grads.items()}
        if given[0] == "clipnorm":
            return {p: _scale_to_norm(graph, g, _norm(graph, [g]), limit)
                    for p, g in grads.items()}
        norm = _norm(graph, list(grads.values()))
        return {p: _scale_to_norm(graph, g, norm, limit) for p, g in grads.items()}


def _norm(graph, values):
    total = None
    for v in values:
        sq = emit(graph, "reduce_sum", [emit(graph, "square", [v], like=v)], {"axes": None},
                  like=v)
        total = sq if total is None else emit(graph, "add", [total, sq])
    return emit(graph, "sqrt", [total])


def _scale_to_norm(graph, g, norm, limit):
    """``g * limit / max(norm, limit)``: rescale only when the norm exceeds the limit."""
    denom = emit(graph, "maximum", [norm, limit])
    return emit(graph, "mul", [g, emit(graph, "div", [limit, denom])], like=g)
