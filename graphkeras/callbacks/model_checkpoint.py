"""The `ModelCheckpoint` callback."""

import logging
import os
import warnings

import numpy as np

from graphkeras.callbacks.monitor import MonitorCallback
from graphkeras.utils.progbar import print_msg

logger = logging.getLogger("graphkeras.callbacks")


class ModelCheckpoint(MonitorCallback):
    """Saves the model or its weights during training.

    `filepath` is a `str.format` template filled with `epoch` (1-based), the
    keys of the logs and, with an integer `save_freq`, `batch` (1-based), so
    `"ckpt/{epoch:02d}-{val_loss:.2f}.keras"` gives `ckpt/01-0.53.keras`.
    A template key missing from the logs raises a KeyError. The parent
    directory is created when needed. The model's `save`/`save_weights` is
    responsible for writing the file atomically.

    Args:
        filepath: String or `PathLike`. It must end in `.keras` or `.h5`, or
            in `.weights.h5` when `save_weights_only=True`.
        monitor: Quantity compared when `save_best_only=True`. Defaults to
            `"val_loss"`.
        verbose: 0 (silent) or 1 (print a message when acting).
        save_best_only: Save only when the monitored value improves on the
            best seen so far (any change counts; no `min_delta`). If the
            value is missing from the logs it warns and saves anyway.
        save_weights_only: Call `model.save_weights` instead of `model.save`.
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        save_freq: `"epoch"` to save at each epoch end, or an integer N to
            save every N training batches (counted across epochs).
        initial_value_threshold: Initial best value for `save_best_only`.

    Example:

    >>> checkpoint = ModelCheckpoint("ckpt/best.keras", monitor="val_loss",
    ...                              save_best_only=True)
    >>> model.fit(x, y, validation_split=0.2, callbacks=[checkpoint])
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
    ):
        super().__init__(monitor, mode, baseline=initial_value_threshold)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._check_arguments()
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    def _check_arguments(self):
        freq = self.save_freq
        if freq != "epoch" and (not isinstance(freq, int) or freq < 1):
            raise ValueError(
                "`save_freq` must be 'epoch' or a positive integer (a number "
                f"of batches). Received: save_freq={freq!r}"
            )
        if self.save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "With `save_weights_only=True`, `filepath` must end in "
                    f"`.weights.h5`. Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "`filepath` must end in `.keras` (or `.h5` for the legacy "
                "format) to save the whole model, or pass "
                "`save_weights_only=True` with a `.weights.h5` path. "
                f"Received: filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # a new epoch started
            self._batches_seen_since_last_saving += batch + 1
        else:  # `steps_per_execution` may skip batch indices
            self._batches_seen_since_last_saving += batch - self._last_batch_seen
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _get_file_path(self, epoch, batch, logs):
        fields = dict(logs or {})
        if batch is not None and "batch" not in fields:
            fields["batch"] = batch + 1
        fields["epoch"] = epoch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". '
                f"Reason: the key {error} is neither `epoch`"
                f"{', `batch`' if batch is not None else ''} nor a key of "
                f"the logs ({', '.join(sorted(logs or {})) or 'none'})."
            ) from None

    def _should_save_model(self, epoch, logs, filepath):
        if not self.save_best_only:
            print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}", verbose=self.verbose)
            return True
        self.resolve_mode()
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available; "
                "saving anyway.",
                stacklevel=2,
            )
            return True
        if np.ndim(current) > 0:
            warnings.warn(
                f"Can save best model only when `{self.monitor}` is a scalar "
                f"value. Received: {current}. Falling back to "
                "`save_best_only=False`.",
                stacklevel=2,
            )
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            print_msg(
                f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                f"{current:.5f}, saving model to {filepath}",
                verbose=self.verbose,
            )
            self.best = current
            return True
        print_msg(
            f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}",
            verbose=self.verbose,
        )
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {filepath}"
            )
        logger.debug("ModelCheckpoint: saving to %s", filepath)
        if self.save_weights_only:
            self.adapter.save_weights(filepath)
        else:
            self.adapter.save(filepath)
        print_msg(
            f"\nEpoch {epoch + 1}: finished saving model to {filepath}",
            verbose=self.verbose,
        )
