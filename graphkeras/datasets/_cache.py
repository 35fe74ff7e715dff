"""Finding, checking and safely reading dataset files in the Keras cache.

graphkeras never downloads anything. Each loader in `graphkeras.datasets`
reads the file that Keras itself would have downloaded and cached, from the
place where Keras keeps it:

- `$KERAS_HOME/datasets/` when the `KERAS_HOME` environment variable is set,
- otherwise `~/.keras/datasets/`.

Keras falls back to `/tmp/.keras` when that base folder cannot be written
to; the same fallback is searched here, after the main location.

When a file is missing, a `FileNotFoundError` names the exact path where it
is expected and the name of the file Keras would have fetched. When a file
is present but does not have the layout Keras writes (wrong keys, shapes or
dtypes, unreadable archive), a `ValueError` names the file and the problem.
Checksums are deliberately not verified, so a file of your own in the same
format loads too.

This module also holds the pieces shared by several loaders: a restricted
unpickler (object arrays and CIFAR batches need pickle, but only numpy array
reconstruction is ever allowed), an `.npz` reader built on it, array checks,
and the word-sequence processing used by `imdb` and `reuters`.
"""

import codecs
import io
import json
import operator
import os
import pickle
import tempfile
import zipfile

import numpy as np


# ---------------------------------------------------------------------------
# Cache location.
# ---------------------------------------------------------------------------


def _tmp_keras_home():
    base = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
    return os.path.join(base, ".keras")


def _usable_for_writing(folder):
    """Whether `folder` is writable, or could be created by this user."""
    probe = os.path.abspath(folder)
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            return False
        probe = parent
    return os.path.isdir(probe) and os.access(probe, os.W_OK)


def keras_home():
    """Returns the Keras home folder, as Keras computes it.

    Returns:
        `$KERAS_HOME` (with `~` expanded) when that environment variable is
        set; otherwise `~/.keras`, or `/tmp/.keras` when the home folder is
        not writable. The environment is read at every call.
    """
    env = os.environ.get("KERAS_HOME")
    if env:
        return os.path.expanduser(env)
    home = os.path.expanduser("~")
    if not os.access(home, os.W_OK):
        home = "/tmp"
    return os.path.join(home, ".keras")


def datasets_dir(subdir=None):
    """Returns the main folder where Keras caches dataset files.

    Args:
        subdir: optional folder inside `datasets/` (for example
            `"fashion-mnist"`).

    Returns:
        `<keras home>/datasets`, or `<keras home>/datasets/<subdir>`.
    """
    parts = [keras_home(), "datasets"]
    if subdir:
        parts.append(subdir)
    return os.path.join(*parts)


def search_dirs(subdir=None):
    """Folders to look in, main location first, then Keras's fallback."""
    dirs = [datasets_dir(subdir)]
    if not _usable_for_writing(keras_home()):
        fallback = os.path.join(_tmp_keras_home(), "datasets")
        if subdir:
            fallback = os.path.join(fallback, subdir)
        if fallback not in dirs:
            dirs.append(fallback)
    return dirs


def _has_dir_part(name):
    seps = {os.sep, "/"}
    if os.altsep:
        seps.add(os.altsep)
    return any(sep in name for sep in seps)


def locate(loader, fname, keras_name=None, subdir=None, what="file"):
    """Finds a cached dataset file, or raises a helpful error.

    Args:
        loader: name of the public function asking, used in messages
            (for example `"graphkeras.datasets.mnist.load_data"`).
        fname: file name inside the cache folder (the `path=` argument of
            the Keras loaders). A value with a folder part, or an absolute
            path, is used as a path to the file itself.
        keras_name: name of the file Keras would have fetched, when it
            differs from `fname`. Defaults to `fname`.
        subdir: folder inside `datasets/` holding the file.
        what: short description of the file for the error message.

    Returns:
        The path of the existing file, as a string.

    Raises:
        FileNotFoundError: the file is in none of the searched places.
    """
    fname = os.fspath(fname)
    if not isinstance(fname, str) or not fname:
        raise TypeError(
            f"{loader}: `path` must be a non-empty file name or path, "
            f"received {fname!r}."
        )
    if os.path.isabs(fname) or _has_dir_part(fname):
        candidates = [os.path.expanduser(fname)]
    else:
        candidates = [os.path.join(d, fname) for d in search_dirs(subdir)]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    raise missing_file_error(
        loader, candidates[0], keras_name or os.path.basename(fname), what
    )


