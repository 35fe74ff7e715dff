"""``graphkeras.ops``: the Keras 3 operations that layers, losses and custom code are written with.

Called on NumPy data they compute at once; called inside a layer's ``call``
while a model is being compiled they add ops to the program's graph (see
``graphkeras.ops.dispatch``). Shapes follow Keras: the first dimension of a
model tensor is the batch, and it stays first and whole (no op may move,
slice or concatenate along it).

Importing this module also installs the Python operators of IR values
(``x * w + b``, ``-x``, ``x ** 2``, ``x @ w``, ``x > 0``, ``x[:, 1:3]``) through
the ``compiler.ir.Value.operators`` hook, so custom layers can use them.

Compiled programs compute in one float dtype: comparisons and logical ops
give 0/1 in that dtype, and ``cast`` can only keep it.
"""

import builtins

import numpy as np

from compiler.errors import UnsupportedOpError
from compiler.ir import Value
from graphkeras import backend
from graphkeras.ops.dispatch import apply, is_symbolic
from graphkeras.trace import current_trace
from graphkeras.variables import Variable


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _rank(x):
    return len(_shape_of(x))


# -- arithmetic ------------------------------------------------------------------

def add(x1, x2):
    return apply("add", [x1, x2])


def subtract(x1, x2):
    return apply("sub", [x1, x2])


def multiply(x1, x2):
    return apply("mul", [x1, x2])


def divide(x1, x2):
    return apply("div", [x1, x2])


true_divide = divide


def negative(x):
    return apply("neg", [x])


def power(x1, x2):
    return apply("pow", [x1, x2])


def maximum(x1, x2):
    return apply("maximum", [x1, x2])


def minimum(x1, x2):
    return apply("minimum", [x1, x2])


def clip(x, x_min, x_max):
    return apply("clip", [x, x_min, x_max])


def equal(x1, x2):
    """1 where equal and 0 elsewhere, in the operands' float dtype."""
    return apply("equal", [x1, x2])


def greater(x1, x2):
    """1 where ``x1 > x2`` and 0 elsewhere, in the operands' float dtype."""
    return apply("greater", [x1, x2])


def less(x1, x2):
    return apply("greater", [x2, x1])


def greater_equal(x1, x2):
    """1 where ``x1 >= x2`` and 0 elsewhere."""
    return apply("greater_equal", [x1, x2])


def less_equal(x1, x2):
    """1 where ``x1 <= x2`` and 0 elsewhere."""
    return apply("greater_equal", [x2, x1])


def not_equal(x1, x2):
    """1 where ``x1 != x2`` and 0 elsewhere."""
    return apply("not_equal", [x1, x2])


def logical_and(x1, x2):
    """1 where both are nonzero and 0 elsewhere."""
    return apply("logical_and", [x1, x2])


def logical_or(x1, x2):
    """1 where either is nonzero and 0 elsewhere."""
    return apply("logical_or", [x1, x2])


