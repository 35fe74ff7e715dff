"""Compiler passes. Each module holds one pass: a callable ``IR -> IR`` with a ``name``.

A pass mutates the graph it is given (the pipeline hands it a copy, so each
stage's snapshot survives for ``get_ir``) and returns whether it changed
anything; the pass manager rejects any other return value.
"""

from compiler.passes.shape_inference import ShapeInference
from compiler.passes.loss import LossLowering
from compiler.passes.metrics import MetricLowering
from compiler.passes.softmax_xent import SoftmaxCrossEntropy
from compiler.passes.autodiff import Autodiff
from compiler.passes.optimizer import OptimizerLowering
from compiler.passes.legalize_broadcast import LegalizeBroadcast
from compiler.passes.cse import CommonSubexpressions
from compiler.passes.dce import DeadCodeElimination
from compiler.passes.schedule import Schedule
from compiler.passes.fusion import Fusion
from compiler.passes.memory_plan import MemoryPlan

__all__ = ["ShapeInference", "LossLowering", "MetricLowering", "SoftmaxCrossEntropy",
           "Autodiff", "OptimizerLowering", "LegalizeBroadcast", "CommonSubexpressions",
           "DeadCodeElimination", "Schedule", "Fusion", "MemoryPlan"]
