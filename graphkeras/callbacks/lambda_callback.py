"""The `LambdaCallback` callback."""

import warnings

from graphkeras.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Builds a callback from plain functions.

    Each function replaces the hook of the same name and is called the way
    `CallbackList` calls hooks: epoch hooks as `f(epoch, logs)`, batch hooks
    as `f(batch, logs=logs)`, and begin/end hooks as `f(logs)`.

    Args:
        on_epoch_begin: Called at the start of every epoch.
        on_epoch_end: Called at the end of every epoch.
        on_train_begin: Called at the start of training.
        on_train_end: Called at the end of training.
        on_train_batch_begin: Called at the start of every training batch.
        on_train_batch_end: Called at the end of every training batch.
        **kwargs: Any other hook by name, e.g. `on_test_end=fn`, or the
            Keras 2 names `on_batch_begin` / `on_batch_end`.

    Example:

    >>> print_epochs = LambdaCallback(
    ...     on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    >>> model.fit(x, y, epochs=2, callbacks=[print_epochs], verbose=0)
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        hooks = dict(kwargs)
        hooks.update(
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            on_train_batch_begin=on_train_batch_begin,
            on_train_batch_end=on_train_batch_end,
        )
        for name, function in hooks.items():
            if function is None:
                continue
            if not (name.startswith("on_") and hasattr(Callback, name)):
                warnings.warn(
                    f"LambdaCallback: `{name}` is not a callback hook, so it "
                    "will never be called.",
                    stacklevel=2,
                )
            setattr(self, name, function)
