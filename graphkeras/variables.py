"""``Variable``: a weight of a layer, as Keras users know it.

A variable owns its value until a compiled model adopts it; from then on its
storage is a view into that model's arena (see ``compiler.runtime.Arena``), so
training updates it in place and ``numpy()``/``assign`` always see and change
the one live copy. Inside a trace (a layer's ``call`` being lowered to IR) a
variable stands for a ``param`` value of the graph being built.
"""

import itertools

import numpy as np

from graphkeras import backend

_IDS = itertools.count()
_TRAINABLE_CHANGES = [0]


def trainable_changes():
    """How many times any variable's ``trainable`` flag has changed (a cache key)."""
    return _TRAINABLE_CHANGES[0]


class Variable:
    """A named, shaped weight.

    Args:
        initializer: an array, or a callable ``(shape, dtype) -> array``.
        shape: the weight's shape (taken from the array when omitted).
        dtype: its dtype (``floatx()`` by default).
        trainable: whether optimizers update it.
        name: the short name (``kernel``); ``path`` adds the layer (``dense/kernel``).
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 path=None):
        self.dtype = np.dtype(dtype or backend.floatx()).name
        value = initializer(shape, self.dtype) if callable(initializer) else initializer
        value = np.array(value, dtype=self.dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(f"Initial value of variable `{name}` has shape {value.shape}; "
                             f"expected {tuple(shape)}.")
        self._value = value
        self.shape = tuple(value.shape)
        self._trainable = bool(trainable)
        self.name = name or "variable"
        self.path = path or self.name
        self.uid = next(_IDS)
        self.regularizer = None
        self.constraint = None

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        if bool(value) != self._trainable:
            self._trainable = bool(value)
            _TRAINABLE_CHANGES[0] += 1

    @property
    def key(self):
        """A key unique in the process: the arena slot of this variable."""
        return f"{self.path}#{self.uid}"

    @property
    def value(self):
        return self._value

    def numpy(self):
        """A copy of the current value."""
        return np.array(self._value, copy=True)

    def assign(self, value):
        """Set the value in place (inside a trace: record it as an update of the program)."""
        from graphkeras.trace import current_trace
        trace = current_trace()
        if trace is not None and trace.is_symbolic(value):
            trace.assign(self, value)
            return
        value = np.asarray(value, dtype=self.dtype)
        if value.shape != self.shape:
            raise ValueError(f"Cannot assign a value of shape {value.shape} to variable "
                             f"`{self.path}` of shape {self.shape}.")
        self._value[...] = value

    # -- arena protocol (compiler.runtime.Arena) ---------------------------------

    def _bind_storage(self, view):
        self._value = view

    def _storage_value(self):
        return self._value

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._value, dtype=dtype)

    # -- arithmetic, as on tensors: the param value inside a trace, the array outside --

    def _operand(self):
        from graphkeras.trace import current_trace
        trace = current_trace()
        return trace.param(self) if trace is not None else self._value

    def __getitem__(self, index):
        return self._operand()[index]

    def __neg__(self):
        return -self._operand()

    def __repr__(self):
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}>"


def _binary(name, reflected=False):
    def method(self, other):
        a, b = self._operand(), (other._operand() if isinstance(other, Variable) else other)
        if reflected:
            a, b = b, a
        from graphkeras import ops
        return getattr(ops, name)(a, b)
    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


for _dunder, _op in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "divide"), ("pow", "power"), ("matmul", "matmul")):
    setattr(Variable, f"__{_dunder}__", _binary(_op))
    setattr(Variable, f"__r{_dunder}__", _binary(_op, reflected=True))

