"""The ``Metric`` base class: accumulators, updated in compiled programs or eagerly.

A Keras metric is stateful over an epoch. Here a metric says how one batch
*increments* its accumulators (``increments``), and how the accumulated
totals become the reported value (``result``). The same two functions serve
both ways of using a metric:

- compiled, through the metric protocol of ``compiler.passes.metrics``:
  ``emit(y_true, y_pred, batch_size)`` returns ``{accumulator: program value}``
  (a scalar or a vector, such as the per-threshold counts of ``AUC``), the
  program adds them to ``state`` values, and the trainer calls
  ``result(totals)`` with the totals it reads back;
- eagerly, as Keras's stateful API: ``update_state(y_true, y_pred,
  sample_weight)`` adds the increments to totals held by the object,
  ``result()`` reads them and ``reset_state()`` zeroes them.

Totals accumulate in ``floatx`` (float32 by default), as Keras's metric
variables do.
"""

import numpy as np

from graphkeras import backend


class Metric:
    """Base class of the metrics.

    Subclasses define ``accumulator_shapes()``, ``increments(...)`` and
    ``compute_result(totals)``.

    Args:
        name: the metric's name (also its key in the training logs).
        dtype: the float type of the totals; defaults to ``floatx()``.
    """

    #: "up" if larger values are better, "down" if smaller ones are, else None
    direction = None

    def __init__(self, name=None, dtype=None):
        self.name = name or backend.unique_name(backend.snake_case(type(self).__name__))
        self.dtype = dtype or backend.floatx()
        self._totals = None

    # -- what subclasses define -----------------------------------------------------------

    def accumulator_shapes(self):
        """``{accumulator: shape}`` of the totals (shapes without a batch axis)."""
        raise NotImplementedError(f"{type(self).__name__} does not define "
                                  "`accumulator_shapes`.")

    def increments(self, y_true, y_pred, sample_weight=None, batch_size=None):
        """``{accumulator: increment}`` for one batch, written with ``graphkeras.ops``.

        ``batch_size`` is the number of rows (a program value when compiled).
        """
        raise NotImplementedError(f"{type(self).__name__} does not define `increments`.")

    def compute_result(self, totals):
        """The metric's value from ``{accumulator: total}`` (NumPy arrays)."""
        raise NotImplementedError(f"{type(self).__name__} does not define "
                                  "`compute_result`.")

    # -- the compiled protocol --------------------------------------------------------------

    def emit(self, y_true, y_pred, batch_size):
        """The increments of one batch of a compiled program (``sample_weight`` unused,
        as for Keras's ``metrics=``)."""
        return self.increments(y_true, y_pred, None, batch_size)

    def result(self, totals=None):
        """The metric's value: from ``totals`` if given, else from the eager state."""
        if totals is None:
            totals = self._state()
        totals = {k: np.asarray(v, dtype=self.dtype) for k, v in totals.items()}
        return _pythonic(self.compute_result(totals))

    # -- the eager, stateful API ------------------------------------------------------------

    def _state(self):
        if self._totals is None:
            self.reset_state()
        return self._totals

    def reset_state(self):
        """Zero the eager totals."""
        self._totals = {k: np.zeros(shape, dtype=self.dtype)
                        for k, shape in self.accumulator_shapes().items()}

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch to the eager totals."""
        y_pred = np.asarray(y_pred, dtype=self.dtype)
        y_true = np.asarray(y_true, dtype=self.dtype)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=self.dtype)
        rows = y_pred.shape[0] if y_pred.ndim else 1
        self._add(self.increments(y_true, y_pred, sample_weight,
                                  np.asarray(rows, dtype=self.dtype)))

    def _add(self, increments):
        totals = self._state()
        for key, value in increments.items():
            totals[key] = np.asarray(totals[key] + np.asarray(value, dtype=self.dtype),
                                     dtype=self.dtype)

    def __call__(self, *args, **kwargs):
        """``update_state`` with these arguments, then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    @property
    def variables(self):
        """The eager totals, as NumPy arrays."""
        return [np.array(v) for v in self._state().values()]

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _pythonic(value):
    """A 0-d result as a Python float; a vector (one value per threshold) as an array."""
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value


def divide_no_nan(x, y):
    """``x / y``, and 0 where ``y`` is 0 (NumPy, in the operands' dtype)."""
    x, y = np.asarray(x), np.asarray(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(y != 0, x / np.where(y != 0, y, 1), 0)
    return out.astype(np.result_type(x, y))
