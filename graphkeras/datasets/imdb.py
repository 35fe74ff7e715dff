"""IMDB movie-review sentiment data, read from the Keras dataset cache."""

import warnings

import numpy as np

from . import _cache

_LOADER = "graphkeras.datasets.imdb.load_data"
_INDEX_LOADER = "graphkeras.datasets.imdb.get_word_index"


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    """Loads the IMDB movie-review sentiment dataset.

    25,000 training and 25,000 test reviews, each labelled positive (1) or
    negative (0) and encoded as a list of word indices. Index `i` stands
    for the i-th most frequent word of the corpus, so "keep the 10,000 most
    common words but drop the 20 most common" is a simple range test.
    Index 0 is never a word: it is left for padding.

    Nothing is downloaded. The loader reads the `imdb.npz` file that
    `keras.datasets.imdb.load_data()` caches, from
    `~/.keras/datasets/imdb.npz` (or `$KERAS_HOME/datasets/imdb.npz`). The
    archive must hold `x_train` and `x_test` (1-D object arrays, one list
    of non-negative integer word indices per review) and `y_train` and
    `y_test` (1-D integer label arrays of matching lengths). No checksum is
    verified.

    Processing follows Keras exactly, so the same arguments give the same
    arrays: both splits are shuffled with one
    `np.random.RandomState(seed)` (training order first, then test order);
    words are shifted by `index_from` and prefixed by `start_char`;
    reviews not strictly shorter than `maxlen` are dropped; finally indices
    outside `[skip_top, num_words)` become `oov_char` (or are removed when
    `oov_char` is None). When `num_words` is not given it is the largest
    index present, which then itself falls outside the range, as in Keras.

    Args:
        path: file name inside the cache's `datasets/` folder. A path with
            a folder part (or an absolute path) is used as the location of
            the file itself.
        num_words: int or None. Keep only the `num_words` most frequent
            words; the others become `oov_char`. None keeps every word.
        skip_top: int. Also treat the `skip_top` most frequent words as
            out of vocabulary. Defaults to 0.
        maxlen: int or None. Drop reviews of `maxlen` words or more
            (counting `start_char`). None keeps all reviews.
        seed: int. Seed of the shuffle. Defaults to 113.
        start_char: int or None. Marker put in front of every review.
            Defaults to 1.
        oov_char: int or None. Replacement for out-of-vocabulary words.
            Defaults to 2.
        index_from: int. Offset added to every word index. Defaults to 3.
        **kwargs: accepted for compatibility and ignored (with a warning).

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

        **`x_train`, `x_test`**: 1-D object arrays whose entries are lists
        of int word indices.

        **`y_train`, `y_test`**: 1-D integer arrays of labels (1 or 0).

    Raises:
        FileNotFoundError: the file is not in the cache; the message gives
            the exact path where it is expected.
        ValueError: the file does not have the structure above, or
            `maxlen` removes every review of a split.
    """
    if kwargs:
        warnings.warn(
            f"{_LOADER}: ignoring unsupported keyword argument(s) "
            f"{sorted(kwargs)}.",
            stacklevel=2,
        )
    fpath = _cache.locate(
        _LOADER, path, keras_name="imdb.npz", what="the IMDB archive"
    )
    arrays = _cache.load_npz(
        _LOADER, fpath, ("x_train", "y_train", "x_test", "y_test")
    )
    x_train = _cache.as_word_arrays(_LOADER, fpath, "x_train", arrays["x_train"])
    x_test = _cache.as_word_arrays(_LOADER, fpath, "x_test", arrays["x_test"])
    labels_train, labels_test = arrays["y_train"], arrays["y_test"]
    _cache.check_labels(_LOADER, fpath, "y_train", labels_train, len(x_train))
    _cache.check_labels(_LOADER, fpath, "y_test", labels_test, len(x_test))

    # One generator for both splits: the training order is drawn first.
    rng = np.random.RandomState(seed)
    order = _cache.shuffle_indices(rng, len(x_train))
    train_words, train_lengths = _cache.pack([x_train[i] for i in order])
    labels_train = labels_train[order]
    order = _cache.shuffle_indices(rng, len(x_test))
    test_words, test_lengths = _cache.pack([x_test[i] for i in order])
    labels_test = labels_test[order]

    train_words, train_lengths = _cache.offset_words(
        train_words, train_lengths, start_char, index_from
    )
    test_words, test_lengths = _cache.offset_words(
        test_words, test_lengths, start_char, index_from
    )

    if maxlen:
        train_words, train_lengths, labels_train = _cache.drop_long(
            maxlen, train_words, train_lengths, labels_train
        )
        test_words, test_lengths, labels_test = _cache.drop_long(
            maxlen, test_words, test_lengths, labels_test
        )
        for split_name, kept in (("training", train_lengths),
                                 ("test", test_lengths)):
            if not len(kept):
                raise ValueError(
                    f"{_LOADER}: with maxlen={maxlen} no review of the "
                    f"{split_name} split is short enough to keep; use a "
                    "larger maxlen."
                )

    # The vocabulary limits are applied to both splits together.
    words, lengths = _cache.limit_vocabulary(
        np.concatenate([train_words, test_words]),
        np.concatenate([train_lengths, test_lengths]),
        num_words, skip_top, oov_char,
    )
    xs = _cache.unpack(words, lengths)
    split = len(train_lengths)
    labels = np.concatenate([labels_train, labels_test])
    return (xs[:split], labels[:split]), (xs[split:], labels[split:])


def get_word_index(path="imdb_word_index.json"):
    """Returns the IMDB word index: a dict from word to its index.

    The indices are those of the raw data; `load_data` shifts them by its
    `index_from` argument (3 by default), so word `w` appears in the loaded
    sequences as `get_word_index()[w] + index_from`.

    Nothing is downloaded. The loader reads the `imdb_word_index.json` file
    that `keras.datasets.imdb.get_word_index()` caches, from
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
        _INDEX_LOADER, path, keras_name="imdb_word_index.json",
        what="the IMDB word index",
    )
    return _cache.load_word_index(_INDEX_LOADER, fpath)