def missing_file_error(loader, expected_path, keras_name, what="file",
                       instructions=None):
    """Builds the `FileNotFoundError` raised for a missing cached file.

    Args:
        loader: name of the public function asking.
        expected_path: where the file should be put.
        keras_name: name of the file Keras downloads for this dataset.
        what: short description of the file.
        instructions: optional sentence replacing the default advice (copy
            `keras_name` to `expected_path`).

    Returns:
        A `FileNotFoundError` (to be raised by the caller).
    """
    if instructions is None:
        instructions = (
            f"Copy the file that Keras downloads as '{keras_name}' for this "
            "dataset (a Keras installation keeps it in its own cache) to "
            "that exact path."
        )
    return FileNotFoundError(
        f"{loader}: {what} was not found; expected at: {expected_path}\n"
        f"graphkeras never downloads datasets. {instructions} The cache "
        "folder is $KERAS_HOME/datasets when the KERAS_HOME environment "
        "variable is set, ~/.keras/datasets otherwise."
    )


def malformed_file_error(loader, path, problem):
    """Builds the `ValueError` raised for a file in the wrong format.

    Args:
        loader: name of the public function asking.
        path: the offending file.
        problem: what is wrong with it.

    Returns:
        A `ValueError` (to be raised by the caller).
    """
    return ValueError(
        f"{loader}: the file {path} is not in the format Keras caches for "
        f"this dataset: {problem}"
    )


# ---------------------------------------------------------------------------
# Restricted unpickling.
# ---------------------------------------------------------------------------


def _allowed_globals():
    """Maps (module, name) to the only callables a dataset pickle may use.

    The callables are taken from numpy's own pickling hooks, so the table is
    right for numpy 1.x (`numpy.core`) and 2.x (`numpy._core`) alike, and
    both spellings are accepted whichever numpy wrote the file.
    """
    reconstruct = np.zeros(1).__reduce__()[0]
    scalar = np.int64(0).__reduce__()[0]
    table = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        # Python 3 writes `bytes` this way under pickle protocols 0-2, the
        # protocols of the Python 2 era files; it only converts text.
        ("_codecs", "encode"): codecs.encode,
    }
    for core in ("numpy.core", "numpy._core"):
        table[(core + ".multiarray", "_reconstruct")] = reconstruct
        table[(core + ".multiarray", "scalar")] = scalar
    try:
        frombuffer = np.zeros(1).__reduce_ex__(5)[0]
    except Exception:  # pragma: no cover - very old numpy
        frombuffer = None
    if frombuffer is not None and frombuffer is not reconstruct:
        for core in ("numpy.core", "numpy._core"):
            table[(core + ".numeric", "_frombuffer")] = frombuffer
    return table


