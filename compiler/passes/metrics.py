"""Metric lowering: each metric's per-batch increments, accumulated into state.

Keras metrics are stateful over an epoch. A ``MetricTerm``'s ``fn`` returns
the increments of its accumulators for one batch: for a mean a total and a
count, for a confusion metric such as ``AUC`` one count per threshold. An
increment may be a scalar or a tensor without the batch axis; this pass adds
one ``state`` value of the increment's shape per accumulator, named
``<prefix>/metric/<name>/<accumulator>`` (the prefix keeps the train and test
programs' totals apart), and updates it by the increment. The trainer zeroes
the accumulators at the start of an epoch and turns their totals into the
metric's value with the metric's ``result(totals)``, so no per-batch work for
metrics is left in Python.
"""

from dataclasses import dataclass
from typing import Callable, List, Optional

from compiler.ir import Value
from compiler.ops.build import emit
from compiler.passes.loss import target_input
from compiler.types import TensorType


@dataclass
class MetricTerm:
    name: str                   # log name, e.g. "accuracy" or "dense_2_accuracy"
    output: str                 # output role of the prediction
    target: Optional[TensorType]  # type of y_true (None when the metric ignores it)
    fn: Callable                # (y_true, y_pred, batch_size) -> {accumulator: Value}
    index: int = 0


def state_key(prefix, metric, accumulator):
    return f"{prefix}/metric/{metric}/{accumulator}"


class MetricLowering:
    name = "metrics"

    def __init__(self, terms: List[MetricTerm], prefix: str = "metrics"):
        self.terms = terms
        self.prefix = prefix

    def __call__(self, graph) -> bool:
        if not self.terms:
            return False
        batch = graph.add("batch_size", [], {"dtype": self._dtype(graph)}, name="n").name
        table = {}
        for term in self.terms:
            pred = graph.outputs[term.output]
            y = None
            if term.target is not None:
                y = Value(graph, target_input(graph, "y", term.index, term.target))
            increments = term.fn(y, Value(graph, pred), Value(graph, batch))
            table[term.name] = {}
            for acc, inc in increments.items():
                key = state_key(self.prefix, term.name, acc)
                vtype = graph.type_of(inc.name)
                if vtype.shape and vtype.shape[0] is None:
                    raise ValueError(f"Metric `{term.name}` gave a per-sample increment for "
                                     f"`{acc}` (shape {vtype.shape}); increments must be "
                                     "summed over the batch.")
                total = graph.add("state", [], {"key": key, "shape": tuple(vtype.shape),
                                                "dtype": vtype.dtype, "init": 0.0},
                                  name=key).name
                graph.updates[total] = emit(graph, "add", [total, inc.name], like=pred)
                table[term.name][acc] = key
        graph.meta["metrics"] = table
        return True

    @staticmethod
    def _dtype(graph):
        for val in graph.outputs.values():
            return graph.type_of(val).dtype
        return "float32"
