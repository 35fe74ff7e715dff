"""The `ReduceLROnPlateau` callback."""

import warnings

import numpy as np

from graphkeras.callbacks.monitor import MonitorCallback
from graphkeras.utils.progbar import print_msg


class ReduceLROnPlateau(MonitorCallback):
    """Reduces the learning rate when a monitored quantity stops improving.

    At each epoch end the current learning rate is written to the logs as
    `learning_rate` (so it appears in `History`). If the value did not
    improve by more than `min_delta` for `patience` epochs (epochs in
    cooldown do not count), the learning rate is multiplied by `factor`,
    but not below `min_lr`, and a cooldown of `cooldown` epochs starts.
    The learning rate is only reduced while it is above `min_lr` (compared
    in float32, as Keras does).

    Args:
        monitor: Quantity to monitor. Defaults to `"val_loss"`.
        factor: Factor applied to the learning rate, `new_lr = lr * factor`.
            Must be below 1. Defaults to 0.1.
        patience: Number of epochs without improvement before reducing.
            Defaults to 10.
        verbose: 0 (silent) or 1 (print a message when reducing).
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        min_delta: Minimum change that counts as an improvement. Defaults
            to 1e-4. The Keras 2 name `epsilon` is accepted with a warning.
        cooldown: Number of epochs to wait after a reduction before counting
            again. Defaults to 0.
        min_lr: Lower bound on the learning rate. Defaults to 0.

    Example:

    >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2,
    ...                               patience=5, min_lr=0.001)
    >>> model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        **kwargs,
    ):
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn(
                "ReduceLROnPlateau: `epsilon` is the Keras 2 name of "
                "`min_delta`; use `min_delta` instead.",
                stacklevel=2,
            )
        if kwargs:
            warnings.warn(
                f"ReduceLROnPlateau ignores unknown arguments: {sorted(kwargs)}",
                stacklevel=2,
            )
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received: factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        # As in Keras 3, `best` is kept across `fit` calls; counters are not.
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        self.resolve_mode()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = self.adapter.get_learning_rate("ReduceLROnPlateau")
        current = self.get_monitor_value(logs, "Learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                self._reduce(epoch)

    def _reduce(self, epoch):
        old_lr = self.adapter.get_learning_rate("ReduceLROnPlateau")
        if not old_lr > np.float32(self.min_lr):
            return
        new_lr = max(old_lr * self.factor, self.min_lr)
        self.adapter.set_learning_rate(new_lr, "ReduceLROnPlateau")
        print_msg(
            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
            f"to {new_lr}.",
            verbose=self.verbose,
        )
        self.cooldown_counter = self.cooldown
        self.wait = 0
