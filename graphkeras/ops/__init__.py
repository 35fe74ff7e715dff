"""``graphkeras.ops``: the Keras 3 operations that layers, losses and custom code are written with.

Called on NumPy data they compute at once; called inside a layer's ``call``
while a model is being compiled they add ops to the program's graph (see
``graphkeras.ops.dispatch``). Shapes follow Keras: the first dimension of a
model tensor is the batch.
"""

import numpy as np

from graphkeras.ops.dispatch import apply, is_symbolic


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


# -- reductions --------------------------------------------------------------------

def sum(x, axis=None, keepdims=False):  # noqa: A001
    return apply("reduce_sum", [x], {"axes": axis, "keepdims": keepdims})


def mean(x, axis=None, keepdims=False):
    return apply("reduce_mean", [x], {"axes": axis, "keepdims": keepdims})


def max(x, axis=None, keepdims=False):  # noqa: A001
    return apply("reduce_max", [x], {"axes": axis, "keepdims": keepdims})


def argmax(x, axis=-1):
    """Index of the maximum along ``axis`` (as a float in compiled programs)."""
    return apply("argmax", [x], {"axis": axis})


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


# -- linear algebra --------------------------------------------------------------------

def matmul(x1, x2):
    """Matrix product; a batch of vectors or sequences times a 2-D matrix."""
    r1, r2 = _rank(x1), _rank(x2)
    if r2 != 2 or r1 < 2:
        raise NotImplementedError(
            f"`matmul` supports an (..., k) operand times a (k, n) matrix; received ranks "
            f"{r1} and {r2}.")
    if r1 == 2:
        return apply("matmul", [x1, x2])
    shape = _shape_of(x1)
    flat = reshape(x1, (-1, shape[-1]))
    out = apply("matmul", [flat, x2])
    return reshape(out, tuple(-1 if d is None else d for d in shape[:-1]) + (_shape_of(x2)[1],))


# -- neural-network functions ---------------------------------------------------------

def relu(x):
    return apply("relu", [x])


def sigmoid(x):
    return apply("sigmoid", [x])


def tanh(x):
    return apply("tanh", [x])


def softplus(x):
    return apply("softplus", [x])


def softmax(x, axis=-1):
    return apply("softmax", [x], {"axis": axis})


def log_softmax(x, axis=-1):
    return apply("log_softmax", [x], {"axis": axis})


def one_hot(x, num_classes):
    return apply("one_hot", [x], {"depth": int(num_classes)})


def convert_to_numpy(x):
    return np.asarray(x)
