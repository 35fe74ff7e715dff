"""The `History` callback, which `fit` returns."""

from graphkeras.callbacks.callback import Callback


class History(Callback):
    """Records the logs of every epoch.

    `fit` adds one automatically and returns it. After training,
    `history.history` maps each log key to its list of per-epoch values,
    `history.epoch` lists the (absolute, 0-based) epoch indices, and
    `history.params` holds `{"verbose", "epochs", "steps"}`.

    As in Keras, `epoch` is reset at the start of each training run while
    `history` keeps accumulating if one instance is reused.

    Example:

    >>> history = model.fit(x, y, epochs=3, verbose=0)
    >>> sorted(history.history)
    ['loss']
    >>> history.epoch
    [0, 1, 2]
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        # Re-attached every epoch so `model.history` is always the latest.
        self.adapter.attach_history(self)