def logical_not(x):
    """1 where ``x`` is zero and 0 elsewhere."""
    return apply("logical_not", [x])


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` is nonzero, else ``x2``, with NumPy broadcasting."""
    if x1 is None or x2 is None:
        raise NotImplementedError("`where(condition)` without `x1` and `x2` returns indices, "
                                  "whose number is data-dependent; pass both `x1` and `x2`.")
    return apply("select", [condition, x1, x2])


def sign(x):
    return apply("sign", [x])


def floor(x):
    return apply("floor", [x])


# -- unary math --------------------------------------------------------------------

def exp(x):
    return apply("exp", [x])


def log(x):
    return apply("log", [x])


def log1p(x):
    return apply("log1p", [x])


def sqrt(x):
    return apply("sqrt", [x])


def square(x):
    return apply("square", [x])


def abs(x):  # noqa: A001  (Keras's name)
    return apply("abs", [x])


absolute = abs


def expm1(x):
    return apply("expm1", [x])


def erf(x):
    return apply("erf", [x])


def cos(x):
    return apply("cos", [x])


def sin(x):
    return apply("sin", [x])


def reciprocal(x):
    return apply("reciprocal", [x])


def zeros_like(x, dtype=None):
    return cast(apply("zeros_like", [x]), dtype) if dtype else apply("zeros_like", [x])


def ones_like(x, dtype=None):
    return cast(apply("ones_like", [x]), dtype) if dtype else apply("ones_like", [x])


def cast(x, dtype):
    """``x`` in ``dtype``. Inside a model only the program's own float dtype is possible."""
    dtype = np.dtype(getattr(dtype, "name", dtype)).name
    traced_weight = isinstance(x, Variable) and current_trace() is not None
    if not (is_symbolic(x) or traced_weight):
        return np.asarray(x.value if isinstance(x, Variable) else x).astype(dtype)
    if dtype == np.dtype(x.dtype).name:
        return x
    raise UnsupportedOpError(
        f"`cast` to {dtype} inside a model is not supported: a compiled program computes in "
        f"one float dtype ({x.dtype}); comparisons already give 0/1 in it.")


# -- reductions --------------------------------------------------------------------

def sum(x, axis=None, keepdims=False):  # noqa: A001
    return apply("reduce_sum", [x], {"axes": axis, "keepdims": keepdims})


def mean(x, axis=None, keepdims=False):
    return apply("reduce_mean", [x], {"axes": axis, "keepdims": keepdims})


def max(x, axis=None, keepdims=False):  # noqa: A001
    return apply("reduce_max", [x], {"axes": axis, "keepdims": keepdims})


def min(x, axis=None, keepdims=False):  # noqa: A001
    return negative(max(negative(x), axis=axis, keepdims=keepdims))


def var(x, axis=None, keepdims=False):
    """The population variance (``ddof=0``), as Keras."""
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def argmax(x, axis=-1):
    """Index of the maximum along ``axis`` (as a float in compiled programs)."""
    return apply("argmax", [x], {"axis": axis})


def argmin(x, axis=-1):
    """Index of the (first) minimum along ``axis`` (as a float in compiled programs)."""
    return argmax(negative(x), axis=axis)


# -- shapes --------------------------------------------------------------------------

def reshape(x, newshape):
    """Reshape; inside a model the batch dimension is given as ``-1`` or ``None``."""
    newshape = tuple(newshape)
    if is_symbolic(x) and x.shape and x.shape[0] is None:
        if newshape and newshape[0] in (-1, None):
            newshape = (None,) + newshape[1:]
        else:
            raise ValueError(f"`reshape` inside a model must keep the batch dimension first "
                             f"(as -1 or None); received newshape={newshape}.")
    return apply("reshape", [x], {"shape": newshape})


def expand_dims(x, axis):
    shape = list(_shape_of(x))
    axis = axis if axis >= 0 else len(shape) + 1 + axis
    shape.insert(axis, 1)
    return reshape(x, [-1 if d is None else d for d in shape])


def squeeze(x, axis=None):
    shape = list(_shape_of(x))
    if axis is None:
        keep = [d for i, d in enumerate(shape) if d != 1 or (i == 0 and d is None)]
    else:
        axes = [axis] if isinstance(axis, int) else list(axis)
        axes = [a % len(shape) for a in axes]
        for a in axes:
            if shape[a] != 1:
                raise ValueError(f"Cannot squeeze axis {a} of shape {tuple(shape)}: "
                                 "its size is not 1.")
        keep = [d for i, d in enumerate(shape) if i not in axes]
    return reshape(x, [-1 if d is None else d for d in keep])


def transpose(x, axes=None):
    """Permute the axes (reverse them when ``axes`` is None); the batch axis stays first."""
    return apply("transpose", [x], {"axes": None if axes is None else tuple(axes)})


def broadcast_to(x, shape):
    """``x`` repeated to ``shape`` by NumPy broadcasting.

    Inside a model, a first dimension of ``None`` or ``-1`` stands for the batch.
    """
    shape = tuple(shape)
    if shape and shape[0] == -1:
        shape = (None,) + shape[1:]
    return apply("broadcast_to", [x], {"shape": shape})


def concatenate(xs, axis=0):
    """Join tensors along ``axis`` (inside a model, not the batch axis)."""
    return apply("concat", list(xs), {"axis": axis})


def stack(x, axis=0):
    """Join tensors along a new ``axis`` (inside a model, after the batch axis)."""
    xs = list(x)
    rank = _rank(xs[0])
    position = axis if axis >= 0 else rank + 1 + axis
    if builtins.any(is_symbolic(t) and t.shape and t.shape[0] is None for t in xs) \
            and position == 0:
        raise NotImplementedError("`stack` along axis 0 would make a new batch axis; stack "
                                  "along an axis after the batch inside a model.")
    return concatenate([expand_dims(t, position) for t in xs], axis=position)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Zero padding, ``pad_width`` as ``[(before, after)]`` per axis (Keras's form)."""
    if mode != "constant" or constant_values not in (None, 0, 0.0):
        raise NotImplementedError(f"`pad` supports zero padding (mode='constant' with "
                                  f"constant_values 0) only; received mode={mode!r}, "
                                  f"constant_values={constant_values!r}.")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (_rank(x), 2))
    for axis, (before, after) in enumerate(widths):
        if before or after:
            x = apply("pad_axis", [x], {"axis": axis, "before": int(before),
                                        "after": int(after)})
    return x


def _getitem(x, key):
    """Basic indexing of an IR value: ints, step-1 slices, ``...`` and ``None``."""
    key = key if isinstance(key, tuple) else (key,)
    shape = list(x.shape)
    if builtins.sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = builtins.sum(k is not None and k is not Ellipsis for k in key)
    if used > len(shape):
        raise IndexError(f"too many indices: {used} for a tensor of rank {len(shape)}")
    if Ellipsis in key:
        at = key.index(Ellipsis)
        key = key[:at] + (slice(None),) * (len(shape) - used) + key[at + 1:]
    else:
        key = key + (slice(None),) * (len(shape) - used)

    out_shape, axis = [], 0
    for k in key:
        if k is None:
            out_shape.append(1)
            continue
        size = shape[axis]
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            if size is None:
                raise NotImplementedError("Indexing the batch axis of a model tensor is not "
                                          "supported; index the axes after it (`x[:, 0]`).")
            i = int(k) + size if k < 0 else int(k)
            if not 0 <= i < size:
                raise IndexError(f"index {k} is out of bounds for axis {axis} of size {size}")
            x = apply("slice", [x], {"axis": axis, "start": i, "stop": i + 1})
        elif isinstance(k, slice):
            if size is None:
                if k != slice(None):
                    raise NotImplementedError(
                        "Slicing the batch axis of a model tensor is not supported; keep it "
                        f"whole with `:` (received {k}).")
                out_shape.append(None)
                axis += 1
                continue
            start, stop, step = k.indices(size)
            if step != 1:
                raise NotImplementedError(f"Slices with a step other than 1 are not "
                                          f"supported; received {k}.")
            stop = builtins.max(stop, start)
            if (start, stop) != (0, size):
                x = apply("slice", [x], {"axis": axis, "start": start, "stop": stop})
            out_shape.append(stop - start)
        else:
            raise NotImplementedError(
                f"Only basic indexing (ints, slices, `...`, None) of model tensors is "
                f"supported; received an index of type {type(k).__name__}.")
        axis += 1
    if tuple(out_shape) != tuple(x.shape):
        x = reshape(x, [-1 if d is None else d for d in out_shape])
    return x


# -- linear algebra --------------------------------------------------------------------

def matmul(x1, x2):
    """Matrix product: (..., k) by a (k, n) matrix, or (B, m, k) by (B, k, n)."""
    r1, r2 = _rank(x1), _rank(x2)
    if r1 == 3 and r2 == 3:
        return apply("batch_matmul", [x1, x2])
    if r2 != 2 or r1 < 2:
        raise NotImplementedError(
            f"`matmul` supports an (..., k) operand times a (k, n) matrix, or two 3-D "
            f"operands; received ranks {r1} and {r2}.")
    return apply("matmul", [x1, x2])


def dot(x1, x2):
    """``np.dot`` for operands whose second is a matrix (the cases ``matmul`` shares)."""
    if _rank(x2) != 2:
        raise NotImplementedError(f"`dot` supports a 2-D second operand only; received rank "
                                  f"{_rank(x2)}.")
    return matmul(x1, x2)


def normalize(x, axis=-1, order=2, epsilon=None):
    """``x / max(norm(x), epsilon)`` along ``axis`` (L2 or L1), as Keras."""
    epsilon = backend.epsilon() if epsilon is None else epsilon
    if order == 2:
        # sqrt(max(sum x^2, eps^2)) == max(norm, eps), with a finite gradient at x = 0
        total = sum(square(x), axis=axis, keepdims=True)
        return divide(x, sqrt(maximum(total, float(epsilon) ** 2)))
    if order == 1:
        return divide(x, maximum(sum(abs(x), axis=axis, keepdims=True), float(epsilon)))
    raise NotImplementedError(f"`normalize` supports order 1 and 2; received order={order}.")


# -- neural-network functions ---------------------------------------------------------

def relu(x):
    return apply("relu", [x])


def sigmoid(x):
    return apply("sigmoid", [x])


def tanh(x):
    return apply("tanh", [x])


def softplus(x):
    return apply("softplus", [x])


def relu6(x):
    return apply("relu6", [x])


def leaky_relu(x, negative_slope=0.2):
    return apply("leaky_relu", [x, float(negative_slope)])


def elu(x, alpha=1.0):
    return apply("elu", [x, float(alpha)])


def selu(x):
    return apply("selu", [x])


def gelu(x, approximate=True):
    """Gaussian error linear unit; Keras's op defaults to the tanh approximation."""
    return apply("gelu_tanh" if approximate else "gelu", [x])


def silu(x):
    """``x * sigmoid(x)``."""
    return apply("silu", [x])


swish = silu


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``, as Keras 3."""
    return apply("hard_sigmoid", [x])


def hard_silu(x):
    return multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def softsign(x):
    return apply("softsign", [x])


def log_sigmoid(x):
    return apply("log_sigmoid", [x])


def softmax(x, axis=-1):
    return apply("softmax", [x], {"axis": axis})


def log_softmax(x, axis=-1):
    return apply("log_softmax", [x], {"axis": axis})


def one_hot(x, num_classes):
    return apply("one_hot", [x], {"depth": int(num_classes)})


def in_top_k(targets, predictions, k):
    """1 where the target class is among the ``k`` highest predictions (ties count as in)."""
    return apply("in_top_k", [targets, predictions], {"k": int(k)})


def convert_to_numpy(x):
    return np.asarray(x)


# -- operators of IR values ---------------------------------------------------------------

def _power(x1, x2):
    """``x ** 2`` becomes ``square`` (one multiply, and no log in its gradient)."""
    if isinstance(x2, (int, float)) and not isinstance(x2, bool) and x2 == 2:
        return square(x1)
    return power(x1, x2)


class _ValueOperators:
    """What ``compiler.ir.Value``'s operators call (see ``Value.operators``)."""

    add = staticmethod(add)
    sub = staticmethod(subtract)
    mul = staticmethod(multiply)
    truediv = staticmethod(divide)
    pow = staticmethod(_power)
    matmul = staticmethod(matmul)
    neg = staticmethod(negative)
    gt = staticmethod(greater)
    ge = staticmethod(greater_equal)
    lt = staticmethod(less)
    le = staticmethod(less_equal)
    getitem = staticmethod(_getitem)


Value.operators = _ValueOperators()
