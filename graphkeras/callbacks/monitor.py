"""Shared logic of callbacks that watch one logged quantity: the `mode`
("auto", "min", "max"), how "auto" is resolved, and the improvement test.

Keras 3 rules (reference section 5.4):

- `min_delta` is stored as `abs(min_delta)` and negated in "min" mode, and a
  value improves on a reference iff `op(value - min_delta, reference)`,
  with `op` being `<` ("min") or `>` ("max"). A reference of None (no value
  seen yet) is always improved on.
- "auto" is resolved lazily, at the first epoch end: the monitor name less a
  `val_` prefix is looked up among the compiled metric directions ("up"
  means "max", anything else "min"); `loss` means "min". Otherwise a
  ValueError asks for an explicit mode.
"""

import operator
import warnings

from graphkeras.callbacks.callback import Callback

MODES = ("auto", "min", "max")


class MonitorCallback(Callback):
    """Base class for callbacks that monitor a quantity in the logs.

    Args:
        monitor: Name of the monitored log key. Defaults to `"val_loss"`.
        mode: One of `"auto"`, `"min"`, `"max"`; an unknown value warns and
            falls back to `"auto"`.
        baseline: Initial value of `self.best` (None: the first monitored
            value counts as an improvement).
        min_delta: Smallest change that counts as an improvement.

    Example:

    >>> class PrintImprovement(MonitorCallback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         self.resolve_mode()
    ...         value = self.get_monitor_value(logs, "Printing")
    ...         if value is not None and self._is_improvement(value, self.best):
    ...             self.best = value
    ...             print(epoch, value)
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in MODES:
            warnings.warn(
                f"{type(self).__name__}: `mode` must be one of "
                f"{', '.join(MODES)}; falling back to 'auto'. Received: "
                f"mode={mode!r}",
                stacklevel=2,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def resolve_mode(self):
        """Chooses the comparison once; later calls do nothing."""
        if self.monitor_op is None:
            self._set_monitor_op()

    def _set_monitor_op(self):
        mode = self.mode
        if mode == "auto":
            mode = self._auto_mode()
        self.monitor_op = operator.lt if mode == "min" else operator.gt
        if mode == "min":
            self.min_delta = -self.min_delta

    def _auto_mode(self):
        name = self.monitor.removeprefix("val_")
        direction = None
        if self.model is not None:
            direction = self.adapter.metric_direction(name)
        if direction is not None:
            return "max" if direction == "up" else "min"
        if name == "loss":
            return "min"
        raise ValueError(
            f"{type(self).__name__} received monitor={self.monitor!r}, but "
            "cannot tell whether that quantity should be minimized or "
            "maximized: it is neither a loss nor a compiled metric with a "
            "known direction. Pass `mode='min'` to track its lowest value or "
            "`mode='max'` to track its highest value."
        )

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        self.resolve_mode()
        return bool(self.monitor_op(value - self.min_delta, reference))

    def get_monitor_value(self, logs, action="Monitoring"):
        """Returns `logs[self.monitor]`, warning (and returning None) when
        it is missing.

        Args:
            logs: The logs dict.
            action: What depends on the value, for the warning text.
        """
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"{action} is conditioned on metric `{self.monitor}`, which "
                "is not available. Available metrics are: "
                f"{','.join(logs.keys())}",
                stacklevel=2,
            )
        return value
