"""Merging layers: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
``Concatenate`` and ``Dot``, with their functional forms (``add([a, b])``, ...).

A merge layer is called on a list of tensors. The elementwise ones broadcast as
Keras does: the sample shapes (without the batch) broadcast like NumPy shapes,
and an input of lower rank gets unit axes inserted right after the batch.
"""

from graphkeras import ops
from graphkeras.layers.layer import Layer


def _shape_list_error(what, input_shape):
    return ValueError(f"A {what} layer should be called on a list of inputs. Received: "
                      f"input_shape={input_shape} (not a list of shapes)")


def _is_shape_list(input_shape):
    return (isinstance(input_shape, (list, tuple)) and len(input_shape) > 0
            and all(isinstance(s, (list, tuple)) for s in input_shape))


def _broadcast_sample_shapes(shape1, shape2):
    """The broadcast of two sample shapes (no batch), NumPy style, or ValueError."""
    if len(shape1) < len(shape2):
        shape1, shape2 = shape2, shape1
    lead = len(shape1) - len(shape2)
    out = list(shape1[:lead])
    for i, j in zip(shape1[lead:], shape2):
        if i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                             f"{tuple(shape1)} and {tuple(shape2)}")
    return tuple(out)


class _Merge(Layer):
    """The elementwise merge layers' common part: checks, rank alignment, broadcasting."""

    _what = "merge"

    def _check_shapes(self, input_shape):
        if not _is_shape_list(input_shape):
            raise _shape_list_error(self._what, input_shape)
        if len({s[0] for s in input_shape} - {None}) > 1:
            raise ValueError(f"Cannot merge tensors with different batch sizes. Received "
                             f"tensors with shapes {input_shape}")
        out = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = _broadcast_sample_shapes(out, tuple(shape[1:]))
        return (None,) + out

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A {self._what} layer should be called on a list of inputs. "
                             f"Received: inputs={inputs!r} (not a list of tensors)")
        target = self._check_shapes([tuple(x.shape) for x in inputs])
        batch = inputs[0].shape[0]
        aligned = []
        for x in inputs:
            rank = len(x.shape)
            if rank < len(target):
                # unit axes right after the batch, as Keras inserts them
                shape = (x.shape[0],) + (1,) * (len(target) - rank) + tuple(x.shape[1:])
                x = ops.reshape(x, (-1,) + shape[1:])
            if tuple(x.shape[1:]) != target[1:]:
                x = ops.broadcast_to(x, (batch,) + target[1:])
            aligned.append(x)
        return self._merge(aligned)

    def _merge(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} does not define `_merge`.")

    def compute_output_shape(self, input_shape):
        return self._check_shapes(input_shape)


class Add(_Merge):
    """Adds a list of inputs elementwise.

    Input shape: a list of tensors of broadcast-compatible shapes.
    Output shape: their broadcast shape.

    Example:

    >>> a, b = Input(shape=(16,)), Input(shape=(16,))
    >>> added = Add()([a, b])   # same as `add([a, b])`
    """

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out


