"""``Trainer``: ``compile``, ``fit``, ``evaluate``, ``predict`` and the IR introspection.

The methods here are deliberately thin: they check the data once, then hand
the batches to the loops of ``epochs`` (training) and ``evaluation``
(``evaluate``, ``predict``, validation), which copy rows into the compiled
program's inputs, call it and read the losses, one batch or a run of batches
per call. All numerics (forward, loss, gradients, the optimizer step, metric
totals) happen inside the compiled program; Python only averages the per-batch
loss weighted by batch size, as Keras does, and turns metric totals into results.
"""

import logging
import warnings

import numpy as np

from compiler.runtime import Arena
from compiler.passes.memory_plan import layout, sizes
from compiler.runtime import _aligned as _padded
from graphkeras import metrics as metrics_module
from graphkeras.callbacks import CallbackList
from graphkeras.models import data as data_utils
from graphkeras.models.compile_state import CompileState
from graphkeras.models.evaluation import EvaluationRunner
from graphkeras.models.fast_predict import FastPredict
from graphkeras.models.programs import PROGRAMS, ProgramSet

logger = logging.getLogger("graphkeras")

_COMPILE_ARGS = ("run_eagerly", "steps_per_execution", "jit_compile", "auto_scale_loss",
                 "weighted_metrics")


