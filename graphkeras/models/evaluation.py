"""The batch loops of ``evaluate`` and ``predict``, and of validation inside ``fit``.

Like training (``graphkeras.models.epochs``), each runs one compiled call per
batch when the model is large enough to hide the Python around a call, or
when a user's callback watches every batch; otherwise whole runs of batches go
to one compiled loop (``compiler.loops.StepLoop``), which gathers the rows,
runs the test or predict program and keeps its losses or writes its outputs
back, batch after batch. ``steps_per_execution`` from ``compile`` applies here
as it does in Keras, with the batch hooks called at each call's boundary.
"""

import numpy as np

from graphkeras.models.epochs import EpochRunner


def _no_hook(step):
    """A batch hook that does nothing: no callbacks were given."""


class EvaluationRunner(EpochRunner):
    """``_evaluate_arrays`` and ``_predict_arrays``, mixed into the trainer."""

    def _evaluate_arrays(self, xs, ys, sws, batch_size, cbs=None, callbacks=None):
        """Loss and metric logs of the test program over ``xs``/``ys``/``sws``.

        ``cbs`` (a ``CallbackList``) gets the test batch hooks; ``callbacks`` are
        the user's own, which decide whether batches may run several per call.
        """
        program, _ = self._program("test", ys, weighted=sws is not None)
        rows = xs[0].shape[0]
        self._ready(program, min(batch_size, rows) or 1)
        roles = self._loss_roles(program)
        steps = -(-rows // batch_size)
        execution = self._execution_size(program, batch_size, steps,
                                         self._watches_batches(callbacks, "test"))
        views = self._metric_views(program)
        self._reset(views)
        sums = {name: 0.0 for name, _ in roles}
        begin = _no_hook if cbs is None else cbs.on_test_batch_begin

        if execution > 1:
            loop, data = self._step_loop(program, xs, ys, sws, roles)
            seen = 0
            for _, last, sizes, recorded in self._executions(
                    loop, data, None, rows, steps, batch_size, execution, begin):
                seen += self._add_losses(sums, roles, sizes, recorded)
                if cbs is not None:
                    cbs.on_test_batch_end(last, self._logs(sums, seen, views))
            return self._logs(sums, rows, views)

        for step, start, n in self._one_per_call(program, xs, ys, sws, batch_size, begin):
            for name, role in roles:
                sums[name] += program.scalar(role) * n
            if cbs is not None:
                cbs.on_test_batch_end(step, self._logs(sums, start + n, views))
        return self._logs(sums, rows, views)

    def _predict_arrays(self, program, xs, batch_size, cbs=None, callbacks=None):
        """The outputs of ``program`` (a predict program) for ``xs``, one array per output.

        ``cbs`` gets the predict batch hooks, ``on_predict_batch_end`` with the
        outputs of the batches just run; ``callbacks`` are the user's own.
        """
        rows = xs[0].shape[0]
        results = [np.empty((rows,) + tuple(t.shape[1:]), dtype=self._arena.dtype)
                   for t in self.outputs]
        steps = -(-rows // batch_size)
        execution = self._execution_size(program, batch_size, steps,
                                         self._watches_batches(callbacks, "predict"))
        begin = _no_hook if cbs is None else cbs.on_predict_batch_begin

        def batch_end(step, start, stop):
            batch = [out[start:stop] for out in results]
            cbs.on_predict_batch_end(step, {"outputs": batch[0] if len(batch) == 1 else batch})

        if execution > 1:
            outputs = [f"output:{i}" for i in range(len(results))]
            loop, data = self._step_loop(program, xs, None, None, [], outputs)
            flat = [out.reshape(rows, int(np.prod(out.shape[1:], dtype=np.int64)))
                    for out in results]
            for first, last, sizes, _ in self._executions(
                    loop, data, None, rows, steps, batch_size, execution, begin, flat):
                if cbs is not None:
                    start = first * batch_size
                    batch_end(last, start, start + int(sizes.sum()))
            return results

        for step, start, n in self._one_per_call(program, xs, None, None, batch_size, begin):
            for i, out in enumerate(results):
                out[start:start + n] = program.output_view(f"output:{i}", n)
            if cbs is not None:
                batch_end(step, start, start + n)
        return results
