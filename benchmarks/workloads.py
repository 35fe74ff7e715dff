"""The benchmark workloads: which model, which batch, what is timed, and the synthetic data.

Every framework adapter builds its model from the same ``ModelSpec`` and trains
on the same data, so a difference in time is a difference in the framework.
Data is random and MNIST-shaped (inputs uniform in [0, 1), integer labels),
generated from a fixed seed: nothing is downloaded, and every process that
asks for a workload's data gets the same arrays.

The labels are those of a fixed random linear "teacher" (argmax of
``(x - 0.5) @ T``) rather than random, so that the models learn (the mlp
reaches about 80% accuracy in 1,000 steps) and training behaves like training.

Training workloads are timed after ``warmup_steps`` steps, not on a freshly
initialised model, because speed can change as training goes on. Measured
here: with non-negative, MNIST-like inputs most first-layer ReLU units die,
their gradients are exactly zero, and Adam's momentum for them decays
geometrically into float32 denormals after about 700 steps; a framework that
does not flush denormals to zero then runs its elementwise code several times
slower (graphkeras's mlp step went from ~12,500 to ~2,500 samples/s; XLA, under
JAX and Keras, flushes them). The numbers describe the state a model is in a
few epochs into real training.

Workload kinds:

- ``train``: samples per second of training steps (Adam, float32).
- ``predict1``: microseconds per ``predict`` call on a single sample.
- ``compile``: seconds from process start to the end of the first ``fit`` call,
  measured in fresh processes (see ``benchmarks.compile_time``).
"""

from dataclasses import dataclass, field
from typing import Dict, List, Tuple

import numpy as np

SEED = 20261203
CLASSES = 10


@dataclass(frozen=True)
class ModelSpec:
    """A ReLU MLP ending in a softmax: layer widths, and the Dropout rate after hidden layers."""

    name: str
    sizes: Tuple[int, ...]          # input width, hidden widths..., classes
    dropout: float = 0.0

    @property
    def layers(self) -> List[Tuple[int, int]]:
        """(fan_in, fan_out) of each Dense layer."""
        return list(zip(self.sizes[:-1], self.sizes[1:]))

    @property
    def params(self) -> int:
        return sum(i * o + o for i, o in self.layers)

    def describe(self) -> str:
        text = "-".join(str(s) for s in self.sizes)
        return text + (f", Dropout {self.dropout}" if self.dropout else "")


@dataclass(frozen=True)
class Workload:
    """One line of the report: a model, a batch size and what is timed.

    ``max_steps`` bounds the training data held in memory: a timed chunk runs
    at most that many steps (one ``fit`` epoch over ``max_steps * batch`` rows).
    """

    name: str
    kind: str                       # "train", "predict1" or "compile"
    model: ModelSpec
    batch: int
    max_steps: int = 1
    warmup_steps: int = 0           # training steps run before calibrating (see module doc)
    description: str = ""
    targets: Dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.batch * self.max_steps

    def train_flops(self) -> float:
        """FLOPs of one training step's matmuls: forward, weight and input gradients.

        The first layer's input gradient is not needed, so it is not counted;
        elementwise work (bias, activations, Adam) is a rounding error at these sizes.
        """
        total = 0.0
        for k, (i, o) in enumerate(self.model.layers):
            total += 2.0 * self.batch * i * o          # X @ W
            total += 2.0 * self.batch * i * o          # X.T @ dY
            if k > 0:
                total += 2.0 * self.batch * i * o      # dY @ W.T
        return total

    def predict_flops(self) -> float:
        """FLOPs of one single-sample forward pass."""
        return sum(2.0 * i * o for i, o in self.model.layers)

    def matmul_shapes(self) -> List[Tuple[int, int, int, str]]:
        """The (m, k, n, what) sgemm calls of one step of this workload, for the BLAS floor."""
        shapes = []
        if self.kind == "predict1":
            return [(1, i, o, "x@W") for i, o in self.model.layers]
        for k, (i, o) in enumerate(self.model.layers):
            shapes.append((self.batch, i, o, "X@W"))
            shapes.append((i, self.batch, o, "X.T@dY"))
            if k > 0:
                shapes.append((self.batch, o, i, "dY@W.T"))
        return shapes


MLP = ModelSpec("mlp", (784, 512, 512, 10), dropout=0.2)
TINY = ModelSpec("tiny", (64, 32, 10))
WIDE = ModelSpec("wide", (4096, 4096, 4096, 10))

WORKLOADS: Dict[str, Workload] = {w.name: w for w in [
    Workload("mlp", "train", MLP, batch=128, max_steps=240, warmup_steps=1000,
             description="784-512-512-10 MLP, ReLU, Dropout 0.2, train, batch 128",
             targets={"ratio": 1.5}),
    Workload("tiny", "train", TINY, batch=32, max_steps=8192, warmup_steps=4000,
             description="64-32-10 MLP, train, batch 32 (overhead-bound)",
             targets={"ratio": 10.0}),
    Workload("predict1", "predict1", MLP, batch=1,
             description="the mlp model, predict on one sample",
             targets={"ratio": 1.5}),
    Workload("predict1tiny", "predict1", TINY, batch=1,
             description="the tiny model, predict on one sample",
             targets={"ratio": 3.0, "max_us": 10.0}),
    Workload("wide", "train", WIDE, batch=256, max_steps=12, warmup_steps=4,
             description="4096-4096-4096-10 MLP, train, batch 256 (matmul-bound)",
             targets={"ratio": 1.1, "sgemm_fraction": 0.70}),
    Workload("compile", "compile", MLP, batch=128, max_steps=8,
             description="process start to end of the first fit (mlp train program)",
             targets={"cold_vs_keras": 2.0, "warm_vs_keras": 0.5}),
]}

DEFAULT_ORDER = ["mlp", "tiny", "predict1", "predict1tiny", "wide", "compile"]


def data(workload: Workload, rows: int = None):
    """``(x, y)``: float32 inputs in [0, 1) and int64 labels for ``workload``, from the fixed seed.

    The same ``(workload, rows)`` always gives the same arrays, in any process.
    """
    rows = workload.rows if rows is None else rows
    features, classes = workload.model.sizes[0], workload.model.sizes[-1]
    rng = np.random.default_rng([SEED, features, rows])
    x = rng.random((rows, features), dtype=np.float32)
    teacher = np.random.default_rng([SEED, features, classes]).standard_normal(
        (features, classes)).astype(np.float32)
    y = np.argmax((x - np.float32(0.5)) @ teacher, axis=1).astype(np.int64)
    return x, y


def one_sample(workload: Workload):
    """The single (1, features) float32 sample that ``predict1`` workloads predict."""
    x, _ = data(workload, rows=1)
    return np.ascontiguousarray(x[:1])
