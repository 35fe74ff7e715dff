"""`CallbackList`: one object that forwards every hook to many callbacks."""

from graphkeras.callbacks.callback import Callback
from graphkeras.callbacks.history import History
from graphkeras.callbacks.progbar_logger import ProgbarLogger


def pythonify_logs(logs):
    """Returns `logs` with sorted keys, nested dicts flattened and values
    converted to Python floats where possible (Keras 3 does this to batch
    logs, and `fit` to its epoch logs).

    Args:
        logs: Dict of log values, possibly holding nested dicts.

    Returns:
        A new dict.

    Example:

    >>> pythonify_logs({"loss": np.float32(0.5), "acc": 1})
    {'acc': 1.0, 'loss': 0.5}
    """
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            pass
        result[key] = value
    return result


def _flatten(callbacks):
    flat = []
    for item in callbacks:
        if isinstance(item, (list, tuple)):
            flat.extend(_flatten(item))
        elif not callable(getattr(item, "set_model", None)):
            raise TypeError(
                "Every element of `callbacks` must be a "
                f"`graphkeras.callbacks.Callback` instance. Received: {item!r}"
            )
        else:
            flat.append(item)
    return flat


class CallbackList(Callback):
    """Container that forwards each hook to a list of callbacks, in order.

    `fit` builds one with `add_history=True`, `add_progbar=(verbose != 0)`
    and the parameters `verbose`, `epochs` and `steps`. The `History` and
    `ProgbarLogger` are appended after the user's callbacks (unless the user
    already passed one), so they see any keys that earlier callbacks add to
    the epoch logs, such as `learning_rate`. The logs of batch-end hooks are
    passed through `pythonify_logs`.

    Args:
        callbacks: List (possibly nested) of `Callback` instances.
        add_history: Whether to add a `History` if none is present.
        add_progbar: Whether to add a `ProgbarLogger` if none is present.
        model: The model the callbacks act on; its `history` attribute is
            set to the `History` callback.
        **params: Parameters passed to every callback's `set_params`, e.g.
            `verbose`, `epochs`, `steps`.

    Example:

    >>> callbacks = CallbackList([EarlyStopping()], add_history=True,
    ...                          add_progbar=True, model=model,
    ...                          verbose=1, epochs=10, steps=100)
    >>> callbacks.on_train_begin()
    """

    def __init__(
        self,
        callbacks=None,
        add_history=False,
        add_progbar=False,
        model=None,
        **params,
    ):
        super().__init__()
        self.callbacks = _flatten(callbacks) if callbacks else []
        self._history = None
        self._progbar = None
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history, add_progbar):
        for callback in self.callbacks:
            if isinstance(callback, ProgbarLogger):
                self._progbar = callback
            elif isinstance(callback, History):
                self._history = callback
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def append(self, callback):
        """Adds a callback at the end of the list."""
        self.callbacks.extend(_flatten([callback]))

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            self.adapter.attach_history(self._history)
        for callback in self.callbacks:
            callback.set_model(model)

    def _call(self, hook, *args, logs=None, pythonify=False):
        logs = logs or {}
        if pythonify:
            logs = pythonify_logs(logs)
        # As in Keras: batch hooks get `logs` by keyword, the others by
        # position (this matters for `LambdaCallback` functions).
        by_keyword = "batch" in hook
        for callback in self.callbacks:
            if by_keyword:
                getattr(callback, hook)(*args, logs=logs)
            else:
                getattr(callback, hook)(*args, logs)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_batch_begin", batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_batch_end", batch, logs=logs, pythonify=True)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        # One dict for every callback: keys added by one are seen by the next.
        self._call("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs=logs, pythonify=True)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs=logs, pythonify=True)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs=logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)
