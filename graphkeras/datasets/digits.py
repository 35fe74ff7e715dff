"""UCI handwritten digits (8x8), bundled with graphkeras so no download is needed.

The data are the 1,797 samples of the UCI "Optical Recognition of Handwritten Digits"
test set (``optdigits.tes``) as distributed by scikit-learn, stored in the package as
``digits.npz`` (under 50 KB). They make a quick, offline stand-in for MNIST in
examples and tests. ``scripts/make_digits.py`` in the repository is the script that
built the file and documents the split exactly.

Source and licence: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository,
1998, https://doi.org/10.24432/C50P49, licensed under CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). See ``DIGITS_LICENSE.txt`` next to
this module for the attribution and the list of changes made.
"""

import os

import numpy as np

_DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.npz")


def load_data():
    """Loads the UCI handwritten digits data set (8x8 images of the digits 0-9).

    The 1,797 grayscale images are split into 1,438 training and 359 test samples.
    The split is stratified: for every class, 20 % of its samples (rounded) were
    drawn at random with ``numpy.random.default_rng(0)`` for the test part, and both
    parts keep the order of the original file. The data ship inside the package, so
    this function reads a local file and never touches the network. Each call
    returns freshly loaded arrays, identical from call to call.

    Returns:
        `((x_train, y_train), (x_test, y_test))`, four NumPy arrays, the same nesting
        as the Keras dataset loaders.

    **`x_train`**: training images, `uint8`, shape `(1438, 8, 8)`. A pixel holds the
    number of set pixels found in one 4x4 block of the original 32x32 bitmap, so it
    is an integer from 0 to 16 rather than 0 to 255 as in MNIST; divide by 16 to get
    the range [0, 1].

    **`y_train`**: training labels, `uint8`, shape `(1438,)`, the digit 0-9 that
    each image shows.

    **`x_test`**: test images, `uint8`, shape `(359, 8, 8)`, values 0 to 16.

    **`y_test`**: test labels, `uint8`, shape `(359,)`, values 0-9.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = graphkeras.datasets.digits.load_data()
    assert x_train.shape == (1438, 8, 8)
    assert x_test.shape == (359, 8, 8)
    assert y_train.shape == (1438,)
    assert y_test.shape == (359,)
    ```

    Source and license:
        UCI Machine Learning Repository, "Optical Recognition of Handwritten
        Digits", https://doi.org/10.24432/C50P49, as packaged by scikit-learn.
        Licensed under Creative Commons Attribution 4.0 International (CC BY 4.0).
        The images and labels are unchanged apart from reshaping to 8x8, storing as
        `uint8` and the train/test split described above.

    Citation:
        E. Alpaydin and C. Kaynak. Optical Recognition of Handwritten Digits.
        UCI Machine Learning Repository, 1998. https://doi.org/10.24432/C50P49
    """
    with np.load(_DATA_FILE, allow_pickle=False) as data:
        x_train, y_train = data["x_train"], data["y_train"]
        x_test, y_test = data["x_test"], data["y_test"]
    return (x_train, y_train), (x_test, y_test)
