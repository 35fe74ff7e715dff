"""The `ProgbarLogger` callback: the progress display of `fit`, `evaluate`
and `predict`."""

from graphkeras.callbacks.callback import Callback
from graphkeras.utils.progbar import Progbar
from graphkeras.utils.progbar import print_msg


class ProgbarLogger(Callback):
    """Prints progress and metrics to standard output.

    `fit`, `evaluate` and `predict` add one automatically when `verbose` is
    not 0. It takes `verbose`, `epochs` and `steps` from the parameters
    given by `set_params` ("auto" verbose means 1). Inside `fit`, the header
    `Epoch i/n` is printed when there is more than one epoch, and validation
    prints no bar of its own.

    Example:

    >>> model.fit(x, y, epochs=2, callbacks=[ProgbarLogger()])
    """

    def __init__(self):
        super().__init__()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        self._called_in_fit = True  # validation inside fit stays silent

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._start_progbar()

    def on_predict_begin(self, logs=None):
        self._start_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._start_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # predictions are not displayed

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs)

    def _start_progbar(self):
        self.seen = 0
        self.progbar = None
        self._ensure_progbar()

    def _ensure_progbar(self):
        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target, verbose=self.verbose, unit_name="step"
            )

    def _update_progbar(self, batch, logs):
        self._ensure_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            items = list((logs or {}).items())
            self.progbar.update(self.seen, items, finalize=False)

    def _finalize_progbar(self, logs):
        self._ensure_progbar()
        if self.target is None:
            # Unknown step count: the first epoch teaches it.
            self.target = self.seen
            self.progbar.target = self.target
        items = list((logs or {}).items())
        self.progbar.update(self.target, items, finalize=True)
