"""Loss lowering: turn each output's loss rule into ops and sum them into ``loss``.

The front end describes each compiled loss as a ``LossTerm``; its ``fn`` emits
the per-sample loss from ``(y_true, y_pred)`` values. This pass adds the
target (and sample-weight) inputs, applies Keras's default reduction
(``sum_over_batch_size``: the sum of weighted per-sample losses divided by the
number of loss elements, *not* by the sum of weights), scales by the loss
weight, and adds the regularization penalties listed in
``graph.meta["penalties"]`` and in ``penalties``.

Outputs added: ``loss`` (the training objective) and ``loss:<name>`` for each
term (before its loss weight, as Keras logs it).
"""

from dataclasses import dataclass, field
from typing import Callable, List, Optional

from compiler.ir import Value
from compiler.ops.build import const, emit
from compiler.types import TensorType


@dataclass
class LossTerm:
    """One compiled loss: which output, what target, and the rule."""

    output: str                 # output role of the prediction, e.g. "output:0"
    name: str                   # name used in logs, e.g. "dense_2"
    target: TensorType          # type of y_true for this output
    fn: Callable                # (y_true: Value, y_pred: Value) -> per-sample Value
    weight: float = 1.0         # loss_weights entry
    weighted: bool = False      # whether a sample_weight input feeds this term
    index: int = 0              # position of y / sample_weight among the targets


@dataclass
class PenaltyTerm:
    """A regularization penalty on one parameter, added to the loss."""

    key: str                    # param key
    fn: Callable                # (param: Value) -> scalar Value


def target_input(graph, kind, index, vtype):
    """The ``input`` value for target ``index`` of ``kind`` (``y`` or ``sample_weight``)."""
    found = graph.find_source("input", kind=kind, index=index)
    if found is not None:
        return found
    attrs = {"kind": kind, "index": index, "shape": tuple(vtype.shape), "dtype": vtype.dtype,
             "key": f"{kind}:{index}"}
    return graph.add("input", [], attrs, name=f"{kind}{index}").name


class LossLowering:
    name = "loss"

    def __init__(self, terms: List[LossTerm], penalties: Optional[List[PenaltyTerm]] = None):
        self.terms = terms
        self.penalties = penalties or []

    def __call__(self, graph) -> bool:
        total = None
        for term in self.terms:
            pred = graph.outputs[term.output]
            y = target_input(graph, "y", term.index, term.target)
            per = term.fn(Value(graph, y), Value(graph, pred)).name

            if term.weighted:
                dtype = graph.type_of(per).dtype
                sw = target_input(graph, "sample_weight", term.index,
                                  TensorType((None,), dtype))
                rank = graph.type_of(per).rank
                if rank > 1:
                    sw = emit(graph, "reshape", [sw], {"shape": (None,) + (1,) * (rank - 1)},
                              like=pred)
                per = emit(graph, "mul", [per, sw], like=pred)

            reduced = emit(graph, "reduce_mean", [per], {"axes": None}, like=pred,
                           name=f"{term.name}_loss")
            graph.outputs[f"loss:{term.name}"] = reduced
            if term.weight != 1.0:
                dtype = graph.type_of(reduced).dtype
                reduced = emit(graph, "mul", [reduced, const(graph, term.weight, dtype)],
                               like=pred)
            total = reduced if total is None else emit(graph, "add", [total, reduced])

        penalty_values = list(graph.meta.get("penalties", []))
        for pen in self.penalties:
            param = graph.find_source("param", key=pen.key)
            if param is not None:
                penalty_values.append(pen.fn(Value(graph, param)).name)
        for value in penalty_values:
            total = value if total is None else emit(graph, "add", [total, value])
        if total is None:
            raise ValueError("No loss to minimize: compile the model with `loss=`.")
        graph.outputs["loss"] = total
        return True
