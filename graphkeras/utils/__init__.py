"""``graphkeras.utils``: seeding, label encoding, progress bars."""

import random

import numpy as np

from graphkeras import backend


def set_random_seed(seed):
    """Seed Python's, NumPy's and graphkeras's generators, as ``keras.utils.set_random_seed``."""
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    backend.set_seed(int(seed))
    from compiler.kernels.random import seed as seed_compiled_code  # Numba's own generator
    seed_compiled_code(int(seed))


def to_categorical(x, num_classes=None):
    """Class vectors (integers) to one-hot rows (float32), as in Keras."""
    x = np.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if x.size and x.min() < 0:
        raise ValueError(f"`to_categorical` needs non-negative class indices; received "
                         f"{x.min()}.")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise ValueError(f"Class index {x.max()} is out of range for num_classes="
                         f"{num_classes}.")
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))
