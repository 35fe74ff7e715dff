"""Small HDF5 helpers shared by the file formats: opening with clear errors, string attributes.

Keras splits an attribute array larger than HDF5's object-header limit into
``name0``, ``name1``, ...; ``read_list_attr`` reassembles either form, and
``write_list_attr`` splits the same way. Strings may come back as ``bytes``
(old writers) or ``str`` (h5py 3); both are decoded.
"""

import json

import h5py
import numpy as np

from graphkeras.saving.errors import FileFormatError

HDF5_OBJECT_HEADER_LIMIT = 64512
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def decode(value):
    """A str from an HDF5 attribute value (bytes, numpy bytes, str, 0-d array)."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if hasattr(value, "decode"):
        return value.decode("utf8")
    return str(value)


def open_h5(path_or_file, what="file"):
    """Open an HDF5 file for reading, turning h5py's errors into ``FileFormatError``."""
    label = getattr(path_or_file, "name", path_or_file)
    if isinstance(path_or_file, (str, bytes)) or hasattr(path_or_file, "__fspath__"):
        try:
            with open(path_or_file, "rb") as f:
                head = f.read(8)
        except FileNotFoundError:
            raise FileNotFoundError(f"No such file: {path_or_file}") from None
        except IsADirectoryError:
            raise FileFormatError(path_or_file, "is a directory, not an HDF5 file.") from None
        if head != HDF5_SIGNATURE:
            raise FileFormatError(path_or_file, f"is not an HDF5 {what} (it does not start "
                                  "with the HDF5 signature).")
    try:
        return h5py.File(path_or_file, "r")
    except OSError as e:
        raise FileFormatError(label, f"cannot be read as HDF5 ({e}); the file is truncated "
                              "or corrupt.") from e


def read_list_attr(group, name):
    """The list of strings in attribute ``name`` (or its chunks), or None if absent."""
    if name in group.attrs:
        raw = group.attrs[name]
        values = list(np.atleast_1d(raw)) if not isinstance(raw, (str, bytes)) else [raw]
    elif f"{name}0" in group.attrs:
        values, i = [], 0
        while f"{name}{i}" in group.attrs:
            values.extend(np.atleast_1d(group.attrs[f"{name}{i}"]))
            i += 1
    else:
        return None
    return [decode(v) for v in values if not (isinstance(v, float) or
                                              isinstance(v, np.floating))]


def write_list_attr(group, name, values):
    """Write a list of strings as Keras does, chunked when too large for one attribute."""
    data = np.array([v.encode("utf8") for v in values]) if values else np.array(
        [], dtype=np.float64)
    if data.nbytes <= HDF5_OBJECT_HEADER_LIMIT:
        group.attrs[name] = data
        return
    chunks = 1
    while True:
        parts = np.array_split(data, chunks)
        if all(p.nbytes <= HDF5_OBJECT_HEADER_LIMIT for p in parts):
            break
        chunks += 1
    for i, part in enumerate(parts):
        group.attrs[f"{name}{i}"] = part


def json_attr(value):
    """A JSON document as the bytes Keras stores in ``model_config``/``training_config``."""
    return json.dumps(value, default=_json_default).encode("utf8")


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"Cannot write {obj!r} (of type {type(obj).__name__}) to JSON.")


def json_dumps(value, **kwargs):
    return json.dumps(value, default=_json_default, **kwargs)
