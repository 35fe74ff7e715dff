"""CIFAR-10 small colour images, read from the Keras dataset cache."""

import os
import pickle
import tarfile
import zlib

import numpy as np

from . import _cache

_LOADER = "graphkeras.datasets.cifar10.load_data"
_INNER = "cifar-10-batches-py"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCH = "test_batch"
_ALL_BATCHES = _TRAIN_BATCHES + (_TEST_BATCH,)
_KERAS_ARCHIVE = "cifar-10-python.tar.gz"

# Extracted folders, relative to `datasets/`, newest Keras layout first.
# Keras 3 extracts its download into `cifar-10-batches-py-target/`; older
# Keras versions extracted straight into `datasets/`.
_FOLDERS = (
    os.path.join("cifar-10-batches-py-target", _INNER),
    _INNER,
)
# Archives, relative to `datasets/`: the name Keras 3 saves its download
# under, the name older Keras versions used, and the archive's own name.
_ARCHIVES = (
    "cifar-10-batches-py-target_archive",
    "cifar-10-batches-py.tar.gz",
    _KERAS_ARCHIVE,
)

_UNPICKLE_ERRORS = (
    pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
    IndexError, KeyError, ImportError, UnicodeDecodeError,
)


def _parse_batch(where, fileobj):
    """Reads one pickled batch into `(data (N, 3, 32, 32), labels (N,))`."""
    try:
        batch = _cache.restricted_load(fileobj, encoding="bytes")
    except _UNPICKLE_ERRORS as err:
        raise _cache.malformed_file_error(
            _LOADER, where, f"it is not a readable pickled batch ({err})."
        ) from err
    if not isinstance(batch, dict):
        raise _cache.malformed_file_error(
            _LOADER, where,
            f"expected a pickled dict, found a {type(batch).__name__}.",
        )
    fields = {}
    for key, value in batch.items():
        if isinstance(key, bytes):
            key = key.decode("utf8", errors="replace")
        fields[key] = value
    for key in ("data", "labels"):
        if key not in fields:
            raise _cache.malformed_file_error(
                _LOADER, where, f"the batch dict has no '{key}' entry."
            )
    data = fields["data"]
    _cache.check_array(
        _LOADER, where, "data", data, dtype="uint8", ndim=2, tail=(3072,)
    )
    labels = np.asarray(fields["labels"])
    _cache.check_array(
        _LOADER, where, "labels", labels, kinds="iu", ndim=1,
        length=data.shape[0],
    )
    if labels.size and (labels.min() < 0 or labels.max() > 255):
        raise _cache.malformed_file_error(
            _LOADER, where, "labels fall outside the uint8 range."
        )
    return data.reshape(data.shape[0], 3, 32, 32), labels.astype(np.uint8)


def _read_folder(folder):
    batches = {}
    for name in _ALL_BATCHES:
        fpath = os.path.join(folder, name)
        with open(fpath, "rb") as f:
            batches[name] = _parse_batch(fpath, f)
    return batches


def _read_archive(fpath):
    try:
        with tarfile.open(fpath, "r:*") as archive:
            members = {}
            for member in archive.getmembers():
                parts = [p for p in member.name.replace("\\", "/").split("/")
                         if p not in ("", ".")]
                if (member.isfile() and len(parts) >= 2
                        and parts[-2] == _INNER and parts[-1] in _ALL_BATCHES):
                    members.setdefault(parts[-1], member)
            missing = [n for n in _ALL_BATCHES if n not in members]
            if missing:
                raise _cache.malformed_file_error(
                    _LOADER, fpath,
                    f"the archive has no '{_INNER}/' entries for {missing}.",
                )
            batches = {}
            for name in _ALL_BATCHES:
                where = f"{fpath} (member {members[name].name})"
                with archive.extractfile(members[name]) as f:
                    batches[name] = _parse_batch(where, f)
            return batches
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        raise _cache.malformed_file_error(
            _LOADER, fpath, f"it is not a readable tar archive ({err})."
        ) from err


