"""graphkeras, used only through its public Keras API, with its defaults.

Training is ``model.fit(x, y, batch_size=B, epochs=1, verbose=0)`` over ``n``
batches, so the per-batch cost users get (feeding the arena, calling the
compiled program, reading the loss) and the per-call cost of ``fit`` are both
in the number, amortised over many batches as in real use. Prediction is
``model.predict(x1, verbose=0)``. No thread counts or other settings are
changed: the benchmark measures graphkeras as users get it.

``Dropout`` is used when ``graphkeras.layers`` has it; until then the ``mlp``
model is built without it and the runner says so in ``notes``.
"""

import os

import numpy as np

from benchmarks import workloads as wl


def versions():
    import graphkeras
    import numba
    return {"graphkeras": graphkeras.__version__, "numba": numba.__version__,
            "numpy": np.__version__, "from": os.path.dirname(os.path.dirname(
                os.path.abspath(graphkeras.__file__)))}


class Runner:
    """One workload's graphkeras model and data."""

    def __init__(self, workload):
        import graphkeras
        from graphkeras.layers import Dense, Input

        self.workload = workload
        self.notes = []
        graphkeras.utils.set_random_seed(0)
        spec = workload.model
        dropout = getattr(graphkeras.layers, "Dropout", None)
        layers = [Input(shape=(spec.sizes[0],))]
        for width in spec.sizes[1:-1]:
            layers.append(Dense(width, activation="relu"))
            if spec.dropout and dropout is not None:
                layers.append(dropout(spec.dropout))
        layers.append(Dense(spec.sizes[-1], activation="softmax"))
        if spec.dropout and dropout is None:
            self.notes.append("graphkeras has no layers.Dropout yet: model built without "
                              "Dropout")
        self.model = graphkeras.Sequential(layers, name=f"bench_{spec.name}")
        self.model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        if workload.kind == "predict1":
            self.x1 = wl.one_sample(workload)
        else:
            self.x, self.y = wl.data(workload)

    def train_steps(self, n):
        rows = n * self.workload.batch
        self.model.fit(self.x[:rows], self.y[:rows], batch_size=self.workload.batch,
                       epochs=1, verbose=0)

    def predict_one(self):
        return self.model.predict(self.x1, verbose=0)

    def sync(self):
        """graphkeras runs synchronously: nothing to wait for."""

    def memory_report(self):
        """``model.memory_report("train")`` when graphkeras has it, else a note saying not yet.

        The mlp train program must have run once (``train_steps``) before this is asked.
        """
        report = getattr(self.model, "memory_report", None)
        if report is None:
            return {"available": False,
                    "note": "graphkeras has no model.memory_report(program) yet"}
        try:
            value = report("train")
        except Exception as err:  # report the failure, do not lose the benchmark
            return {"available": False, "note": f"memory_report('train') failed: {err!r}"}
        return {"available": True, "raw": _jsonable(value),
                "text": value if isinstance(value, str) else str(value)}


def _jsonable(value):
    """``value`` as plain JSON data (dicts, lists, numbers, strings), whatever it was."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "_asdict"):
        return _jsonable(value._asdict())
    if hasattr(value, "__dict__"):
        return _jsonable({k: v for k, v in vars(value).items() if not k.startswith("_")})
    return str(value)


def build(workload):
    return Runner(workload)