class Trainer(EvaluationRunner):
    """Training and inference for models; mixed into ``Model``."""

    def __init__(self):
        self._compile_state = None
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._arena = Arena(self.dtype)
        self._programs = ProgramSet(self)
        self._fast_predict = None

    # -- compile ----------------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                **kwargs):
        """Configure the model for training.

        Args:
            optimizer: a name (``"adam"``, ``"sgd"``, ``"rmsprop"``) or an optimizer.
            loss: a loss name, function or object; or a list/dict with one per output.
            loss_weights: scalars weighting each output's loss (list or dict).
            metrics: metrics to track (a list, a list per output, or a dict by output).
        """
        unknown = [k for k in kwargs if k not in _COMPILE_ARGS]
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {unknown}. Valid "
                            f"keyword arguments include {list(_COMPILE_ARGS)}.")
        execution = kwargs.get("steps_per_execution", "auto")
        if execution != "auto" and (isinstance(execution, bool) or not isinstance(
                execution, (int, np.integer)) or execution < 1):
            raise ValueError(f"`steps_per_execution` must be a positive integer or 'auto'; "
                             f"received steps_per_execution={execution!r}.")
        self._steps_per_execution = execution
        if kwargs.get("weighted_metrics"):
            raise NotImplementedError("`weighted_metrics` are not supported yet.")
        self._ensure_built_for_compile()
        self._compile_state = CompileState(self, optimizer, loss, loss_weights, metrics)
        self.optimizer = self._compile_state.optimizer
        self._invalidate_programs()

    def _ensure_built_for_compile(self):
        """Hook for ``Sequential``, which may not know its input yet."""

    def _invalidate_programs(self):
        if getattr(self, "_programs", None) is not None:
            self._programs.clear()

    def _trainable_signature(self):
        """What decides the train program besides the data: every weight's and layer's flag.

        Layer flags count on their own: a frozen BatchNormalization without
        trainable weights still switches from batch to moving statistics.
        """
        return (tuple(v.trainable for v in self.weights)
                + tuple(layer.trainable for layer in self._layer_tree()))

    @property
    def metrics_names(self):
        program = self._programs.latest("test") or self._programs.latest("train")
        names = ["loss"]
        if program is not None:
            names += list(program[0].graph.meta.get("metrics", {}))
        return names

    def compiled_metric_directions(self):
        """``{metric name: "up" or "down"}``, for callbacks in ``mode="auto"``."""
        out = {}
        if self._compile_state is None:
            return out
        for i, out_name in enumerate(self.output_names):
            for m in self._compile_state.metrics[i]:
                direction = metrics_module.direction_of(m)
                if direction is None:
                    continue
                name = m if isinstance(m, str) else getattr(
                    m, "name", getattr(m, "__name__", str(m)))
                out[name] = direction
                out[f"{out_name}_{name}"] = direction
        return out

    # -- programs ---------------------------------------------------------------------

    def _require_compiled(self, what):
        if self._compile_state is None:
            raise RuntimeError(f"You must call `compile()` before using the model in `{what}`.")
        if all(l is None for l in self._compile_state.losses):
            raise ValueError(f"The model was compiled without a loss, which `{what}` needs. "
                             "Pass `loss=` to `compile()`.")

    def _program(self, kind, ys=None, weighted=False):
        x_shapes = tuple(tuple(t.shape[1:]) for t in self.inputs)
        if ys is None:
            y_shapes = tuple(self._compile_state.target_shape(i, out.shape)
                             if self._compile_state else () for i, out in enumerate(self.outputs))
        else:
            y_shapes = tuple(tuple(y.shape[1:]) for y in ys)
        signature = (x_shapes, y_shapes if kind != "predict" else (), bool(weighted)
                     if kind != "predict" else False)
        program, stages = self._programs.get(kind, signature)
        return program, stages

    def _ready(self, program, batch):
        """Size the program for ``batch`` rows and make every weight live in the arena."""
        program.ensure_capacity(batch)
        arena = self._arena
        for key, (_, owner) in program._persistent.items():
            if owner is not None and arena.bound.get(key) is not owner._value:
                arena.rebind(key, owner)
        program.ensure_capacity(batch)

    def get_ir(self, program="train", stage="final"):
        """The IR of ``program`` after pass ``stage`` (see ``docs/architecture.md``).

        ``str()`` of the result is a listing; it also has ``to_dot()`` and ``to_json()``.
        """
        return self._stages(program).get_stage(stage)

    def get_source(self, program="train"):
        """``program``'s kernel calls as Numba source, annotated with its IR listing.

        The runtime makes the same calls, in the same order, from a table of
        compiled kernels (see ``compiler.codegen``).
        """
        self._stages(program)
        return self._programs.latest(program)[0].source

    def _stages(self, program):
        if program not in PROGRAMS:
            raise ValueError(f"Unknown program `{program}`; valid programs are: "
                             f"{', '.join(PROGRAMS)}.")
        self._ensure_built_for_compile()
        if program != "predict":
            self._require_compiled(f"get_ir(program={program!r})")
        built = self._programs.latest(program)
        if built is None:
            built = self._program(program)
        return built[1]

    # -- data -------------------------------------------------------------------------

    def _arrange(self, x, y=None, sample_weight=None, need_y=True):
        self._ensure_built_for_data(x)
        xs = data_utils.arrange(x, self.input_names, "x")
        data_utils.check_inputs(self, xs)
        ys = data_utils.arrange(y, self.output_names, "y", allow_none=not need_y)
        rows = data_utils.check_rows({"x": xs, "y": ys})
        sws = data_utils.check_sample_weight(sample_weight, len(self.outputs), rows)
        if ys is not None and self._compile_state is not None:
            for i, y_arr in enumerate(ys):
                loss = self._compile_state.losses[i]
                data_utils.check_labels(loss, y_arr, self.outputs[i].shape,
                                        self.output_names[i])
        dtype = self._arena.dtype
        cast = [np.ascontiguousarray(a, dtype=dtype) for a in xs]
        ys = None if ys is None else [np.ascontiguousarray(a, dtype=dtype) for a in ys]
        sws = None if sws is None else [np.ascontiguousarray(a, dtype=dtype) for a in sws]
        return cast, ys, sws, rows

    def _ensure_built_for_data(self, x):
        """Hook for ``Sequential`` built from its first data."""

    @staticmethod
    def _limit_steps(arrays, steps, batch_size, what):
        """``arrays`` cut to their first ``steps`` batches (Keras's ``steps`` arguments)."""
        if steps is None:
            return arrays
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps <= 0:
            raise ValueError(f"`{what}` must be a positive integer; received {what}={steps!r}.")
        rows = int(steps) * batch_size
        return [None if a is None else [x[:rows] for x in a] for a in arrays]

    @staticmethod
    def _batch_size(batch_size):
        if batch_size is None:
            return 32
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer; received "
                             f"batch_size={batch_size!r}.")
        return int(batch_size)

    def _feed(self, program, xs, ys, sws, index, batch):
        """Copy the rows ``index`` (a slice or an index array) into the program's inputs."""
        groups = [("x", xs), ("y", ys), ("sample_weight", sws)]
        for kind, arrays in groups:
            if arrays is None:
                continue
            for i, arr in enumerate(arrays):
                key = (kind, i)
                if key not in program.input_slots:
                    continue
                view = program.input_view(key, batch)
                if isinstance(index, slice):
                    view[...] = arr[index]
                else:
                    np.take(arr, index, axis=0, out=view)

    # -- metric accumulators ----------------------------------------------------------

    def _metric_views(self, program):
        """``[(log name, {accumulator: live view}, metric)]`` of ``program``'s metrics."""
        table = program.graph.meta.get("metrics", {})
        arena = self._arena
        metrics = self._compiled_metrics(program)
        return [(name, {acc: arena.view(key) for acc, key in accs.items()}, metrics.get(name))
                for name, accs in table.items()]

    def _compiled_metrics(self, program):
        """``{log name: metric}``, resolved from the compile arguments as the program was."""
        graph, found = program.graph, {}
        for i, out in enumerate(self.outputs):
            y = graph.find_source("input", kind="y", index=i)
            if y is None:
                continue
            y_shape = graph.type_of(y).shape
            for metric in self._compile_state.resolve_metrics(i, y_shape, out.shape):
                name = metric.name if len(self.outputs) == 1 else \
                    f"{self.output_names[i]}_{metric.name}"
                found[name] = metric
        return found

    @staticmethod
    def _reset(views):
        for _, totals, _ in views:
            for view in totals.values():
                view[...] = 0

    def _loss_roles(self, program):
        roles = [("loss", "loss")]
        if len(self.outputs) > 1:
            roles += [(f"{name}_loss", f"loss:{name}") for name in self.output_names
                      if f"loss:{name}" in program.output_slots]
        return roles

    def _logs(self, sums, rows, views):
        logs = {name: total / rows for name, total in sums.items()} if rows else {}
        for name, totals, metric in views:
            if metric is not None:
                logs[name] = metric.result({k: np.array(v) for k, v in totals.items()})
            else:
                count = float(totals["count"])
                logs[name] = float(totals["total"]) / count if count else 0.0
        return logs

    # -- fit ----------------------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train the model for ``epochs`` epochs; return a ``History``."""
        self._require_compiled("fit")
        if steps_per_epoch is not None and (isinstance(steps_per_epoch, bool) or not isinstance(
                steps_per_epoch, (int, np.integer)) or steps_per_epoch <= 0):
            raise ValueError(f"`steps_per_epoch` must be a positive integer; received "
                             f"steps_per_epoch={steps_per_epoch!r}.")
        batch_size = self._batch_size(batch_size)
        xs, ys, sws, rows = self._arrange(x, y, sample_weight)
        if ys is None:
            raise ValueError("`fit` needs targets `y`.")
        val = None
        if validation_data is not None:
            val = self._validation_arrays(validation_data)
        elif validation_split:
            (xs, ys, sws), (vx, vy, vsw) = data_utils.split_validation([xs, ys, sws],
                                                                       validation_split)
            rows = xs[0].shape[0]
            val = (vx, vy, vsw)
        if class_weight is not None:
            sws = [self._class_weights_to_sample_weights(ys, sws, class_weight)]
        verbose = 1 if verbose == "auto" else int(verbose)
        if val is not None:
            val = tuple(self._limit_steps(list(val), validation_steps,
                                          validation_batch_size or batch_size,
                                          "validation_steps"))

        program, _ = self._program("train", ys, weighted=sws is not None)
        self._ready(program, min(batch_size, rows) or 1)
        if val is not None:
            # build validation now: a program built later could move the arena under `views`
            val_program, _ = self._program("test", val[1], weighted=val[2] is not None)
            self._ready(val_program, min(validation_batch_size or batch_size,
                                         val[0][0].shape[0]) or 1)
            self._ready(program, min(batch_size, rows) or 1)
        views = self._metric_views(program)
        roles = self._loss_roles(program)
        steps = (rows + batch_size - 1) // batch_size
        if steps_per_epoch is not None:
            if steps_per_epoch > steps:
                warnings.warn(f"`steps_per_epoch={steps_per_epoch}` asks for more batches than "
                              f"the {rows} samples give at batch size {batch_size}; each epoch "
                              f"runs the {steps} batches there are.", stacklevel=2)
            steps = min(steps, int(steps_per_epoch))
        execution = self._execution_size(program, batch_size, steps,
                                         self._watches_batches(callbacks))
        loop = data = None
        if execution > 1:
            loop, data = self._step_loop(program, xs, ys, sws, roles)
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        self._warned_not_finite = False
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self._reset(views)
            cbs.on_epoch_begin(epoch)
            order = self._epoch_order(shuffle, rows, steps, batch_size)
            if loop is None:
                logs = self._epoch_by_step(program, xs, ys, sws, order, steps, batch_size,
                                           roles, views, cbs)
            else:
                logs = self._epoch_by_execution(loop, data, order, rows, steps, batch_size,
                                                roles, views, cbs, execution)
            epoch_logs = dict(logs)
            if val is not None and self._validate_now(epoch, validation_freq):
                cbs.on_test_begin()
                val_logs = self._evaluate_arrays(*val, validation_batch_size or batch_size,
                                                 cbs, callbacks)
                cbs.on_test_end(dict(sorted(val_logs.items())))
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            epoch_logs = dict(sorted(epoch_logs.items()))
            self._warn_if_not_finite(epoch, epoch_logs, cbs)
            cbs.on_epoch_end(epoch, epoch_logs)
            logs = epoch_logs
            if self.stop_training:
                break
        finalize = getattr(self.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs > initial_epoch:
            finalize(self.trainable_weights)     # the moving averages, with `use_ema`
        cbs.on_train_end(logs)
        return self.history

    def _class_weights_to_sample_weights(self, ys, sws, class_weight):
        """Per-sample weights from the labels, as Keras 3 builds them from ``class_weight``.

        The class of a row is the argmax of a one-hot target, or the rounded label
        of an ``(N,)``/``(N, 1)`` target; classes missing from the dict weigh 1.
        """
        if sws is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        if len(self.outputs) != 1:
            raise ValueError("`class_weight` is only supported for Models with a single "
                             "output.")
        y = ys[0]
        if y.ndim > 1:
            y = np.argmax(y, axis=-1) if y.shape[-1] != 1 else np.squeeze(y, axis=-1)
        labels = np.round(y).astype(np.int64).reshape(len(y), -1)[:, 0]
        weights = np.array([class_weight.get(int(c), 1.0) for c in labels],
                           dtype=self._arena.dtype)
        return weights

    def _warn_if_not_finite(self, epoch, logs, cbs):
        """Say clearly, once per fit, that the loss diverged (unless TerminateOnNaN stops it)."""
        loss = logs.get("loss")
        if loss is None or np.isfinite(loss) or getattr(self, "_warned_not_finite", False):
            return
        if any(type(cb).__name__ == "TerminateOnNaN" for cb in cbs):
            return
        self._warned_not_finite = True
        message = (f"Epoch {epoch + 1}: the training loss is {loss}. Training diverged: lower "
                   "the learning rate, check the data for NaN or infinite values, or pass "
                   "`callbacks=[graphkeras.callbacks.TerminateOnNaN()]` to stop at once.")
        logger.warning(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)

    @staticmethod
    def _validate_now(epoch, freq):
        if isinstance(freq, int):
            return (epoch + 1) % freq == 0
        return epoch + 1 in freq

    def _validation_arrays(self, validation_data):
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
            raise ValueError("`validation_data` must be a tuple `(x_val, y_val)` or "
                             "`(x_val, y_val, val_sample_weight)`; received "
                             f"{type(validation_data).__name__}.")
        vx, vy = validation_data[0], validation_data[1]
        vsw = validation_data[2] if len(validation_data) == 3 else None
        xs, ys, sws, _ = self._arrange(vx, vy, vsw)
        return xs, ys, sws

    # -- evaluate -------------------------------------------------------------------------

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss (and metrics) on ``x``/``y``: a scalar, a list or a dict."""
        self._require_compiled("evaluate")
        batch_size = self._batch_size(batch_size)
        xs, ys, sws, rows = self._arrange(x, y, sample_weight)
        xs, ys, sws = self._limit_steps([xs, ys, sws], steps, batch_size, "steps")
        rows = xs[0].shape[0]
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=-(-rows // batch_size))
        cbs.on_test_begin()
        logs = self._evaluate_arrays(xs, ys, sws, batch_size, cbs, callbacks)
        cbs.on_test_end(dict(sorted(logs.items())))
        return self._format_results(logs, return_dict)

    def _format_results(self, logs, return_dict):
        if return_dict:
            return dict(logs)
        if len(logs) == 1:
            return logs["loss"]
        first = ["loss"] + [k for k in logs if k.endswith("_loss") and k != "loss"]
        return [logs[k] for k in first] + [v for k, v in logs.items() if k not in first]

    # -- predict ------------------------------------------------------------------------------

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Predictions for ``x``, batch by batch, concatenated (a list for several outputs)."""
        fast = self._fast_predict
        if verbose == 0 and callbacks is None and steps is None and fast is not None \
                and fast.accepts(x, 32 if batch_size is None else batch_size):
            return fast(x)
        batch_size = self._batch_size(batch_size)
        xs, _, _, rows = self._arrange(x, need_y=False)
        (xs,) = self._limit_steps([xs], steps, batch_size, "steps")
        rows = xs[0].shape[0]
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = None
        if verbose or callbacks:
            cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                               verbose=verbose, epochs=1, steps=-(-rows // batch_size))
            cbs.on_predict_begin()
        program, _ = self._program("predict")
        self._ready(program, min(batch_size, rows) or 1)
        if len(self.inputs) == 1 and len(self.outputs) == 1:
            self._fast_predict = FastPredict(self, program, xs[0].shape[1:])
        results = self._predict_arrays(program, xs, batch_size, cbs, callbacks)
        if cbs is not None:
            cbs.on_predict_end()
        return results[0] if len(results) == 1 else results

    # -- single batches -----------------------------------------------------------------

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One training step on one batch; returns its loss (and metrics)."""
        self._require_compiled("train_on_batch")
        if class_weight is not None and sample_weight is not None:
            raise ValueError("Arguments `sample_weight` and `class_weight` cannot be specified "
                             "at the same time.")
        xs, ys, sws, rows = self._arrange(x, y, sample_weight)
        if class_weight is not None:
            sws = [self._class_weights_to_sample_weights(ys, None, class_weight)]
        program, _ = self._program("train", ys, weighted=sws is not None)
        self._ready(program, rows)
        views = self._metric_views(program)
        self._reset(views)
        self._feed(program, xs, ys, sws, slice(0, rows), rows)
        program.run(rows)
        logs = self._logs({name: program.scalar(role) * rows
                           for name, role in self._loss_roles(program)}, rows, views)
        return self._format_results(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) of one batch, without training."""
        self._require_compiled("test_on_batch")
        xs, ys, sws, rows = self._arrange(x, y, sample_weight)
        logs = self._evaluate_arrays(xs, ys, sws, max(rows, 1))
        return self._format_results(logs, return_dict)

    def predict_on_batch(self, x):
        """Predictions for one batch (the path of ``model(x)`` too)."""
        fast = self._fast_predict
        if fast is not None and fast.accepts(x, fast.capacity):
            return fast(x)
        xs, _, _, rows = self._arrange(x, need_y=False)
        return self.predict(xs if len(xs) > 1 else xs[0], batch_size=max(rows, 1), verbose=0)

    def memory_report(self, program="train"):
        """Scratch memory of ``program`` at its current batch capacity, in bytes.

        Returns a dict: ``arena`` (what the memory plan allocates), ``naive``
        (one buffer per value, no reuse), ``peak_live`` (the largest set of
        buffers alive at once, counting an op's output apart from an operand
        it may overwrite) and ``capacity`` (the batch rows buffers are sized
        for: the capacity rounded up as the runtime rounds it).
        """
        self._stages(program)
        built = self._programs.latest(program)[0]
        memory = built.graph.meta["memory"]
        rows = _padded(max(built.capacity, 1))
        itemsize = self._arena.dtype.itemsize
        arena = layout(memory, rows)[1]
        naive, peak = sizes(memory, rows)
        return {"arena": int(arena * itemsize), "naive": int(naive * itemsize),
                "peak_live": int(peak * itemsize), "capacity": rows}

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        """Print a table of the layers, their output shapes and parameter counts."""
        from graphkeras.models.summary import print_summary
        print_summary(self, line_length=line_length, print_fn=print_fn)
