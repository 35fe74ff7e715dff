"""Keras 3's ``.keras`` archive: ``metadata.json``, ``config.json``, ``model.weights.h5``.

Members are written uncompressed in that order, as Keras does. Reading takes
members by name, refuses zip-bomb-like members (huge and highly compressed),
and reads the weights from memory, never extracting anything to disk.
"""

import datetime
import io
import json
import zipfile

import h5py

from graphkeras.saving import h5io, weights_h5
from graphkeras.saving.errors import FileFormatError

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
_BOMB_FLOOR = 256 * 1024 * 1024
_BOMB_RATIO = 100


def _member(name, data):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info, data


def weights_bytes(model, optimizer_values=None, optimizer_name=None):
    """The ``model.weights.h5`` member as bytes."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        weights_h5.write_model_weights(f, model, optimizer_values, optimizer_name)
    return buffer.getvalue()


def write(path, config, metadata, weights):
    """Write the archive to ``path`` (the caller makes it atomic)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in ((METADATA, h5io.json_dumps(metadata).encode("utf8")),
                           (CONFIG, h5io.json_dumps(config).encode("utf8")),
                           (WEIGHTS, weights)):
            info, data = _member(name, data)
            zf.writestr(info, data)


def metadata(keras_version, graphkeras_version):
    now = datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")
    return {"keras_version": keras_version, "date_saved": now,
            "graphkeras_version": graphkeras_version}


class Archive:
    """An opened ``.keras`` file: its config and its weights as an open HDF5 file."""

    def __init__(self, path):
        self.path = str(path)
        try:
            self.zip = zipfile.ZipFile(path, "r")
        except FileNotFoundError:
            raise FileNotFoundError(f"No such file: {path}") from None
        except (zipfile.BadZipFile, OSError) as e:
            raise FileFormatError(path, f"is not a Keras `.keras` archive: it cannot be "
                                  f"opened as a zip file ({e}); it is truncated, corrupt or "
                                  "of another format.") from e
        names = set(self.zip.namelist())
        if CONFIG not in names:
            raise FileFormatError(path, f"is a zip file but not a Keras model archive (no "
                                  f"{CONFIG}).")
        self.names = names

    def read(self, name):
        info = self.zip.getinfo(name)
        if info.file_size > _BOMB_FLOOR and \
                info.file_size > _BOMB_RATIO * max(info.compress_size, 1):
            raise FileFormatError(self.path, f"member {name!r} would expand to "
                                  f"{info.file_size} bytes from {info.compress_size}; "
                                  "refusing a likely zip bomb.")
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise FileFormatError(self.path, f"member {name!r} cannot be read ({e}); the "
                                  "archive is truncated or corrupt.") from e

    def config(self):
        try:
            return json.loads(self.read(CONFIG).decode("utf8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise FileFormatError(self.path, f"{CONFIG} is not valid JSON ({e}).") from e

    def weights(self):
        """The weights member opened as HDF5 (``None`` if the archive has none)."""
        if WEIGHTS not in self.names:
            if "model.weights.npz" in self.names:
                raise NotImplementedError(f"{self.path}: weights stored as `.npz` "
                                          "(weights_format='npz') are not supported yet.")
            return None
        data = self.read(WEIGHTS)
        try:
            return h5py.File(io.BytesIO(data), "r")
        except OSError as e:
            raise FileFormatError(self.path, f"{WEIGHTS} inside the archive is not "
                                  f"readable HDF5 ({e}).") from e

    def close(self):
        self.zip.close()
