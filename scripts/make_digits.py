"""Build ``graphkeras/datasets/digits.npz`` from scikit-learn's copy of UCI digits.

This is a one-off maintenance script, not part of the graphkeras runtime. It is kept
in the repository so that the shipped ``digits.npz`` can be audited and regenerated.
It needs scikit-learn, which graphkeras does not depend on, so run it from a scratch
environment, e.g.::

    python -m venv /tmp/skvenv
    /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python scripts/make_digits.py

Source
    UCI Machine Learning Repository, "Optical Recognition of Handwritten Digits",
    E. Alpaydin and C. Kaynak, 1998 (https://doi.org/10.24432/C50P49).
    scikit-learn distributes the 1,797-sample ``optdigits.tes`` part of it as
    ``sklearn/datasets/data/digits.csv.gz``: one sample per row, 64 pixel counts
    (row-major 8x8, integers 0..16) followed by the digit label.

Licence
    Creative Commons Attribution 4.0 International (CC BY 4.0),
    https://creativecommons.org/licenses/by/4.0/. Changes made here: pixels are
    reshaped to (8, 8) and stored as uint8, labels as uint8, and the samples are
    divided into train and test parts as described below. Pixel values and labels
    are not altered.

Split (the exact recipe; ``load_data`` users depend on it staying fixed)
    1. ``rng = numpy.random.default_rng(0)``, one generator shared by all classes.
    2. For each class ``c`` in ascending order 0..9:
       ``idx = numpy.flatnonzero(y == c)`` (ascending source row numbers),
       ``n_test = floor(0.2 * len(idx) + 0.5)`` (20 %, rounded half up), and the test
       rows of that class are ``rng.permutation(idx)[:n_test]``.
    3. A sample is in the test part if it was picked in step 2, otherwise in the
       train part. Both parts keep the original source row order.
    With scikit-learn's file this gives 1,438 train and 359 test samples.

The arrays are written with ``numpy.savez_compressed`` under the keys ``x_train``,
``y_train``, ``x_test`` and ``y_test``. The array contents are reproducible; the .npz
bytes are not, because the zip container records the time of writing. The shipped
file was made with scikit-learn 1.9.1 and numpy 2.4.6; that ``digits.csv.gz`` had
SHA-256 09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22.
"""

import argparse
import gzip
import hashlib
import os
from importlib import resources

import numpy as np

SEED = 0
TEST_FRACTION = 0.2
NUM_CLASSES = 10
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "graphkeras", "datasets", "digits.npz")


def read_source():
    """Return ``(x, y, sha256)`` parsed from scikit-learn's bundled ``digits.csv.gz``.

    The csv is read directly (rather than through ``load_digits``, which converts to
    float64) so that the integer values are taken exactly as distributed.
    """
    blob = resources.files("sklearn.datasets.data").joinpath("digits.csv.gz").read_bytes()
    raw = np.loadtxt(gzip.decompress(blob).decode("ascii").splitlines(),
                     delimiter=",", dtype=np.int64)
    if raw.shape != (1797, 65):
        raise ValueError(f"unexpected csv shape {raw.shape}, expected (1797, 65)")
    pixels, labels = raw[:, :64], raw[:, 64]
    if pixels.min() < 0 or pixels.max() > 16:
        raise ValueError("pixel values outside 0..16")
    if set(np.unique(labels).tolist()) != set(range(NUM_CLASSES)):
        raise ValueError("labels are not exactly 0..9")
    x = pixels.reshape(-1, 8, 8).astype(np.uint8)
    y = labels.astype(np.uint8)
    return x, y, hashlib.sha256(blob).hexdigest()


def stratified_test_mask(y, seed=SEED, test_fraction=TEST_FRACTION):
    """Return a boolean mask over samples that is True for the test part.

    Implements steps 1-2 of the recipe in the module docstring.
    """
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(y), dtype=bool)
    for c in range(NUM_CLASSES):
        idx = np.flatnonzero(y == c)
        n_test = int(np.floor(test_fraction * len(idx) + 0.5))
        mask[rng.permutation(idx)[:n_test]] = True
    return mask


def main():
    """Parse arguments, build the split, write and re-check the .npz file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="output .npz path")
    args = parser.parse_args()

    x, y, sha = read_source()
    test = stratified_test_mask(y)
    arrays = {
        "x_train": x[~test], "y_train": y[~test],
        "x_test": x[test], "y_test": y[test],
    }
    np.savez_compressed(args.out, **arrays)

    # Read the file back so a bad write is caught here, not by a user.
    with np.load(args.out, allow_pickle=False) as saved:
        for key, value in arrays.items():
            if not np.array_equal(saved[key], value) or saved[key].dtype != value.dtype:
                raise RuntimeError(f"round trip mismatch for {key}")

    print(f"source digits.csv.gz sha256: {sha}")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    print(f"train {int((~test).sum())}, test {int(test.sum())}")
    print("train per class:", np.bincount(arrays["y_train"], minlength=NUM_CLASSES).tolist())
    print("test per class: ", np.bincount(arrays["y_test"], minlength=NUM_CLASSES).tolist())


if __name__ == "__main__":
    main()
