"""Learning-rate schedules: the rate as a function of the optimizer's step count.

A schedule passed as an optimizer's ``learning_rate`` is evaluated inside the
compiled train program at every step, from the number of steps run before it
(Keras evaluates it at the pre-update ``iterations``). Called on a number,
``schedule(step)`` computes the same value at once and returns a float. The
formulas are Keras 3's, computed in the float type of the program (float32
by default), as Keras computes them in the type of the initial rate.

A custom schedule subclasses ``LearningRateSchedule`` and writes ``__call__``
with ``graphkeras.ops``, so that it works on both numbers and program values.
"""

import math

import numpy as np

from graphkeras import backend, ops
from graphkeras.ops.dispatch import is_symbolic


def _finish(value):
    """A program value as it is; an eager result as a Python float."""
    return value if is_symbolic(value) else float(np.asarray(value))


def _step(step):
    """The step as an op operand: program values pass, numbers become floatx scalars."""
    if is_symbolic(step):
        return step
    return np.asarray(step, dtype=backend.floatx())


def _floor(x):
    if not is_symbolic(x):
        return np.floor(x)
    if not hasattr(ops, "floor"):
        raise NotImplementedError(
            "`staircase=True` needs a `floor` op inside compiled programs, which "
            "`graphkeras.ops` does not provide yet; use `staircase=False` or evaluate the "
            "schedule eagerly.")
    return ops.floor(x)


def _cos(x):
    if not is_symbolic(x):
        return np.cos(x)
    if not hasattr(ops, "cos"):
        raise NotImplementedError(
            "`CosineDecay` needs a `cos` op inside compiled programs, which "
            "`graphkeras.ops` does not provide yet.")
    return ops.cos(x)


def _select(flag, when_one, when_zero):
    """``flag * a + (1 - flag) * b`` for a 0/1 ``flag``: exact, and branch-free."""
    return ops.add(ops.multiply(flag, when_one),
                   ops.multiply(ops.subtract(1.0, flag), when_zero))


def _check_decay_steps(value, what="decay_steps"):
    if value <= 0:
        raise ValueError(f"Argument `{what}` must be > 0. Received: {what}={value}")


class LearningRateSchedule:
    """Base class: ``schedule(step)`` is the learning rate after ``step`` steps.

    Subclasses implement ``__call__(step)`` with ``graphkeras.ops`` (``step`` is
    a number, or a scalar value of the compiled program) and ``get_config``.

    Example:

    ```python
    class InverseDecay(LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step):
            return ops.divide(self.initial_learning_rate, ops.add(step, 1.0))

        def get_config(self):
            return {"initial_learning_rate": self.initial_learning_rate}
    ```
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """What exponential and inverse-time decay share: their arguments and the
    progress ``step / decay_steps``, rounded down with ``staircase``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _progress(self, step):
        p = ops.divide(_step(step), float(self.decay_steps))
        return _floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """Exponential decay: ``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``, so the
    rate drops at whole multiples of ``decay_steps``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: a positive number of steps.
        decay_rate: the factor applied every ``decay_steps`` steps.
        staircase: whether to decay at discrete intervals.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return _finish(ops.multiply(self.initial_learning_rate,
                                    ops.power(self.decay_rate, self._progress(step))))


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate per interval of steps.

    The rate is ``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i - 1] < step <= boundaries[i]``, and ``values[-1]`` after the
    last boundary.

    Args:
        boundaries: increasing step numbers.
        values: the rates, one more than ``boundaries``.
        name: the schedule's name.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step):
        step = _step(step)
        rate = ops.add(ops.multiply(step, 0.0), float(self.values[0]))
        for boundary, value in zip(self.boundaries, self.values[1:]):
            rate = _select(ops.greater(step, float(boundary)), float(value), rate)
        return _finish(rate)

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay, after an optional linear warmup.

    Without warmup (``warmup_target=None``), with ``s = min(step, decay_steps)``:
    ``rate = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps))
    + alpha)``. With a ``warmup_target``, the rate first grows linearly from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps`` steps, then
    decays from ``warmup_target`` as above over the next ``decay_steps`` steps.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps to decay over.
        alpha: the final rate as a fraction of the rate decay starts from.
        name: the schedule's name.
        warmup_target: the rate reached by the warmup, or None for no warmup.
        warmup_steps: the number of warmup steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_from):
        completed = ops.divide(step, float(self.decay_steps))
        cosine = ops.multiply(0.5, ops.add(1.0, _cos(ops.multiply(
            np.asarray(math.pi, dtype=backend.floatx()), completed))))
        decayed = ops.add(ops.multiply(1.0 - self.alpha, cosine), self.alpha)
        return ops.multiply(decay_from, decayed)

    def __call__(self, step):
        step = _step(step)
        dtype = backend.floatx()
        if self.warmup_target is None:
            step = ops.minimum(step, float(self.decay_steps))
            return _finish(self._decay(step, self.initial_learning_rate))
        warmup_steps = np.asarray(self.warmup_steps, dtype=dtype)
        step = ops.minimum(step, np.asarray(self.decay_steps, dtype=dtype) + warmup_steps)
        decayed = self._decay(ops.subtract(step, warmup_steps), self.warmup_target)
        if not self.warmup_steps:
            return _finish(decayed)
        delta = (np.asarray(self.warmup_target, dtype=dtype)
                 - np.asarray(self.initial_learning_rate, dtype=dtype))
        warm = ops.add(ops.multiply(delta, ops.divide(step, warmup_steps)),
                       self.initial_learning_rate)
        return _finish(_select(ops.less(step, warmup_steps), warm, decayed))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is rounded down.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        denominator = ops.add(1.0, ops.multiply(self.decay_rate, self._progress(step)))
        return _finish(ops.divide(self.initial_learning_rate, denominator))


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    With ``s = min(step, decay_steps)``: ``rate = (initial_learning_rate -
    end_learning_rate) * (1 - s / decay_steps) ** power + end_learning_rate``.
    ``cycle=True`` (restart at multiples of ``decay_steps``) is only available
    eagerly.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = _step(step)
        decay_steps = np.asarray(self.decay_steps, dtype=backend.floatx())
        if self.cycle:
            if is_symbolic(step):
                raise NotImplementedError("`PolynomialDecay(cycle=True)` needs a `ceil` op "
                                          "inside compiled programs, which `graphkeras.ops` "
                                          "does not provide yet.")
            multiplier = 1.0 if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * np.asarray(multiplier, dtype=decay_steps.dtype)
        else:
            step = ops.minimum(step, decay_steps)
        p = ops.divide(step, decay_steps)
        dtype = backend.floatx()
        span = (np.asarray(self.initial_learning_rate, dtype=dtype)
                - np.asarray(self.end_learning_rate, dtype=dtype))
        return _finish(ops.add(ops.multiply(span, ops.power(ops.subtract(1.0, p), self.power)),
                               self.end_learning_rate))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


_CLASSES = {cls.__name__: cls for cls in (
    LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, CosineDecay,
    InverseTimeDecay, PolynomialDecay)}


def serialize(learning_rate_schedule):
    """A schedule as a Keras 3 config dict (``module``, ``class_name``, ``config``)."""
    return {"module": "keras.optimizers.schedules",
            "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A schedule from ``serialize``'s dict (or a Keras 2 ``{class_name, config}``)."""
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule: {name!r}. Known schedules: "
                         f"{sorted(_CLASSES)}.")
    return cls.from_config(dict(config.get("config", {})))
