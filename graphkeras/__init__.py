"""graphkeras: Keras models compiled as static graphs into Numba machine code.

Write ordinary Keras code with ``graphkeras`` in place of ``keras``::

    import graphkeras
    from graphkeras.layers import Dense, Input

    inputs = Input(shape=(64,))
    outputs = Dense(10, activation="softmax")(inputs)
    model = graphkeras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
"""

import logging

from graphkeras import (activations, backend, callbacks, config, constraints,  # noqa: F401
                        datasets, initializers, layers, losses, metrics, models, ops,
                        optimizers, regularizers, utils)
from graphkeras.layers import Input
from graphkeras.models import Model, Sequential

__version__ = "0.1.0"

logging.getLogger("graphkeras").addHandler(logging.NullHandler())
logging.getLogger("compiler").addHandler(logging.NullHandler())

__all__ = ["Input", "Model", "Sequential", "activations", "backend", "callbacks", "config",
           "constraints", "datasets", "initializers", "layers", "losses", "metrics", "models",
           "ops", "optimizers", "regularizers", "utils"]
