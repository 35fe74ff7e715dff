"""The `EarlyStopping` callback."""

from graphkeras.callbacks.monitor import MonitorCallback
from graphkeras.utils.progbar import print_msg


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored quantity has stopped improving.

    At each epoch end (from `start_from_epoch` on, and only when the
    monitored value is in the logs) a wait counter is incremented. An
    improvement on the best value so far (by more than `min_delta`) records
    the new best and resets the counter, but only if the value also improves
    on `baseline` when one is given. Without an improvement, training stops
    once the counter reaches `patience` (never at epoch 0).

    Args:
        monitor: Quantity to monitor. Defaults to `"val_loss"`.
        min_delta: Minimum change that counts as an improvement. Defaults
            to 0.
        patience: Number of epochs without improvement after which training
            stops. Defaults to 0.
        verbose: 0 (silent) or 1 (print a message when acting).
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        baseline: Value the monitored quantity must beat for the wait
            counter to reset. Defaults to None.
        restore_best_weights: Whether to restore, at the end of training,
            the weights of the epoch with the best monitored value. As in
            Keras 3 this happens whenever a best epoch was recorded, even if
            training was not stopped early. Defaults to False.
        start_from_epoch: Number of warm-up epochs during which nothing is
            monitored. Defaults to 0.

    Example:

    >>> callback = EarlyStopping(monitor="loss", patience=3)
    >>> history = model.fit(x, y, epochs=10, callbacks=[callback], verbose=0)
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # Reset so that one instance can serve several `fit` calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        self.resolve_mode()
        current = self.get_monitor_value(logs, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the current weights are the best.
            self.best_weights = self.adapter.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.adapter.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.adapter.stop_training()

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping", verbose=self.verbose)
        if self.restore_best_weights and self.best_weights is not None:
            print_msg(
                "Restoring model weights from the end of the best epoch: "
                f"{self.best_epoch + 1}.",
                verbose=self.verbose,
            )
            self.adapter.set_weights(self.best_weights)
