"""Boston housing price regression data, read from the Keras dataset cache."""

import numpy as np

from . import _cache

_LOADER = "graphkeras.datasets.boston_housing.load_data"
_FEATURES = 13


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing price regression dataset.

    506 samples of 13 attributes describing locations in the Boston
    suburbs in the late 1970s; targets are median home values in k$.

    **Warning:** one attribute ("B") encodes an assumption about racial
    self-segregation and house prices. Prefer other datasets unless the
    point is to discuss that ethical problem.

    Nothing is downloaded. The loader reads the `boston_housing.npz` file
    that `keras.datasets.boston_housing.load_data()` caches, from
    `~/.keras/datasets/boston_housing.npz` (or
    `$KERAS_HOME/datasets/boston_housing.npz`). The archive must hold `x`,
    a numeric array of shape `(N, 13)`, and `y`, a numeric array of shape
    `(N,)`. No checksum is verified.

    As in Keras, the samples are shuffled with
    `np.random.RandomState(seed)` before the first
    `int(N * (1 - test_split))` of them are taken as training data, so the
    same arguments give the same split.

    Args:
        path: file name inside the cache's `datasets/` folder. A path with
            a folder part (or an absolute path) is used as the location of
            the file itself.
        test_split: fraction of the samples kept for testing, in `[0, 1)`.
            Defaults to 0.2.
        seed: seed of the shuffle done before splitting. Defaults to 113.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

        **`x_train`, `x_test`**: arrays of shape `(num_samples, 13)`
        (`float64` for the Keras file).

        **`y_train`, `y_test`**: arrays of shape `(num_samples,)` of
        target prices in k$.

    Raises:
        FileNotFoundError: the file is not in the cache; the message gives
            the exact path where it is expected.
        ValueError: `test_split` is outside `[0, 1)`, or the file does not
            have the structure above.
    """
    if not 0 <= test_split < 1:
        raise ValueError(
            f"{_LOADER}: test_split must be in [0, 1), received {test_split}."
        )
    fpath = _cache.locate(
        _LOADER, path, keras_name="boston_housing.npz",
        what="the Boston Housing archive",
    )
    arrays = _cache.load_npz(_LOADER, fpath, ("x", "y"))
    x, y = arrays["x"], arrays["y"]
    _cache.check_array(
        _LOADER, fpath, "x", x, kinds="fiu", ndim=2, tail=(_FEATURES,)
    )
    _cache.check_array(
        _LOADER, fpath, "y", y, kinds="fiu", ndim=1, length=x.shape[0]
    )

    order = _cache.shuffle_indices(np.random.RandomState(seed), len(x))
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