class Subtract(_Merge):
    """Subtracts the second input from the first, elementwise.

    Input shape: a list of exactly two tensors of broadcast-compatible shapes.
    Output shape: their broadcast shape.

    Example:

    >>> a, b = Input(shape=(16,)), Input(shape=(16,))
    >>> diff = Subtract()([a, b])   # a - b
    """

    def _check_shapes(self, input_shape):
        out = super()._check_shapes(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={input_shape}")
        return out

    def _merge(self, inputs):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    """Multiplies a list of inputs elementwise.

    Input shape: a list of tensors of broadcast-compatible shapes.
    Output shape: their broadcast shape.

    Example:

    >>> a, b = Input(shape=(16,)), Input(shape=(16,))
    >>> product = Multiply()([a, b])
    """

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.multiply(out, x)
        return out


class Average(_Merge):
    """Averages a list of inputs elementwise.

    Input shape: a list of tensors of broadcast-compatible shapes.
    Output shape: their broadcast shape.

    Example:

    >>> a, b = Input(shape=(16,)), Input(shape=(16,))
    >>> mean = Average()([a, b])
    """

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return ops.divide(out, float(len(inputs)))


class Maximum(_Merge):
    """The elementwise maximum of a list of inputs.

    Input shape: a list of tensors of broadcast-compatible shapes.
    Output shape: their broadcast shape.

    Example:

    >>> a, b = Input(shape=(16,)), Input(shape=(16,))
    >>> largest = Maximum()([a, b])
    """

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.maximum(out, x)
        return out


class Minimum(_Merge):
    """The elementwise minimum of a list of inputs.

    Input shape: a list of tensors of broadcast-compatible shapes.
    Output shape: their broadcast shape.

    Example:

    >>> a, b = Input(shape=(16,)), Input(shape=(16,))
    >>> smallest = Minimum()([a, b])
    """

    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.minimum(out, x)
        return out


class Concatenate(Layer):
    """Concatenates a list of inputs along ``axis``.

    Args:
        axis: the axis to concatenate along (-1, the last, by default). The batch
            axis (0) cannot be concatenated along in a compiled model.

    Input shape: a list of tensors of one rank whose shapes agree except along ``axis``.
    Output shape: the common shape, with the sizes along ``axis`` summed.

    Example:

    >>> a, b = Input(shape=(2, 5)), Input(shape=(3, 5))
    >>> Concatenate(axis=1)([a, b]).shape
    (None, 5, 5)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Argument `axis` must be an integer. Received: axis={axis!r}")
        self.axis = axis

    def _check_shapes(self, input_shape):
        if not _is_shape_list(input_shape):
            raise ValueError(f"A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={input_shape}")
        ranks = {len(s) for s in input_shape}
        rank = len(input_shape[0])
        mismatch = ValueError(f"A `Concatenate` layer requires inputs with matching shapes "
                              f"except for the concatenation axis. Received: "
                              f"input_shape={input_shape}")
        if len(ranks) != 1 or not -rank <= self.axis < rank:
            raise mismatch
        axis = self.axis % rank
        if axis == 0:
            raise NotImplementedError(
                f"Layer {self.name!r} concatenates along the batch axis (axis={self.axis}), "
                "which graphkeras cannot compile: the batch size is only known at run time.")
        rest = {tuple(d for i, d in enumerate(s) if i not in (0, axis)) for s in input_shape}
        if len(rest) != 1:
            raise mismatch
        out = list(input_shape[0])
        out[axis] = sum(s[axis] for s in input_shape)
        return tuple(out)

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A `Concatenate` layer should be called on a list of inputs. "
                             f"Received: inputs={inputs!r}")
        self._check_shapes([tuple(x.shape) for x in inputs])
        if len(inputs) == 1:
            return inputs[0]
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        return self._check_shapes(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(Layer):
    """The dot product of the samples of two inputs, along given axes.

    For inputs of shapes ``(batch, n)`` and ``(batch, n)`` with ``axes=1`` the
    output is ``(batch, 1)``; for ``(batch, p, k)`` and ``(batch, q, k)`` with
    ``axes=2`` it is ``(batch, p, q)``: the remaining axes of the first input,
    then those of the second.

    Args:
        axes: an integer, or a pair of integers (one axis per input); the sizes
            along the two axes must be equal. Axis 0 (the batch) is not allowed.
        normalize: whether to L2-normalize each sample along its dot-product axis
            first, making the output the cosine similarity. As in Keras, the
            inverse norm is capped at ``1 / 1e-7``, so a zero vector stays zero.

    Input shape: a list of two tensors of rank at least 2.
    Output shape: as described above.

    Example:

    >>> a, b = Input(shape=(8,)), Input(shape=(8,))
    >>> Dot(axes=1, normalize=True)([a, b]).shape
    (None, 1)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it should be a list or "
                                f"an int. Received: axes={axes!r}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain "
                                 f"two elements. Received: axes={axes!r}")
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
                raise ValueError(f"Invalid format for argument `axes`: list elements should "
                                 f"be integers. Received: axes={axes!r}")
        self.axes = axes if isinstance(axes, int) else list(axes)
        self.normalize = bool(normalize)

    def _resolve_axes(self, shape1, shape2):
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        out = []
        for a, shape in zip(pair, (shape1, shape2)):
            if not -len(shape) <= a < len(shape):
                raise ValueError(f"Invalid axis {a} for an input of rank {len(shape)} in "
                                 f"layer {self.name!r}. Received: axes={self.axes}")
            out.append(a % len(shape))
        if 0 in out:
            raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not "
                             "batched, add a dummy batch dimension to your inputs.")
        return out

    def _check_shapes(self, input_shape):
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. "
                             f"Received: input_shape={input_shape}")
        shape1, shape2 = (tuple(s) for s in input_shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs "
                             f"with shapes {shape1} and {shape2}.")
        a1, a2 = self._resolve_axes(shape1, shape2)
        if shape1[a1] != shape2[a2]:
            raise ValueError(f"Incompatible input shapes: axis values {shape1[a1]} (at axis "
                             f"{a1}) != {shape2[a2]} (at axis {a2}). Full input shapes: "
                             f"{shape1}, {shape2}")
        rest = ([d for i, d in enumerate(shape1) if i != a1]
                + [d for i, d in enumerate(shape2) if i not in (0, a2)])
        return tuple(rest) if len(rest) > 1 else tuple(rest) + (1,)

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: "
                             f"inputs={inputs!r}")
        x1, x2 = inputs
        out_shape = self._check_shapes([tuple(x1.shape), tuple(x2.shape)])
        a1, a2 = self._resolve_axes(x1.shape, x2.shape)
        if self.normalize:
            x1, x2 = ops.normalize(x1, axis=a1), ops.normalize(x2, axis=a2)
        if len(x1.shape) == 2 and len(x2.shape) == 2:
            return ops.sum(ops.multiply(x1, x2), axis=1, keepdims=True)
        # x1 as (batch, p, k) and x2 as (batch, k, q), then one batched product
        x1 = _move_axis(x1, a1, len(x1.shape) - 1)
        x2 = _move_axis(x2, a2, 1)
        k = x1.shape[-1]
        x1 = ops.reshape(x1, (-1, _size(x1.shape[1:-1]), k))
        x2 = ops.reshape(x2, (-1, k, _size(x2.shape[2:])))
        return ops.reshape(ops.matmul(x1, x2), (-1,) + out_shape[1:])

    def compute_output_shape(self, input_shape):
        return self._check_shapes(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _size(shape):
    out = 1
    for d in shape:
        out *= d
    return out


def _move_axis(x, source, destination):
    """``x`` with axis ``source`` moved to ``destination`` (never the batch axis)."""
    if source == destination:
        return x
    order = [i for i in range(len(x.shape)) if i != source]
    order.insert(destination, source)
    return ops.transpose(x, tuple(order))


# -- functional forms -----------------------------------------------------------------

def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``: the elementwise sum of a list of tensors."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``: the elementwise product of a list of tensors."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``: the elementwise mean of a list of tensors."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the elementwise maximum of a list of tensors."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the elementwise minimum of a list of tensors."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis, **kwargs)(inputs)``: a list of tensors joined along ``axis``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """``Dot(axes, **kwargs)(inputs)``: the dot product of two tensors along ``axes``."""
    return Dot(axes=axes, **kwargs)(inputs)
