"""MNIST handwritten digits, read from the Keras dataset cache."""

from . import _cache

_LOADER = "graphkeras.datasets.mnist.load_data"
_KERAS_FILE = "mnist.npz"


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset of handwritten digits.

    60,000 training and 10,000 test grayscale images of 28x28 pixels, each
    labelled with the digit (0-9) it shows.

    Nothing is downloaded. The loader reads the `mnist.npz` file that
    `keras.datasets.mnist.load_data()` caches, from
    `~/.keras/datasets/mnist.npz` (or `$KERAS_HOME/datasets/mnist.npz` when
    `KERAS_HOME` is set). The archive must hold the arrays `x_train`,
    `y_train`, `x_test` and `y_test`, all `uint8`, images shaped
    `(N, 28, 28)` and labels `(N,)`. Any file with that structure loads; no
    checksum is verified.

    Args:
        path: file name inside the cache's `datasets/` folder, as for
            Keras. A path with a folder part (or an absolute path) is used
            as the location of the file itself.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

        **`x_train`**: `uint8` array of shape `(60000, 28, 28)`, pixel
        values from 0 to 255.

        **`y_train`**: `uint8` array of shape `(60000,)`, digit labels.

        **`x_test`**: `uint8` array of shape `(10000, 28, 28)`.

        **`y_test`**: `uint8` array of shape `(10000,)`.

    Raises:
        FileNotFoundError: the file is not in the cache; the message gives
            the exact path where it is expected.
        ValueError: the file exists but does not have the structure above.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28)
    assert y_test.shape == (10000,)
    ```
    """
    fpath = _cache.locate(
        _LOADER, path, keras_name=_KERAS_FILE, what="the MNIST archive"
    )
    keys = ("x_train", "y_train", "x_test", "y_test")
    arrays = _cache.load_npz(_LOADER, fpath, keys)
    for split in ("train", "test"):
        x, y = arrays["x_" + split], arrays["y_" + split]
        _cache.check_array(
            _LOADER, fpath, "x_" + split, x, dtype="uint8", ndim=3,
            tail=(28, 28),
        )
        _cache.check_array(
            _LOADER, fpath, "y_" + split, y, dtype="uint8", ndim=1,
            length=x.shape[0],
        )
    return (
        (arrays["x_train"], arrays["y_train"]),
        (arrays["x_test"], arrays["y_test"]),
    )
