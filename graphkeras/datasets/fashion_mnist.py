"""Fashion-MNIST clothing images, read from the Keras dataset cache."""

import gzip
import zlib

import numpy as np

from . import _cache

_LOADER = "graphkeras.datasets.fashion_mnist.load_data"
_SUBDIR = "fashion-mnist"
_LABEL_MAGIC = 2049  # IDX header of a 1-D unsigned-byte file.
_IMAGE_MAGIC = 2051  # IDX header of a 3-D unsigned-byte file.
_SIDE = 28


def _read_gz(fpath):
    try:
        with gzip.open(fpath, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise _cache.malformed_file_error(
            _LOADER, fpath, f"it is not a readable gzip file ({err})."
        ) from err


def _header(fpath, raw, words, magic, kind):
    size = 4 * words
    if len(raw) < size:
        raise _cache.malformed_file_error(
            _LOADER, fpath, f"too short for an IDX {kind} header."
        )
    fields = [int(v) for v in np.frombuffer(raw[:size], dtype=">u4")]
    if fields[0] != magic:
        raise _cache.malformed_file_error(
            _LOADER, fpath,
            f"IDX magic number is {fields[0]}, expected {magic} ({kind}).",
        )
    return fields[1:], raw[size:]


def _read_labels(fpath):
    (count,), body = _header(fpath, _read_gz(fpath), 2, _LABEL_MAGIC, "labels")
    if len(body) != count:
        raise _cache.malformed_file_error(
            _LOADER, fpath,
            f"header announces {count} labels but {len(body)} bytes follow.",
        )
    return np.frombuffer(body, dtype=np.uint8).copy()


def _read_images(fpath, expected_count):
    (count, rows, cols), body = _header(
        fpath, _read_gz(fpath), 4, _IMAGE_MAGIC, "images"
    )
    if (rows, cols) != (_SIDE, _SIDE):
        raise _cache.malformed_file_error(
            _LOADER, fpath, f"images are {rows}x{cols}, expected 28x28."
        )
    if count != expected_count:
        raise _cache.malformed_file_error(
            _LOADER, fpath,
            f"holds {count} images but the matching label file holds "
            f"{expected_count} labels.",
        )
    if len(body) != count * _SIDE * _SIDE:
        raise _cache.malformed_file_error(
            _LOADER, fpath,
            f"pixel data is {len(body)} bytes, expected {count} * 28 * 28.",
        )
    pixels = np.frombuffer(body, dtype=np.uint8).copy()
    return pixels.reshape(count, _SIDE, _SIDE)


def load_data():
    """Loads the Fashion-MNIST dataset.

    60,000 training and 10,000 test grayscale images of 28x28 pixels in 10
    clothing classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress,
    4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot. It is a
    drop-in replacement for MNIST.

    Nothing is downloaded. The loader reads the four gzip files that
    `keras.datasets.fashion_mnist.load_data()` caches in the folder
    `~/.keras/datasets/fashion-mnist/` (or
    `$KERAS_HOME/datasets/fashion-mnist/`):

    - `train-labels-idx1-ubyte.gz`
    - `train-images-idx3-ubyte.gz`
    - `t10k-labels-idx1-ubyte.gz`
    - `t10k-images-idx3-ubyte.gz`

    Each is a gzip-compressed IDX file: labels carry a header of two
    big-endian 32-bit words (2049, count) then one byte per label; images a
    header of four (2051, count, 28, 28) then the pixels. Headers and sizes
    are checked; no checksum is verified.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.

        **`x_train`**: `uint8` array of shape `(60000, 28, 28)`.

        **`y_train`**: `uint8` array of shape `(60000,)`, labels 0-9.

        **`x_test`**: `uint8` array of shape `(10000, 28, 28)`.

        **`y_test`**: `uint8` array of shape `(10000,)`.

    Raises:
        FileNotFoundError: one of the four files is not in the cache; the
            message gives the exact path where it is expected.
        ValueError: a file exists but is not a valid IDX file of this shape.
    """
    names = {
        "y_train": "train-labels-idx1-ubyte.gz",
        "x_train": "train-images-idx3-ubyte.gz",
        "y_test": "t10k-labels-idx1-ubyte.gz",
        "x_test": "t10k-images-idx3-ubyte.gz",
    }
    paths = {}
    for key, fname in names.items():
        paths[key] = _cache.locate(
            _LOADER, fname, subdir=_SUBDIR,
            what=f"the Fashion-MNIST file '{fname}'",
        )
    y_train = _read_labels(paths["y_train"])
    x_train = _read_images(paths["x_train"], len(y_train))
    y_test = _read_labels(paths["y_test"])
    x_test = _read_images(paths["x_test"], len(y_test))
    return (x_train, y_train), (x_test, y_test)

