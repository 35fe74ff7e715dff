"""Keras 3 on its JAX backend: the same Keras code graphkeras runs, with ``keras`` imported.

``KERAS_BACKEND`` is set to ``jax`` unless the environment already chose a
backend (the report records which one ran). Training is ``model.fit`` for one
epoch over ``n`` batches; prediction is ``model.predict(x1, verbose=0)``, the
call Keras users make, whose per-call overhead is what the ``predict1``
workloads show.
"""

import os

from benchmarks import workloads as wl


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    return keras


def versions():
    keras = _keras()
    info = {"keras": keras.__version__, "keras_backend": keras.backend.backend()}
    if info["keras_backend"] == "jax":
        import jax
        info["jax"] = jax.__version__
    return info


class Runner:
    """One workload's Keras model and data."""

    def __init__(self, workload):
        keras = _keras()
        self.workload = workload
        self.notes = [f"Keras {keras.__version__} on {keras.backend.backend()}"]
        keras.utils.set_random_seed(0)
        spec = workload.model
        layers = [keras.Input(shape=(spec.sizes[0],))]
        for width in spec.sizes[1:-1]:
            layers.append(keras.layers.Dense(width, activation="relu"))
            if spec.dropout:
                layers.append(keras.layers.Dropout(spec.dropout))
        layers.append(keras.layers.Dense(spec.sizes[-1], activation="softmax"))
        self.model = keras.Sequential(layers)
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
        """``fit`` and ``predict`` return only when their results are on the host."""


def build(workload):
    return Runner(workload)
