"""Optimizer lowering: the update of every parameter and slot becomes part of the program.

The front end's optimizer describes itself through an ``OptimizerSpec``-like
object (duck-typed; the optional members may be missing):

- ``state_prefix``: prefix of its state keys, unique per optimizer instance;
- ``initial_learning_rate``: the value the learning-rate state starts from;
- ``learning_rate_value(lr, iteration) -> Value``: the rate for this step
  (a schedule may compute it; the default returns ``lr``). ``iteration``
  counts every step run so far, as Keras's schedules see it;
- ``slots(vtype) -> [(slot_name, init)]``: the per-parameter slots to create;
- ``global_slots(dtype) -> [(name, init)]`` (optional): scalar state kept once
  per optimizer rather than per parameter (Nadam's running momentum product);
- ``update_globals(values, iteration) -> {name: new}`` (optional): emitted
  once per update step, before any parameter update, from ``values`` (the
  globals' current state values). The new values are also passed, read-only,
  in every parameter's ``slots`` dict under their own names;
- ``update(param, grad, slots, lr, iteration) -> (new_param, {slot: new})``,
  which emits ops for one parameter (``iteration`` counts finished updates);
- ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``weight_decay``: as in Keras;
- ``use_weight_decay(key) -> bool`` (optional): False exempts a parameter;
- ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
  ``gradient_accumulation_steps`` (optional): as in Keras.

One step follows Keras's ``BaseOptimizer.apply``: clip the gradients, decay
the weights (``w -= w * weight_decay * lr``), update the globals, then each
parameter, then the moving averages of the weights (EMA), then the
constraints, and count the step. With gradient accumulation every step adds
its gradients to an accumulator and only every ``k``-th step updates, with
the mean of the ``k`` gradients; the program computes both outcomes and
keeps one by multiplying with a 0/1 flag, so it has no branches.

The learning rate and the step counters are ``state`` scalars, so a callback
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
        self._graph, self._dtype = graph, dtype

        def scalar_state(name, init):
            return state_value(graph, f"{prefix}/{name}", (), dtype, init)

        lr_state = scalar_state("learning_rate", float(spec.initial_learning_rate))
        iteration = scalar_state("iterations", 0.0)
        lr = spec.learning_rate_value(Value(graph, lr_state), Value(graph, iteration)).name

        # gradient accumulation: `do_update` is 1 on every k-th step, else 0
        steps = getattr(spec, "gradient_accumulation_steps", None)
        do_update, updates_done = None, iteration
        accumulators = {}
        if steps:
            phase = scalar_state("accumulation_phase", 0.0)
            updates_done = scalar_state("update_count", 0.0)
            phase_next = self._add(phase, self._const(1.0))
            do_update = emit(graph, "equal", [phase_next, self._const(float(steps))])
            graph.updates[phase] = self._mul(phase_next, self._not(do_update))
            graph.updates[updates_done] = self._add(updates_done, do_update)
            mean_grads = {}
            for param, grad in grads.items():
                key = graph.attrs_of(param)["key"]
                vtype = graph.type_of(param)
                acc = state_value(graph, f"{prefix}/{key}/gradient_accumulator",
                                  vtype.shape, vtype.dtype, 0.0)
                total = emit(graph, "add", [grad, acc], like=grad)
                accumulators[acc] = self._mul(total, self._not(do_update), like=grad)
                mean_grads[param] = emit(graph, "div", [total, self._const(float(steps))],
                                         like=grad)
            grads = mean_grads
        grads = self._clip(graph, grads, dtype)

        # optimizer-wide state, updated once per step before the parameters
        global_values = {}
        global_states = {}
        if hasattr(spec, "global_slots"):
            for gname, init in spec.global_slots(dtype):
                global_states[gname] = scalar_state(gname, init)
        if global_states:
            current = {g: Value(graph, s) for g, s in global_states.items()}
            new = spec.update_globals(current, Value(graph, updates_done))
            for gname, state in global_states.items():
                global_values[gname] = new.get(gname, current[gname])
                if gname in new:
                    graph.updates[state] = self._select(do_update, new[gname].name, state)

        ema = self._ema_setup(prefix, updates_done, do_update) if getattr(
            spec, "use_ema", False) else None

        for param, grad in grads.items():
            key = graph.attrs_of(param)["key"]
            vtype = graph.type_of(param)
            slots = {}
            for slot, init in spec.slots(vtype):
                slots[slot] = Value(graph, state_value(
                    graph, f"{prefix}/{key}/{slot}", vtype.shape, vtype.dtype, init))
            current = Value(graph, self._decayed(param, key, lr))
            new_param, new_slots = spec.update(current, Value(graph, grad),
                                               {**slots, **global_values},
                                               Value(graph, lr), Value(graph, updates_done))
            clash = set(new_slots) & set(global_values)
            if clash:
                raise ValueError(f"The optimizer's `update` returned new values for its "
                                 f"global slots {sorted(clash)}; globals are updated by "
                                 f"`update_globals` only.")
            new_value = self._select(do_update, new_param.name, param)
            for slot, value in new_slots.items():
                graph.updates[slots[slot].name] = self._select(do_update, value.name,
                                                               slots[slot].name)
            if ema is not None:
                new_value = self._ema_update(ema, prefix, key, vtype, new_value)
            new_param = Value(graph, new_value)
            if key in self.constraints:
                new_param = self.constraints[key](new_param)
            graph.updates[param] = new_param.name
        graph.updates.update(accumulators)

        one = const(graph, 1.0, dtype)
        graph.updates[iteration] = emit(graph, "add", [iteration, one], name="iterations_next")
        return True

    # -- small emitters ---------------------------------------------------------------

    def _const(self, value):
        return const(self._graph, value, self._dtype)

    def _add(self, a, b, like=None):
        return emit(self._graph, "add", [a, b], like=like)

    def _mul(self, a, b, like=None):
        return emit(self._graph, "mul", [a, b], like=like)

    def _not(self, flag):
        return emit(self._graph, "sub", [self._const(1.0), flag])

    def _select(self, flag, when_one, when_zero):
        """``flag * a + (1 - flag) * b`` for a 0/1 ``flag`` (exact); ``a`` if no flag."""
        if flag is None:
            return when_one
        return self._add(self._mul(when_one, flag, like=when_one),
                         self._mul(when_zero, self._not(flag), like=when_one), like=when_one)

    # -- weight decay -----------------------------------------------------------------

    def _decayed(self, param, key, lr):
        """``w - w * weight_decay * lr``, Keras's decoupled decay, or ``w`` unchanged."""
        spec, graph = self.spec, self._graph
        if not getattr(spec, "weight_decay", None):
            return param
        use = getattr(spec, "use_weight_decay", None)
        if use is not None and not use(key):
            return param
        scaled = emit(graph, "mul", [param, self._const(spec.weight_decay)], like=param)
        return emit(graph, "sub", [param, emit(graph, "mul", [scaled, lr], like=param)],
                    like=param)

    # -- moving average of the weights --------------------------------------------------

    def _ema_setup(self, prefix, updates_done, do_update):
        """The step's EMA momentum and overwrite flag, from the finished-update count."""
        spec, graph = self.spec, self._graph
        first = emit(graph, "equal", [updates_done, self._const(0.0)])
        momentum = self._mul(self._not(first), self._const(spec.ema_momentum))
        overwrite = None
        freq = getattr(spec, "ema_overwrite_frequency", None)
        if freq:
            # phase = finished updates mod freq; overwrite when the next one completes a round
            phase = state_value(graph, f"{prefix}/ema_phase", (), self._dtype, 0.0)
            phase_next = self._add(phase, self._const(1.0))
            overwrite = emit(graph, "equal", [phase_next, self._const(float(freq))])
            wrapped = self._mul(phase_next, self._not(overwrite))
            graph.updates[phase] = self._select(do_update, wrapped, phase)
        return momentum, overwrite

    def _ema_update(self, ema, prefix, key, vtype, value):
        momentum, overwrite = ema
        graph = self._graph
        average = state_value(graph, f"{prefix}/{key}/average", vtype.shape, vtype.dtype, 0.0)
        new_average = self._add(self._mul(average, momentum, like=value),
                                self._mul(value, self._not(momentum), like=value), like=value)
        graph.updates[average] = new_average
        return self._select(overwrite, new_average, value)

    # -- gradient clipping ------------------------------------------------------------

    def _clip(self, graph, grads, dtype):
        spec = self.spec
        given = [a for a in ("clipnorm", "clipvalue", "global_clipnorm")
                 if getattr(spec, a, None) is not None]
        if len(given) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set; received {given}.")
        if not given or not getattr(spec, given[0]) > 0:
            return grads
        value = getattr(spec, given[0])
        limit = const(graph, value, dtype)
        if given[0] == "clipvalue":
            low = const(graph, -value, dtype)
            return {p: emit(graph, "clip", [g, low, limit], like=g) for p, g in grads.items()}
        if given[0] == "clipnorm":
            # g * c / max(|g|, c)
            out = {}
            for p, g in grads.items():
                denom = emit(graph, "maximum", [_norm(graph, [g]), limit])
                out[p] = emit(graph, "div", [emit(graph, "mul", [g, limit], like=g), denom],
                              like=g)
            return out
        # global: g * (c * min(1 / norm, 1 / c)), plus (norm - norm) to carry inf/NaN
        norm = _norm(graph, list(grads.values()))
        inverse = emit(graph, "div", [const(graph, 1.0, dtype), norm])
        scale = emit(graph, "mul", [limit, emit(graph, "minimum", [
            inverse, const(graph, 1.0 / value, dtype)])])
        scale = emit(graph, "add", [scale, emit(graph, "sub", [norm, norm])])
        return {p: emit(graph, "mul", [g, scale], like=g) for p, g in grads.items()}


def _norm(graph, values):
    total = None
    for v in values:
        sq = emit(graph, "reduce_sum", [emit(graph, "square", [v], like=v)], {"axes": None},
                  like=v)
        total = sq if total is None else emit(graph, "add", [total, sq])
    return emit(graph, "sqrt", [total])
