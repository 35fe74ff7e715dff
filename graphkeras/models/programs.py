"""From a model to compiled programs: lowering, the pass pipeline, and the program cache.

``lower(model, training)`` traces the model's layer calls into a fresh IR graph.
``ProgramSet`` builds, per program kind (``predict``, ``test``, ``train``) and
data signature, the pass pipeline's stages and a ``compiler.runtime.Program``
linked to the model's arena, and caches them until ``compile()`` or a change
of which weights are trainable makes them stale.
"""

import logging
import os

from compiler.ir import Graph
from compiler.passes import (Autodiff, CommonSubexpressions, DeadCodeElimination, Fusion,
                             LegalizeBroadcast, LossLowering, MemoryPlan, MetricLowering,
                             OptimizerLowering, Schedule, ShapeInference,
                             SoftmaxCrossEntropy)
from compiler.passes.loss import LossTerm, PenaltyTerm
from compiler.passes.metrics import MetricTerm
from compiler.pipeline import dump_name, run_passes, write_text
from compiler.runtime import Program
from compiler.types import TensorType
from compiler import config
from graphkeras.trace import trace

logger = logging.getLogger("graphkeras")

PROGRAMS = ("predict", "test", "train")


def lower(model, training):
    """The model's forward computation as an IR graph, and the variables it reads."""
    graph = Graph(f"{model.name}")
    with trace(graph, training=training) as t:
        values = []
        for i, tensor in enumerate(model.inputs):
            attrs = {"kind": "x", "index": i, "shape": tensor.shape, "dtype": model.dtype,
                     "key": f"x:{i}"}
            values.append(graph.add("input", [], attrs, name=f"x{i}"))
        outputs = model._run_graph(values if len(values) > 1 else values[0], training)
        from graphkeras.utils.structure import flatten
        for i, out in enumerate(flatten(outputs)):
            graph.outputs[f"output:{i}"] = out.name
    return graph, t.variables


class ProgramSet:
    """The compiled programs of one model, built on first use."""

    def __init__(self, model):
        self.model = model
        self.cache = {}
        self.generation = 0     # bumped whenever cached programs are dropped

    def clear(self):
        self.cache.clear()
        self.generation += 1

    def get(self, kind, signature):
        """``(Program, stages)`` for ``kind`` and the data ``signature``, built if needed."""
        key = (kind, signature, self.model._trainable_signature())
        if key not in self.cache:
            self.cache[key] = self._build(kind, signature)
        return self.cache[key]

    def latest(self, kind):
        """The most recently built program of ``kind``, or None."""
        found = [v for k, v in self.cache.items() if k[0] == kind]
        return found[-1] if found else None

    def _build(self, kind, signature):
        model = self.model
        graph, variables = lower(model, training=(kind == "train"))
        passes = [ShapeInference()]
        if kind in ("test", "train"):
            passes += self._loss_passes(kind, signature)
        if kind == "train":
            constraints = {v.key: v.constraint for v in variables.values()
                           if v.constraint is not None and v.trainable}
            passes += [Autodiff(), OptimizerLowering(model.optimizer, constraints)]
        unread = ("output:",) if kind != "predict" else ()
        passes += [LegalizeBroadcast(), CommonSubexpressions(), DeadCodeElimination(unread),
                   Schedule(), Fusion(), MemoryPlan()]
        stages, timings = run_passes(graph, passes, model.name, kind)
        persistent = {key: (var.numpy, var) for key, var in variables.items()}
        if kind == "train":  # optimizer state restored from a file before this program
            persistent.update(model.optimizer._pending_state())
        program = Program(kind, stages.final(), model._arena, persistent)
        if kind == "train":
            model.optimizer._bind(model._arena)
        dump = config.dump_dir()
        if dump:
            path = os.path.join(dump, dump_name(model.name, kind, "source", "py"))
            os.makedirs(dump, exist_ok=True)
            write_text(path, program.source)
        logger.debug("built program %s of %s (%d ops)", kind, model.name, len(stages.final()))
        return program, stages

    def _loss_passes(self, kind, signature):
        model = self.model
        compiled = model._compile_state
        y_shapes, weighted = signature[1], signature[2]
        terms, metric_terms = [], []
        dtype = model.dtype
        for i, out in enumerate(model.outputs):
            name = model.output_names[i]
            target = TensorType((None,) + tuple(y_shapes[i]), dtype)
            loss = compiled.losses[i]
            if loss is not None:
                terms.append(LossTerm(f"output:{i}", name, target, loss.call,
                                      weight=compiled.loss_weights[i], weighted=weighted,
                                      index=i))
            for metric in compiled.resolve_metrics(i, target.shape, out.shape):
                log_name = metric.name if len(model.outputs) == 1 else f"{name}_{metric.name}"
                metric_terms.append(MetricTerm(log_name, f"output:{i}", target, metric.emit,
                                               index=i))
        penalties = []
        for layer_var in model.weights:
            if layer_var.regularizer is not None and layer_var.trainable:
                penalties.append(PenaltyTerm(layer_var.key, layer_var.regularizer))
        return [LossLowering(terms, penalties), MetricLowering(metric_terms, prefix=kind),
                SoftmaxCrossEntropy()]
