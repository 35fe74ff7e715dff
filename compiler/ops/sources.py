"""Source ops: the values a program receives rather than computes.

- ``input[kind, index]``: a batch of data; ``kind`` is ``x`` (model input),
  ``y`` (target) or ``sample_weight``; rows are filled by the runtime per batch.
- ``param[key, trainable]``: a model weight, persistent across calls.
- ``state[key, init]``: other persistent values (optimizer slots, moving
  statistics, metric totals, the learning rate, the iteration count).
- ``const[value]``: a literal array or scalar.
- ``batch_size``: the runtime number of rows in this batch, as a scalar.
"""

import numpy as np

from compiler.ops.registry import OpDef, Source, register
from compiler.types import TensorType


def _declared(in_types, attrs):
    return TensorType(tuple(attrs["shape"]), attrs["dtype"])


def _const_type(in_types, attrs):
    value = np.asarray(attrs["value"])
    return TensorType(tuple(value.shape), attrs.get("dtype", value.dtype.name))


def _no_numpy(inputs, attrs):
    raise RuntimeError("source values are bound by the interpreter, not computed")


for _name, _doc in [
    ("input", "a batch of x, y or sample weights"),
    ("param", "a model weight"),
    ("state", "a persistent non-weight value"),
]:
    register(OpDef(_name, 0, _declared, _no_numpy, Source(), doc=_doc,
                   required_attrs=("shape", "dtype", "key")))

register(OpDef("const", 0, _const_type, lambda inputs, attrs: np.asarray(attrs["value"]),
               Source(), doc="a literal", required_attrs=("value",)))

register(OpDef("batch_size", 0, lambda t, a: TensorType((), a.get("dtype", "float32")),
               _no_numpy, Source(), doc="the runtime batch size"))
