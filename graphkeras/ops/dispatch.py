"""How a ``graphkeras.ops`` function runs: emitted into a trace, or computed now with NumPy.

Both paths use the compiler's op registry: symbolically, ``apply`` adds the op
to the current trace's graph; eagerly, it checks the operands with the op's
shape rule and runs the op's NumPy reference. So an op behaves the same in a
custom layer's ``call``, in a compiled program and at the Python prompt.
"""

import numpy as np

from compiler.ir import Value
from compiler.ops.registry import get_op
from compiler.types import TensorType
from graphkeras import backend
from graphkeras.trace import current_trace
from graphkeras.variables import Variable


def is_symbolic(x):
    """Whether ``x`` is an IR value (only found inside a trace)."""
    return isinstance(x, Value)


def _float_dtype(args):
    for a in args:
        if isinstance(a, (Value, Variable)):
            if np.dtype(a.dtype).kind == "f":
                return a.dtype
        elif isinstance(a, np.ndarray) and a.dtype.kind == "f":
            return a.dtype.name
    return backend.floatx()


def apply(op, args, attrs=None):
    """Run op ``op`` on ``args``: into the graph of any IR value among them, else eagerly.

    IR values carry their graph, so loss, metric and optimizer rules, which
    passes call outside any trace, emit ops the same way a layer's ``call`` does.
    """
    _reject_keras_tensors(op, args)
    trace = current_trace()
    graph = next((a.graph for a in args if isinstance(a, Value)), None)
    if graph is None and trace is not None and any(isinstance(a, Variable) for a in args):
        graph = trace.graph
    if graph is None:
        return eager(op, args, attrs)
    if trace is not None and trace.graph is not graph:
        trace = None
    dtype = _float_dtype(args)
    layer = trace.layer if trace is not None else None
    values = []
    for a in args:
        if isinstance(a, Variable):
            if trace is None:
                raise ValueError(f"Variable {a.path!r} was used outside the model being "
                                 "compiled.")
            values.append(trace.param(a))
        else:
            values.append(lift(graph, a, dtype, layer))
    return graph.add(op, values, attrs, layer=layer)


def lift(graph, x, dtype, layer=None):
    """``x`` as a value of ``graph``: IR values pass through, data becomes a ``const``.

    Python numbers and integer data take the float ``dtype`` of the computation,
    as weakly typed constants do in Keras.
    """
    if isinstance(x, Value):
        if x.graph is not graph:
            raise ValueError("A value from another graph was used in this computation.")
        return x
    arr = np.asarray(x)
    if arr.dtype.kind != "f" or arr.ndim == 0 or arr.dtype == np.float64:
        arr = arr.astype(dtype)
    return graph.add("const", [], {"value": arr, "dtype": arr.dtype.name}, layer=layer,
                     name="const")


def eager(op, args, attrs=None):
    """Compute op ``op`` now, with the registry's NumPy reference."""
    dtype = _float_dtype(args)
    arrays = []
    for a in args:
        arr = np.asarray(a.value if isinstance(a, Variable) else a)
        if arr.dtype.kind != "f" or (arr.ndim == 0 and arr.dtype != np.dtype(dtype)):
            arr = arr.astype(dtype)
        arrays.append(arr)
    opdef = get_op(op)
    attrs = dict(attrs or {})
    opdef.infer([TensorType(a.shape, a.dtype.name) for a in arrays], attrs)
    attrs["_batch"] = None
    with np.errstate(all="ignore"):
        return np.asarray(opdef.numpy(arrays, attrs))


def _reject_keras_tensors(op, args):
    from graphkeras.layers.keras_tensor import KerasTensor
    if any(isinstance(a, KerasTensor) for a in args):
        raise NotImplementedError(
            f"`graphkeras.ops` function for op `{op}` was called on a symbolic Keras tensor "
            "outside a layer. Put the computation in a `Lambda` layer or a custom `Layer`'s "
            "`call`.")
