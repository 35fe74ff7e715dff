"""Reuters newswire topics, read from the Keras dataset cache."""

import numpy as np

from . import _cache

_LOADER = "graphkeras.datasets.reuters.load_data"
_INDEX_LOADER = "graphkeras.datasets.reuters.get_word_index"

# Topic names, position i naming label i (the table Keras publishes).
_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper",
    "housing", "money-supply", "coffee", "sugar", "trade", "reserves",
    "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Loads the Reuters newswire topic classification dataset.

    11,228 newswires labelled with one of 46 topics (see
    `get_label_names`), each encoded as a list of word indices. Index `i`
    stands for the i-th most frequent word, so vocabulary cuts are simple
    range tests. Index 0 is never a word.

    Nothing is downloaded. The loader reads the `reuters.npz` file that
    `keras.datasets.reuters.load_data()` caches, from
    `~/.keras/datasets/reuters.npz` (or `$KERAS_HOME/datasets/reuters.npz`).
    The archive must hold `x` (a 1-D object array, one list of non-negative
    integer word indices per newswire) and `y` (a 1-D integer label array
    of the same length). No checksum is verified.

    Processing follows Keras exactly, so the same arguments give the same
    arrays: all newswires are shuffled with `np.random.RandomState(seed)`;
    words are shifted by `index_from` and prefixed by `start_char`;
    newswires not strictly shorter than `maxlen` are dropped; indices
    outside `[skip_top, num_words)` become `oov_char` (or are removed when
    `oov_char` is None), where a missing `num_words` means the largest
    index present; the first `int(n * (1 - test_split))` newswires form
    the training split and the rest the test split.

    Args:
        path: file name inside the cache's `datasets/` folder. A path with
            a folder part (or an absolute path) is used as the location of
            the file itself.
        num_words: int or None. Keep only the `num_words` most frequent
            words; the others become `oov_char`. None keeps every word.
        skip_top: int. Also treat the `skip_top` most frequent words as
            out of vocabulary. Defaults to 0.
        maxlen: int or None. Drop newswires of `maxlen` words or more
            (counting `start_char`). None keeps them all.
        test_split: float between 0 and 1, the fraction of newswires used
            as test data. Defaults to 0.2.
        seed: int. Seed of the shuffle. Defaults to 113.
        start_char: int or None. Marker put in front of every newswire.
            Defaults to 1.
        oov_char: int or None. Replacement for out-of-vocabulary words.
            Defaults to 2.
        index_from: int. Offset added to every word index. Defaults to 3.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

        **`x_train`, `x_test`**: 1-D object arrays whose entries are lists
        of int word indices.

        **`y_train`, `y_test`**: 1-D integer arrays of topic labels
        (0 to 45).

    Raises:
        FileNotFoundError: the file is not in the cache; the message gives
            the exact path where it is expected.
        ValueError: the file does not have the structure above, or
            `maxlen` removes every newswire.
    """
    fpath = _cache.locate(
        _LOADER, path, keras_name="reuters.npz", what="the Reuters archive"
    )
    arrays = _cache.load_npz(_LOADER, fpath, ("x", "y"))
    xs = _cache.as_word_arrays(_LOADER, fpath, "x", arrays["x"])
    labels = arrays["y"]
    _cache.check_labels(_LOADER, fpath, "y", labels, len(xs))

    rng = np.random.RandomState(seed)
    order = _cache.shuffle_indices(rng, len(xs))
    flat, lengths = _cache.pack([xs[i] for i in order])
    labels = labels[order]

    flat, lengths = _cache.offset_words(flat, lengths, start_char, index_from)
    if maxlen:
        flat, lengths, labels = _cache.drop_long(maxlen, flat, lengths, labels)
        if not len(lengths):
            raise ValueError(
                f"{_LOADER}: with maxlen={maxlen} no newswire is short enough "
                "to keep; use a larger maxlen."
            )
    flat, lengths = _cache.limit_vocabulary(
        flat, lengths, num_words, skip_top, oov_char
    )
    xs = _cache.unpack(flat, lengths)

    split = int(len(xs) * (1 - test_split))
    return (
        (xs[:split], np.array(labels[:split])),
        (xs[split:], np.array(labels[split:])),
    )


def get_word_index(path="reuters_word_index.json"):
    """Returns the Reuters word index: a dict from word to its index.

    The indices are those of the raw data. `load_data` shifts them by its
    `index_from` argument (3 by default, reserving 0 for padding, 1 for the
    start marker and 2 for out-of-vocabulary words), so a word with index
    1 here appears as 4 in the loaded sequences.

    Nothing is downloaded. The loader reads the `reuters_word_index.json`
    file that `keras.datasets.reuters.get_word_index()` caches, from
    `~/.keras/datasets/` (or `$KERAS_HOME/datasets/`). It must be a JSON
    object mapping word strings to integers.

    Args:
        path: file name inside the cache's `datasets/` folder. A path with
            a folder part (or an absolute path) is used as the location of
            the file itself.

    Returns:
        The word index dictionary: keys are words, values their index.

    Raises:
        FileNotFoundError: the file is not in the cache.
        ValueError: the file is not a JSON object of word to integer.
    """
    fpath = _cache.locate(
        _INDEX_LOADER, path, keras_name="reuters_word_index.json",
        what="the Reuters word index",
    )
    return _cache.load_word_index(_INDEX_LOADER, fpath)


def get_label_names():
    """Returns the 46 Reuters topic names.

    Returns:
        A tuple of strings; entry `i` names the topic with label `i` in the
        data returned by `load_data`.
    """
    return _LABEL_NAMES
