"""The `LearningRateScheduler` callback."""

import numpy as np

from graphkeras.callbacks.callback import Callback
from graphkeras.utils.progbar import print_msg


class LearningRateScheduler(Callback):
    """Sets the learning rate from a schedule function at each epoch start.

    The schedule is called as `schedule(epoch, lr)` with the 0-based epoch
    index and the current learning rate; a one-argument `schedule(epoch)`
    (the old Keras signature) is also accepted. It must return a float. The
    learning rate in force is written to the epoch logs as `learning_rate`.

    Args:
        schedule: Function `(epoch, lr) -> new_lr` or `(epoch) -> new_lr`.
        verbose: 0 (silent) or 1 (print each update).

    Example:

    >>> def scheduler(epoch, lr):
    ...     return lr if epoch < 10 else lr * 0.9
    >>> callback = LearningRateScheduler(scheduler)
    >>> model.fit(x, y, epochs=15, callbacks=[callback], verbose=0)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _call_schedule(self, epoch, learning_rate):
        try:
            return self.schedule(epoch, learning_rate)
        except TypeError as two_argument_error:
            try:  # the old one-argument signature
                return self.schedule(epoch)
            except TypeError:
                raise two_argument_error from None

    def on_epoch_begin(self, epoch, logs=None):
        adapter = self.adapter
        current = adapter.get_learning_rate("LearningRateScheduler")
        learning_rate = self._call_schedule(epoch, current)
        if not isinstance(learning_rate, (float, np.floating)):
            raise ValueError(
                "The output of the `schedule` function should be a float. "
                f"Received: {learning_rate!r} (of type "
                f"{type(learning_rate).__name__})"
            )
        adapter.set_learning_rate(learning_rate, "LearningRateScheduler")
        print_msg(
            f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning "
            f"rate to {learning_rate}.",
            verbose=self.verbose,
        )

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.adapter.get_learning_rate(
                "LearningRateScheduler"
            )
