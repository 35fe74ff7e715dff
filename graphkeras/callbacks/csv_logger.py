"""The `CSVLogger` callback."""

import collections.abc
import csv
import os

import numpy as np

from graphkeras.callbacks.callback import Callback


def _csv_value(value):
    """Strings and scalars as they are; other iterables as `"[a, b]"`."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Streams the logs of every epoch to a CSV file.

    The columns are `epoch` (0-based) followed by the log keys of the first
    epoch in sorted order; a key missing later is written as `NA`. Rows use
    Excel's CSV dialect (`\\r\\n` line ends) with the given separator. The
    file is flushed after every row, so it is readable during training.

    Args:
        filename: Path of the CSV file, e.g. `"run/log.csv"`.
        separator: String separating the fields. Defaults to `","`.
        append: Whether to append to an existing file (the header is then
            written only if the file is empty) rather than overwrite it.

    Example:

    >>> csv_logger = CSVLogger("training.log")
    >>> model.fit(x, y, callbacks=[csv_logger])
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append and os.path.exists(self.filename):
            with open(self.filename, "r", encoding="utf-8") as existing:
                self.append_header = not existing.readline()
        else:
            self.append_header = True
        self._close()
        mode = "a" if self.append else "w"
        # newline="" lets the csv module write its own "\r\n" line ends.
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            # Validation keys that the model will log later get a column too.
            for name in getattr(self.model, "metrics_names", None) or []:
                if name.startswith("val_") and name not in self.keys:
                    self.keys.append(name)
        if self.writer is None:
            self.writer = self._make_writer()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def _make_writer(self):
        dialect = type("CSVLoggerDialect", (csv.excel,), {"delimiter": self.sep})
        writer = csv.DictWriter(
            self.csv_file, fieldnames=["epoch"] + self.keys, dialect=dialect
        )
        if self.append_header:
            writer.writeheader()
        return writer

    def on_train_end(self, logs=None):
        self._close()
        self.writer = None

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
