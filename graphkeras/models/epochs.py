"""Running batches of a program: a compiled call per batch, or several batches per call.

``EpochRunner`` is mixed into the trainer. ``_epoch_by_step`` feeds each
training batch from Python; ``_executions`` hands whole runs of batches to a
compiled loop (``compiler.loops.StepLoop``), which is what makes small models
fast: ``steps_per_execution="auto"`` picks it when a batch's matrix products
are too small to hide the per-batch Python. ``fit``, ``evaluate`` and
``predict`` all run that way (``graphkeras.models.evaluation`` holds the
latter two).
"""

import numpy as np

#: The batch hooks a user's callback may override, per loop: Keras calls them every batch.
_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


class EpochRunner:
    """The per-batch machinery of ``fit``, ``evaluate`` and ``predict``."""

    @staticmethod
    def _watches_batches(callbacks, mode="train"):
        """Whether a user callback overrides one of ``mode``'s batch hooks."""
        from graphkeras.callbacks import Callback
        return any(getattr(type(cb), h) is not getattr(Callback, h)
                   for cb in (callbacks or []) for h in _BATCH_HOOKS[mode])

    @staticmethod
    def _epoch_order(shuffle, rows, steps, batch_size):
        """The row order of one epoch of ``steps`` batches, drawn as Keras draws it.

        ``shuffle=True``: one permutation of all rows. ``"batch"``: the batches
        stay in order and the rows inside each are permuted, one draw per
        batch. False: None (rows in order).
        """
        if isinstance(shuffle, str) and shuffle == "batch":
            parts = []
            for step in range(steps):
                start = step * batch_size
                stop = min(rows, start + batch_size)
                parts.append(np.random.permutation(stop - start) + start)
            parts.append(np.arange(min(rows, steps * batch_size), rows))
            return np.concatenate(parts)
        return np.random.permutation(rows) if shuffle else None

    def _epoch_by_step(self, program, xs, ys, sws, order, steps, batch_size, roles, views,
                       cbs):
        """One epoch, one compiled call per batch; returns the running logs."""
        sums = {name: 0.0 for name, _ in roles}
        seen, logs = 0, {}
        for step, _, n in self._one_per_call(program, xs, ys, sws, batch_size,
                                             cbs.on_train_batch_begin, order, steps):
            for name, role in roles:
                sums[name] += program.scalar(role) * n
            seen += n
            logs = self._logs(sums, seen, views)
            cbs.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        return logs

    def _one_per_call(self, program, xs, ys, sws, batch_size, begin, order=None, steps=None):
        """Run batches one compiled call each; yield ``(step, start, rows)`` after each.

        Batch ``step`` holds rows ``order[start:start + rows]`` (in order when
        ``order`` is None); ``steps`` limits how many run (all by default).
        ``begin(step)`` is called before each batch is fed; after each yield the
        program's outputs hold that batch's results.
        """
        rows = xs[0].shape[0]
        steps = -(-rows // batch_size) if steps is None else steps
        for step in range(steps):
            start = step * batch_size
            stop = min(rows, start + batch_size)
            begin(step)
            index = slice(start, stop) if order is None else order[start:stop]
            self._feed(program, xs, ys, sws, index, stop - start)
            program.run(stop - start)
            yield step, start, stop - start

    def _epoch_by_execution(self, loop, data, order, rows, steps, batch_size, roles, views,
                            cbs, execution):
        """One epoch, ``execution`` steps per compiled call; batch hooks once per call.

        As in Keras with ``steps_per_execution``, ``on_train_batch_begin`` gets the
        first batch index of a call and ``on_train_batch_end`` the last.
        """
        sums = {name: 0.0 for name, _ in roles}
        seen, logs = 0, {}
        for _, last, sizes, recorded in self._executions(
                loop, data, order, rows, steps, batch_size, execution, cbs.on_train_batch_begin):
            seen += self._add_losses(sums, roles, sizes, recorded)
            logs = self._logs(sums, seen, views)
            cbs.on_train_batch_end(last, logs)
            if self.stop_training:
                break
        return logs

    @staticmethod
    def _executions(loop, data, order, rows, steps, batch_size, execution, begin, results=()):
        """Run ``steps`` batches through ``loop``, ``execution`` per call; yield after each.

        ``begin(first batch index)`` is called before each call. Each yield is
        ``(first, last, sizes, recorded)``: the batch indices the call ran, the
        rows in each of its batches and the scalars it recorded per batch.
        ``results`` receive per-sample outputs (see ``StepLoop.run``).
        """
        order = (np.arange(rows, dtype=np.int64) if order is None
                 else order.astype(np.int64, copy=False))
        recorded = np.empty((execution, len(loop.roles)), dtype=np.float64)
        step = 0
        while step < steps:
            count = min(execution, steps - step)
            begin(step)
            done = loop.run(data, order, step * batch_size, count, batch_size, recorded,
                            results)
            sizes = np.minimum(batch_size, rows - (step + np.arange(done)) * batch_size)
            yield step, step + done - 1, sizes, recorded[:done]
            step += done
            if done < count:
                return

    @staticmethod
    def _add_losses(sums, roles, sizes, recorded):
        """Add the batch-size-weighted losses ``recorded`` to ``sums``; return the rows."""
        weighted = sizes.astype(np.float64) @ recorded
        for k, (name, _) in enumerate(roles):
            sums[name] += float(weighted[k])
        return int(sizes.sum())

    def _execution_size(self, program, batch_size, steps, batch_hooks=False):
        """Batches per compiled call: the compile argument, or chosen from the model's size.

        ``"auto"`` runs a whole epoch per call (at most 256 batches, so callbacks
        and the progress bar still see progress) when a batch's matrix products
        are small enough that per-batch Python would cost as much as the
        program, and one batch per call otherwise, or whenever a user's callback
        watches batches (``batch_hooks``): Keras calls those after every batch.
        """
        chosen = getattr(self, "_steps_per_execution", "auto")
        if chosen != "auto":
            return max(1, min(int(chosen), steps))
        if batch_hooks:
            return 1
        graph = program.graph
        flops = 0
        for name in graph.nx.nodes:
            if graph.op_of(name) in ("matmul", "batch_matmul"):
                a = graph.type_of(graph.operands(name)[0])
                inner = a.shape[0] if graph.attrs_of(name).get("ta") else a.shape[-1]
                out = graph.type_of(name).concrete(batch_size)
                flops += 2 * (batch_size if inner is None else inner) * int(np.prod(out))
        return min(steps, 256) if flops < 2e7 else 1

    def _step_loop(self, program, xs, ys, sws, roles, outputs=()):
        """The compiled multi-batch loop of ``program`` and the data laid out for it."""
        keys = sorted(program.input_slots)
        arrays = {"x": xs, "y": ys, "sample_weight": sws}
        data = [np.ascontiguousarray(arrays[kind][i]).reshape(len(arrays[kind][i]), -1)
                for kind, i in keys]
        loops = program.__dict__.setdefault("_loops", {})
        signature = (tuple(keys), tuple(role for _, role in roles), tuple(outputs))
        if signature not in loops:
            from compiler.loops import StepLoop
            loops[signature] = StepLoop(program, keys, [role for _, role in roles], outputs)
        return loops[signature], data