_ALLOWED = _allowed_globals()


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that can rebuild numpy arrays and nothing else callable."""

    def find_class(self, module, name):
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(
                f"refusing to load '{module}.{name}': a dataset file may only "
                "contain numpy arrays and plain Python values"
            )
        return found


def restricted_load(fileobj, encoding="ASCII"):
    """Unpickles `fileobj`, allowing only numpy array reconstruction.

    Args:
        fileobj: binary file object positioned at a pickle stream.
        encoding: how Python 2 `str` objects are decoded (`"bytes"` keeps
            them as `bytes`, as Keras does for the CIFAR batches).

    Returns:
        The unpickled object.

    Raises:
        pickle.UnpicklingError: the stream refers to anything else.
    """
    return _NumpyOnlyUnpickler(fileobj, encoding=encoding).load()


def _read_npy(fileobj):
    """Reads one `.npy` stream; object arrays go through `restricted_load`."""
    start = fileobj.tell()
    major, _ = np.lib.format.read_magic(fileobj)
    if major == 1:
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fileobj)
    elif major in (2, 3):
        # Version 3 only changes the header text encoding; ASCII headers, the
        # only ones numpy writes for these dtypes, read the same way.
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fileobj)
    else:
        raise ValueError(f"unsupported .npy format version {major}")
    if not dtype.hasobject:
        fileobj.seek(start)
        return np.lib.format.read_array(fileobj, allow_pickle=False)
    array = restricted_load(fileobj, encoding="latin1")
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError("object array payload does not match its header")
    return array


def load_npz(loader, path, keys):
    """Reads the arrays `keys` from an `.npz` archive.

    Numeric arrays are read with pickling disabled; object arrays (the
    ragged sequences of IMDB and Reuters) are read with `restricted_load`.

    Args:
        loader: name of the public function asking, for messages.
        path: the `.npz` file.
        keys: names of the arrays that must be present.

    Returns:
        A dict mapping each key to its array.

    Raises:
        ValueError: the file is not a readable `.npz` archive or a key is
            missing.
    """
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            members = {}
            for info in archive.infolist():
                if info.filename.endswith(".npy"):
                    members[info.filename[: -len(".npy")]] = info
            missing = [k for k in keys if k not in members]
            if missing:
                raise malformed_file_error(
                    loader,
                    path,
                    f"missing array(s) {missing}; expected the keys "
                    f"{list(keys)} (found {sorted(members)}).",
                )
            for key in keys:
                with archive.open(members[key]) as raw:
                    buffer = io.BytesIO(raw.read())
                try:
                    arrays[key] = _read_npy(buffer)
                except (ValueError, EOFError, pickle.UnpicklingError,
                        TypeError, AttributeError) as err:
                    raise malformed_file_error(
                        loader, path, f"array '{key}' cannot be read ({err})."
                    ) from err
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as err:
        raise malformed_file_error(
            loader, path, f"it is not a readable .npz (zip) archive ({err})."
        ) from err
    return arrays


# ---------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------


def check_array(loader, path, name, array, dtype=None, kinds=None, ndim=None,
                tail=None, length=None):
    """Checks one array read from a dataset file.

    Args:
        loader: name of the public function asking, for messages.
        path: the file the array came from.
        name: the array's key in that file.
        array: the array to check.
        dtype: exact dtype required, if any.
        kinds: string of allowed `dtype.kind` letters, if any.
        ndim: number of dimensions required, if any.
        tail: required trailing shape (tuple), if any.
        length: required first dimension, if any.

    Raises:
        ValueError: naming `path`, `name` and the mismatch.
    """
    def fail(problem):
        raise malformed_file_error(loader, path, f"array '{name}' {problem}")

    if not isinstance(array, np.ndarray):
        fail(f"is a {type(array).__name__}, not a numpy array.")
    if dtype is not None and array.dtype != np.dtype(dtype):
        fail(f"has dtype {array.dtype}, expected {np.dtype(dtype)}.")
    if kinds is not None and array.dtype.kind not in kinds:
        fail(f"has dtype {array.dtype}, which is not allowed here.")
    if ndim is not None and array.ndim != ndim:
        fail(f"has shape {array.shape}, expected {ndim} dimension(s).")
    if tail is not None and tuple(array.shape[-len(tail):]) != tuple(tail):
        fail(f"has shape {array.shape}, expected (N, {', '.join(map(str, tail))}).")
    if length is not None and array.shape[:1] != (length,):
        fail(f"has shape {array.shape}, expected {length} entries.")


# ---------------------------------------------------------------------------
# Shuffling and word-sequence processing (shared by imdb and reuters).
# ---------------------------------------------------------------------------


def shuffle_indices(rng, n):
    """Returns `arange(n)` shuffled in place by a `np.random.RandomState`.

    Keras's imdb, reuters and boston_housing loaders all shuffle this way,
    so the same seed yields the same order as Keras.
    """
    indices = np.arange(n)
    rng.shuffle(indices)
    return indices


def as_word_arrays(loader, path, name, sequences):
    """Turns stored sequences into a list of 1-D `int64` word-index arrays.

    Args:
        loader: name of the public function asking, for messages.
        path: the file the sequences came from.
        name: the array's key in that file.
        sequences: a 1-D object array with one list (or array) of word
            indices per entry, or a 2-D integer array of equal-length rows.

    Returns:
        A list with one `int64` array per sequence.

    Raises:
        ValueError: an entry is not a flat sequence of non-negative ints.
    """
    if not isinstance(sequences, np.ndarray) or sequences.ndim not in (1, 2):
        raise malformed_file_error(
            loader, path,
            f"array '{name}' must be a 1-D object array of word-index lists "
            f"(got {getattr(sequences, 'shape', type(sequences).__name__)}).",
        )
    if sequences.ndim == 2 and sequences.dtype.kind not in "iu":
        raise malformed_file_error(
            loader, path,
            f"array '{name}' is 2-D with dtype {sequences.dtype}; expected "
            "integer word indices.",
        )
    out = []
    for position, seq in enumerate(sequences):
        try:
            words = np.asarray(seq)
        except (TypeError, ValueError):
            words = None
        valid = (
            words is not None
            and words.ndim == 1
            and (words.dtype.kind in "iu" or words.size == 0)
        )
        if valid:
            words = words.astype(np.int64, copy=False)
            valid = not words.size or words.min() >= 0
        if not valid:
            raise malformed_file_error(
                loader, path,
                f"entry {position} of array '{name}' is not a sequence of "
                "non-negative integer word indices.",
            )
        out.append(words)
    return out


def check_labels(loader, path, name, labels, count):
    """Checks a 1-D integer label array of the given length."""
    check_array(loader, path, name, labels, kinds="iu", ndim=1, length=count)


# The steps below work on a batch of sequences held as one flat `int64`
# array of words plus an array of sequence lengths, so that corpus-sized
# inputs are processed by numpy rather than word by word.


def pack(arrays):
    """Returns `(flat, lengths)` for a list of 1-D integer arrays."""
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    if not arrays:
        return np.zeros(0, np.int64), lengths
    return np.concatenate(arrays).astype(np.int64, copy=False), lengths


def offset_words(flat, lengths, start_char, index_from):
    """Shifts words by `index_from`, then prepends `start_char` unless None.

    As in Keras, the shift happens only when a start marker is used or
    `index_from` is non-zero.
    """
    if start_char is None and not index_from:
        return flat, lengths
    flat = flat + operator.index(index_from)
    if start_char is not None:
        starts = np.cumsum(lengths) - lengths
        flat = np.insert(flat, starts, operator.index(start_char))
        lengths = lengths + 1
    return flat, lengths


def drop_long(maxlen, flat, lengths, labels):
    """Keeps the sequences strictly shorter than `maxlen`, with their labels."""
    keep = lengths < maxlen
    return flat[np.repeat(keep, lengths)], lengths[keep], labels[keep]


def limit_vocabulary(flat, lengths, num_words, skip_top, oov_char):
    """Applies the `num_words` / `skip_top` / `oov_char` rules of Keras.

    When `num_words` is falsy it becomes the largest index present, so (as in
    Keras) that single largest index also falls outside `[skip_top,
    num_words)`. Indices outside the range become `oov_char`, or are dropped
    when `oov_char` is None. The start marker is subject to the rule too.
    """
    if not num_words:
        num_words = int(flat.max()) if flat.size else 0
    inside = (flat >= skip_top) & (flat < num_words)
    if oov_char is not None:
        return np.where(inside, flat, operator.index(oov_char)), lengths
    owner = np.repeat(np.arange(len(lengths)), lengths)
    lengths = np.bincount(owner[inside], minlength=len(lengths))
    return flat[inside], lengths.astype(np.int64)


def unpack(flat, lengths):
    """Returns a 1-D object array holding one list of Python ints per entry."""
    ends = np.cumsum(lengths).tolist()
    packed = np.empty(len(ends), dtype=object)
    start = 0
    for i, end in enumerate(ends):
        packed[i] = flat[start:end].tolist()
        start = end
    return packed


def load_word_index(loader, path):
    """Reads a `{word: index}` JSON file and checks its structure."""
    try:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise malformed_file_error(
            loader, path, f"it is not valid UTF-8 JSON ({err})."
        ) from err
    if not isinstance(index, dict):
        raise malformed_file_error(
            loader, path,
            f"expected a JSON object mapping words to indices, found a "
            f"{type(index).__name__}.",
        )
    for word, value in index.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise malformed_file_error(
                loader, path,
                f"the index of word {word!r} is {value!r}, not an integer.",
            )
    return index
