"""Global settings of the front end: float type, fuzz factor, unique names, the random seed.

``floatx`` is the dtype of new weights and of the compiled programs
(``"float32"`` by default, as in Keras); ``epsilon`` is Keras's fuzz factor
(1e-7), used by the crossentropy clips and the optimizers' defaults.
"""

import re
from collections import defaultdict

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_UIDS = defaultdict(int)
_RNG = np.random.default_rng()


def floatx():
    """The default float dtype name."""
    return _FLOATX


def set_floatx(value):
    """Set the default float dtype (``"float32"`` or ``"float64"``)."""
    global _FLOATX
    if value not in ("float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected 'float32' or 'float64'.")
    _FLOATX = value


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def snake_case(name):
    """``"BatchNormalization"`` -> ``"batch_normalization"``, as Keras names layers."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix):
    """``dense``, then ``dense_1``, ``dense_2``, ...: Keras 3's automatic names."""
    count = _UIDS[prefix]
    _UIDS[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def clear_session():
    """Forget automatic names (the next Dense is ``dense`` again)."""
    _UIDS.clear()


def set_seed(seed):
    """Seed the generator that initializers and Dropout seeds draw from."""
    global _RNG
    _RNG = np.random.default_rng(seed)


def rng():
    """The global generator used by initializers without their own seed."""
    return _RNG