def _find_source():
    """Picks a complete extracted folder, else an archive, else raises."""
    bases = _cache.search_dirs()
    incomplete = None
    for base in bases:
        for rel in _FOLDERS:
            folder = os.path.join(base, rel)
            if not os.path.isdir(folder):
                continue
            missing = [n for n in _ALL_BATCHES
                       if not os.path.isfile(os.path.join(folder, n))]
            if not missing:
                return _read_folder, folder
            if incomplete is None:
                incomplete = (folder, missing)
    for base in bases:
        for name in _ARCHIVES:
            fpath = os.path.join(base, name)
            if os.path.isfile(fpath):
                return _read_archive, fpath
    if incomplete is not None:
        folder, missing = incomplete
        raise _cache.malformed_file_error(
            _LOADER, folder,
            f"the folder lacks the batch file(s) {missing}; it must hold "
            f"{list(_ALL_BATCHES)}.",
        )
    main = bases[0]
    raise _cache.missing_file_error(
        _LOADER,
        os.path.join(main, _FOLDERS[0]),
        _KERAS_ARCHIVE,
        what="the CIFAR-10 batch folder",
        instructions=(
            f"Extract the archive '{_KERAS_ARCHIVE}' that Keras downloads so "
            f"that its '{_INNER}' folder (data_batch_1 ... data_batch_5, "
            "test_batch) is that exact path, or put the archive itself at "
            f"{os.path.join(main, _ARCHIVES[0])} (the name Keras 3 saves it "
            f"under) or at {os.path.join(main, _KERAS_ARCHIVE)}."
        ),
    )


def load_data():
    """Loads the CIFAR-10 dataset.

    50,000 training and 10,000 test colour images of 32x32 pixels in 10
    classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog,
    6 frog, 7 horse, 8 ship, 9 truck.

    Nothing is downloaded. The loader reads the Python-pickle batches that
    `keras.datasets.cifar10.load_data()` caches. It looks, under
    `~/.keras/datasets/` (or `$KERAS_HOME/datasets/`), for:

    1. the folder `cifar-10-batches-py-target/cifar-10-batches-py/` (where
       Keras 3 extracts the download), then the folder
       `cifar-10-batches-py/` (older Keras versions), holding the files
       `data_batch_1` to `data_batch_5` and `test_batch`;
    2. otherwise the downloaded tar.gz archive, read without extracting
       it, saved as `cifar-10-batches-py-target_archive` (Keras 3),
       `cifar-10-batches-py.tar.gz` (older Keras) or
       `cifar-10-python.tar.gz`.

    Each batch is a pickled dict whose `data` entry is a `uint8` array of
    shape `(N, 3072)` (the red, green then blue planes of each image, row
    by row) and whose `labels` entry lists N integer labels. Only numpy
    arrays and plain values are unpickled; no checksum is verified.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

        **`x_train`**: `uint8` array of shape `(50000, 32, 32, 3)`
        (channels last), pixel values from 0 to 255.

        **`y_train`**: `uint8` array of shape `(50000, 1)`, labels 0-9.

        **`x_test`**: `uint8` array of shape `(10000, 32, 32, 3)`.

        **`y_test`**: `uint8` array of shape `(10000, 1)`.

    Raises:
        FileNotFoundError: neither the batches nor the archive are in the
            cache; the message gives the exact paths where they are expected.
        ValueError: a batch or the archive does not have the format above.
    """
    reader, source = _find_source()
    batches = reader(source)
    x_train = np.concatenate([batches[n][0] for n in _TRAIN_BATCHES])
    y_train = np.concatenate([batches[n][1] for n in _TRAIN_BATCHES])
    x_test, y_test = batches[_TEST_BATCH]
    x_train = np.ascontiguousarray(x_train.transpose(0, 2, 3, 1))
    x_test = np.ascontiguousarray(x_test.transpose(0, 2, 3, 1))
    y_train = y_train.reshape(-1, 1)
    y_test = y_test.reshape(-1, 1)
    return (x_train, y_train), (x_test, y_test)
