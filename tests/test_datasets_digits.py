"""Tests for the bundled UCI digits data set (``graphkeras.datasets.digits``).

They check the contract promised by ``load_data``'s docstring and by
``scripts/make_digits.py``: shapes, dtypes, counts, value range, the stratified split
and that the shipped file stays small. scikit-learn is deliberately not imported; the
data must be usable without it.
"""

import math
import os

import numpy as np
import pytest

from graphkeras.datasets import digits

NUM_CLASSES = 10
N_TOTAL = 1797
N_TRAIN = 1438
N_TEST = 359


@pytest.fixture(scope="module")
def data():
    """Load once per module; every test only reads the arrays."""
    return digits.load_data()


def test_structure_shapes_and_dtypes(data):
    (x_train, y_train), (x_test, y_test) = data
    assert x_train.shape == (N_TRAIN, 8, 8)
    assert y_train.shape == (N_TRAIN,)
    assert x_test.shape == (N_TEST, 8, 8)
    assert y_test.shape == (N_TEST,)
    for array in (x_train, y_train, x_test, y_test):
        assert isinstance(array, np.ndarray)
        assert array.dtype == np.uint8


def test_counts_add_up_to_source_size(data):
    (x_train, _), (x_test, _) = data
    assert len(x_train) + len(x_test) == N_TOTAL


def test_pixel_range_is_zero_to_sixteen(data):
    (x_train, _), (x_test, _) = data
    for x in (x_train, x_test):
        # Values must be the raw 0..16 block counts, not rescaled to 0..255.
        assert x.min() == 0
        assert x.max() == 16


def test_labels_cover_all_classes_in_both_parts(data):
    (_, y_train), (_, y_test) = data
    for y in (y_train, y_test):
        assert y.max() < NUM_CLASSES
        assert set(np.unique(y).tolist()) == set(range(NUM_CLASSES))


def test_split_is_stratified_twenty_percent(data):
    """Each class puts round-half-up(20 %) of its samples in the test part."""
    (_, y_train), (_, y_test) = data
    train_counts = np.bincount(y_train, minlength=NUM_CLASSES)
    test_counts = np.bincount(y_test, minlength=NUM_CLASSES)
    for n_train, n_test in zip(train_counts, test_counts):
        assert n_test == math.floor(0.2 * (n_train + n_test) + 0.5)


def test_loading_is_deterministic():
    first = digits.load_data()
    second = digits.load_data()
    for part_a, part_b in zip(first, second):
        for a, b in zip(part_a, part_b):
            np.testing.assert_array_equal(a, b)


def test_loaded_arrays_are_independent_copies():
    """Mutating one result must not leak into the next load."""
    (x_train, _), _ = digits.load_data()
    original = int(x_train[0, 0, 0])
    x_train[0, 0, 0] = 255
    (x_again, _), _ = digits.load_data()
    assert int(x_again[0, 0, 0]) == original


def test_bundled_file_is_small():
    path = os.path.join(os.path.dirname(digits.__file__), "digits.npz")
    assert os.path.getsize(path) < 200 * 1024
