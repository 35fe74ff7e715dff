"""The `TerminateOnNaN` callback."""

import numpy as np

from graphkeras.callbacks.callback import Callback
from graphkeras.utils.progbar import print_msg


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite.

    By default it prints `Batch N: Invalid loss, terminating training` and
    sets `model.stop_training`, so training ends normally (every callback's
    `on_train_end` still runs). With `raise_error=True` it raises instead.

    Args:
        raise_error: Whether to raise a RuntimeError rather than stopping
            gracefully. Defaults to False.

    Example:

    >>> model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. "
                f"Loss value: {loss}. Terminating training immediately."
            )
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.adapter.stop_training()
