"""Tests for the Keras-cache dataset loaders in `graphkeras.datasets`.

Every test writes small fake files in the exact layout Keras leaves in its
cache into a temporary folder, points KERAS_HOME at it and loads them back.
"""

import gzip
import io
import json
import os
import pathlib
import pickle
import tarfile
import warnings

import numpy as np
import pytest

from graphkeras.datasets import _cache
from graphkeras.datasets import boston_housing
from graphkeras.datasets import cifar10
from graphkeras.datasets import fashion_mnist
from graphkeras.datasets import imdb
from graphkeras.datasets import mnist
from graphkeras.datasets import reuters

# np.random.RandomState(113): shuffling arange(4) then, with the same
# generator, arange(3) gives these orders (imdb shuffles train then test).
PERM_113_TRAIN4 = [3, 2, 0, 1]
PERM_113_TEST3 = [1, 0, 2]
# A fresh np.random.RandomState(113) shuffling arange(5) / arange(10).
PERM_113_OF5 = [1, 0, 3, 2, 4]
PERM_113_OF10 = [9, 3, 6, 1, 0, 7, 4, 8, 2, 5]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh KERAS_HOME; returns its (created) `datasets/` folder."""
    home = tmp_path / "keras_home"
    datasets = home / "datasets"
    datasets.mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(home))
    return datasets


def ragged(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, seq in enumerate(seqs):
        out[i] = list(seq)
    return out


def as_lists(array):
    assert isinstance(array, np.ndarray)
    assert array.dtype == object and array.ndim == 1
    return [list(seq) for seq in array]


class _Trap:
    """Pickles to a call that would create `marker` if it were executed."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


# ---------------------------------------------------------------------------
# Cache location.
# ---------------------------------------------------------------------------


def test_permutation_constants_are_randomstate_shuffles():
    rng = np.random.RandomState(113)
    assert list(_cache.shuffle_indices(rng, 4)) == PERM_113_TRAIN4
    assert list(_cache.shuffle_indices(rng, 3)) == PERM_113_TEST3
    fresh = np.random.RandomState(113)
    assert list(_cache.shuffle_indices(fresh, 5)) == PERM_113_OF5
    fresh = np.random.RandomState(113)
    assert list(_cache.shuffle_indices(fresh, 10)) == PERM_113_OF10


def test_keras_home_env_is_read_at_call_time(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "a"))
    assert _cache.datasets_dir() == os.path.join(str(tmp_path / "a"), "datasets")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "b"))
    assert _cache.datasets_dir("fashion-mnist") == os.path.join(
        str(tmp_path / "b"), "datasets", "fashion-mnist"
    )


def test_default_location_is_dot_keras_in_home(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _cache.datasets_dir() == os.path.join(str(tmp_path), ".keras", "datasets")
    datasets = tmp_path / ".keras" / "datasets"
    datasets.mkdir(parents=True)
    x = np.zeros((2, 28, 28), np.uint8)
    y = np.array([3, 4], np.uint8)
    np.savez(datasets / "mnist.npz", x_train=x, y_train=y, x_test=x, y_test=y)
    (x_train, y_train), _ = mnist.load_data()
    assert y_train.tolist() == [3, 4]


# ---------------------------------------------------------------------------
# MNIST.
# ---------------------------------------------------------------------------


def _mnist_arrays(n_train=5, n_test=3):
    rng = np.random.RandomState(0)
    return {
        "x_train": rng.randint(0, 256, (n_train, 28, 28)).astype(np.uint8),
        "y_train": rng.randint(0, 10, n_train).astype(np.uint8),
        "x_test": rng.randint(0, 256, (n_test, 28, 28)).astype(np.uint8),
        "y_test": rng.randint(0, 10, n_test).astype(np.uint8),
    }


def test_mnist_loads_cached_npz(cache):
    arrays = _mnist_arrays()
    np.savez(cache / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28)
    assert y_train.dtype == np.uint8 and y_train.shape == (5,)
    assert x_test.shape == (3, 28, 28) and y_test.shape == (3,)
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_mnist_path_argument(cache, tmp_path):
    arrays = _mnist_arrays()
    np.savez_compressed(cache / "my_mnist.npz", **arrays)
    (x_train, _), _ = mnist.load_data(path="my_mnist.npz")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    elsewhere = tmp_path / "elsewhere.npz"
    np.savez(elsewhere, **arrays)
    (_, y_train), _ = mnist.load_data(path=str(elsewhere))
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    (_, y_train), _ = mnist.load_data(path=elsewhere)  # PathLike
    np.testing.assert_array_equal(y_train, arrays["y_train"])


def test_mnist_missing_file_message(cache):
    with pytest.raises(FileNotFoundError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(cache / "mnist.npz") in message
    assert "'mnist.npz'" in message
    assert "://" not in message


def test_mnist_missing_custom_name_names_keras_file(cache):
    with pytest.raises(FileNotFoundError) as info:
        mnist.load_data(path="digits.npz")
    assert str(cache / "digits.npz") in str(info.value)
    assert "'mnist.npz'" in str(info.value)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda a: a.update(x_train=a["x_train"].astype(np.float32)),
         ["x_train", "float32", "uint8"]),
        (lambda a: a.pop("y_test"), ["y_test", "missing"]),
        (lambda a: a.update(x_test=a["x_test"][:, :, :27]), ["x_test", "28"]),
        (lambda a: a.update(y_train=a["y_train"][:2]), ["y_train", "5 entries"]),
    ],
)
def test_mnist_malformed_file(cache, change, words):
    arrays = _mnist_arrays()
    change(arrays)
    np.savez(cache / "mnist.npz", **arrays)
    with pytest.raises(ValueError) as info:
        mnist.load_data()
    message = str(info.value)
    assert str(cache / "mnist.npz") in message
    for word in words:
        assert word in message


def test_mnist_not_a_zip(cache):
    (cache / "mnist.npz").write_bytes(b"this is not an npz archive")
    with pytest.raises(ValueError, match="not a readable .npz"):
        mnist.load_data()


# ---------------------------------------------------------------------------
# Fashion-MNIST.
# ---------------------------------------------------------------------------


def _idx_labels(labels):
    header = np.array([2049, len(labels)], dtype=">u4").tobytes()
    return gzip.compress(header + np.asarray(labels, np.uint8).tobytes())


def _idx_images(images, magic=2051):
    n, rows, cols = images.shape
    header = np.array([magic, n, rows, cols], dtype=">u4").tobytes()
    return gzip.compress(header + images.astype(np.uint8).tobytes())


def _write_fashion(cache, n_train=4, n_test=2):
    folder = cache / "fashion-mnist"
    folder.mkdir()
    rng = np.random.RandomState(1)
    data = {
        "x_train": rng.randint(0, 256, (n_train, 28, 28)).astype(np.uint8),
        "y_train": rng.randint(0, 10, n_train).astype(np.uint8),
        "x_test": rng.randint(0, 256, (n_test, 28, 28)).astype(np.uint8),
        "y_test": rng.randint(0, 10, n_test).astype(np.uint8),
    }
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(_idx_labels(data["y_train"]))
    (folder / "train-images-idx3-ubyte.gz").write_bytes(_idx_images(data["x_train"]))
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(_idx_labels(data["y_test"]))
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(_idx_images(data["x_test"]))
    return folder, data


def test_fashion_mnist_loads_idx_gz_files(cache):
    _, data = _write_fashion(cache)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (4, 28, 28)
    assert y_train.dtype == np.uint8 and y_train.shape == (4,)
    assert x_test.shape == (2, 28, 28) and y_test.shape == (2,)
    for got, key in ((x_train, "x_train"), (y_train, "y_train"),
                     (x_test, "x_test"), (y_test, "y_test")):
        np.testing.assert_array_equal(got, data[key])
    x_train[0, 0, 0] = 7  # returned arrays are writable


def test_fashion_mnist_missing_file_message(cache):
    folder, _ = _write_fashion(cache)
    (folder / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert str(folder / "t10k-images-idx3-ubyte.gz") in message
    assert "://" not in message


def test_fashion_mnist_malformed_files(cache):
    folder, data = _write_fashion(cache)
    bad = folder / "train-images-idx3-ubyte.gz"
    bad.write_bytes(_idx_images(data["x_train"], magic=2049))
    with pytest.raises(ValueError, match="magic number") as info:
        fashion_mnist.load_data()
    assert str(bad) in str(info.value)
    bad.write_bytes(_idx_images(data["x_train"][:3]))
    with pytest.raises(ValueError, match="holds 3 images"):
        fashion_mnist.load_data()
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="gzip"):
        fashion_mnist.load_data()


# ---------------------------------------------------------------------------
# CIFAR-10.
# ---------------------------------------------------------------------------

CIFAR_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def _cifar_batches(per_batch=2, n_test=3):
    rng = np.random.RandomState(2)
    batches = {}
    for name in CIFAR_BATCHES:
        n = n_test if name == "test_batch" else per_batch
        batches[name] = {
            b"batch_label": name.encode(),
            b"labels": [int(v) for v in rng.randint(0, 10, n)],
            b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
            b"filenames": [b"img.png"] * n,
        }
    return batches


def _write_cifar_folder(folder, batches):
    folder.mkdir(parents=True)
    for name, batch in batches.items():
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)


def _write_cifar_archive(path, batches):
    with tarfile.open(path, "w:gz") as archive:
        for name, batch in batches.items():
            payload = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo("cifar-10-batches-py/" + name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))


def _check_cifar(result, batches):
    (x_train, y_train), (x_test, y_test) = result
    assert x_train.dtype == np.uint8 and x_train.shape == (10, 32, 32, 3)
    assert y_train.dtype == np.uint8 and y_train.shape == (10, 1)
    assert x_test.dtype == np.uint8 and x_test.shape == (3, 32, 32, 3)
    assert y_test.dtype == np.uint8 and y_test.shape == (3, 1)
    train_labels = sum((batches[n][b"labels"] for n in CIFAR_BATCHES[:5]), [])
    assert y_train[:, 0].tolist() == train_labels
    assert y_test[:, 0].tolist() == batches["test_batch"][b"labels"]
    # Channel planes of 1024 values, rows of 32: channels-last indexing.
    second = batches["data_batch_2"][b"data"]
    for ch, r, c in [(0, 0, 0), (1, 5, 7), (2, 31, 30)]:
        assert x_train[3, r, c, ch] == second[1, ch * 1024 + r * 32 + c]
    test = batches["test_batch"][b"data"]
    assert x_test[2, 10, 20, 1] == test[2, 1024 + 10 * 32 + 20]


def test_cifar10_keras3_extracted_folder(cache):
    batches = _cifar_batches()
    _write_cifar_folder(
        cache / "cifar-10-batches-py-target" / "cifar-10-batches-py", batches
    )
    _check_cifar(cifar10.load_data(), batches)


def test_cifar10_legacy_extracted_folder(cache):
    batches = _cifar_batches()
    _write_cifar_folder(cache / "cifar-10-batches-py", batches)
    _check_cifar(cifar10.load_data(), batches)


@pytest.mark.parametrize(
    "name",
    ["cifar-10-batches-py-target_archive", "cifar-10-batches-py.tar.gz",
     "cifar-10-python.tar.gz"],
)
def test_cifar10_archive(cache, name):
    batches = _cifar_batches()
    _write_cifar_archive(cache / name, batches)
    _check_cifar(cifar10.load_data(), batches)


def test_cifar10_missing_message(cache):
    with pytest.raises(FileNotFoundError) as info:
        cifar10.load_data()
    message = str(info.value)
    assert str(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py") in message
    assert str(cache / "cifar-10-batches-py-target_archive") in message
    assert "cifar-10-python.tar.gz" in message
    assert "://" not in message


def test_cifar10_incomplete_folder(cache):
    folder = cache / "cifar-10-batches-py"
    _write_cifar_folder(folder, _cifar_batches())
    (folder / "data_batch_4").unlink()
    with pytest.raises(ValueError, match="data_batch_4") as info:
        cifar10.load_data()
    assert str(folder) in str(info.value)


def test_cifar10_malformed_batch(cache):
    batches = _cifar_batches()
    del batches["test_batch"][b"labels"]
    folder = cache / "cifar-10-batches-py"
    _write_cifar_folder(folder, batches)
    with pytest.raises(ValueError, match="'labels'") as info:
        cifar10.load_data()
    assert str(folder / "test_batch") in str(info.value)


def test_cifar10_refuses_foreign_pickle(cache, tmp_path):
    marker = tmp_path / "executed"
    batches = _cifar_batches()
    batches["data_batch_1"][b"data"] = _Trap(marker)
    _write_cifar_folder(cache / "cifar-10-batches-py", batches)
    with pytest.raises(ValueError, match="refusing"):
        cifar10.load_data()
    assert not marker.exists()


# ---------------------------------------------------------------------------
# IMDB.
# ---------------------------------------------------------------------------

IMDB_TRAIN = [[1, 2, 3], [4, 5], [6], [2, 7, 1, 8]]
IMDB_TRAIN_Y = [0, 1, 0, 1]
IMDB_TEST = [[3, 3], [9, 1, 2], [5]]
IMDB_TEST_Y = [1, 0, 1]


def _write_imdb(cache, name="imdb.npz"):
    np.savez(
        cache / name,
        x_train=ragged(IMDB_TRAIN),
        y_train=np.array(IMDB_TRAIN_Y, np.int64),
        x_test=ragged(IMDB_TEST),
        y_test=np.array(IMDB_TEST_Y, np.int64),
    )


def test_imdb_defaults(cache):
    # Seed 113 orders train as [3, 2, 0, 1] and test as [1, 0, 2]. Words
    # shift by 3 behind start_char 1. num_words defaults to the largest
    # index (12), which is itself outside [0, 12) and becomes oov_char 2.
    _write_imdb(cache)
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert as_lists(x_train) == [[1, 5, 10, 4, 11], [1, 9], [1, 4, 5, 6], [1, 7, 8]]
    assert y_train.tolist() == [1, 0, 0, 1]
    assert as_lists(x_test) == [[1, 2, 4, 5], [1, 6, 6], [1, 8]]
    assert y_test.tolist() == [0, 1, 1]
    assert y_train.dtype == np.int64
    assert all(type(w) is int for seq in x_train for w in seq)


def test_imdb_num_words_skip_top_maxlen(cache):
    # maxlen=4 keeps sequences of at most 3 tokens (start mark included);
    # everything outside [5, 8), start mark too, becomes 2.
    _write_imdb(cache)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(
        num_words=8, skip_top=5, maxlen=4
    )
    assert as_lists(x_train) == [[2, 2], [2, 7, 2]]
    assert y_train.tolist() == [0, 1]
    assert as_lists(x_test) == [[2, 6, 6], [2, 2]]
    assert y_test.tolist() == [1, 1]


def test_imdb_no_start_no_offset_drop_oov(cache):
    _write_imdb(cache)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(
        num_words=6, start_char=None, oov_char=None, index_from=0
    )
    assert as_lists(x_train) == [[2, 1], [], [1, 2, 3], [4, 5]]
    assert as_lists(x_test) == [[1, 2], [3, 3], [5]]
    assert y_train.tolist() == [1, 0, 0, 1]
    assert y_test.tolist() == [0, 1, 1]


def test_imdb_seed_changes_order_like_randomstate(cache):
    _write_imdb(cache)
    (x_train, _), (x_test, _) = imdb.load_data(seed=7, start_char=None, index_from=0,
                                               num_words=100)
    rng = np.random.RandomState(7)
    train_order = _cache.shuffle_indices(rng, 4)
    test_order = _cache.shuffle_indices(rng, 3)
    assert as_lists(x_train) == [IMDB_TRAIN[i] for i in train_order]
    assert as_lists(x_test) == [IMDB_TEST[i] for i in test_order]


def test_imdb_maxlen_too_small(cache):
    _write_imdb(cache)
    with pytest.raises(ValueError, match="maxlen=2"):
        imdb.load_data(maxlen=2)


def test_imdb_path_and_word_index(cache):
    _write_imdb(cache, name="reviews.npz")
    (x_train, _), _ = imdb.load_data(path="reviews.npz")
    assert len(x_train) == 4
    (cache / "imdb_word_index.json").write_text(json.dumps({"the": 1, "and": 2}))
    assert imdb.get_word_index() == {"the": 1, "and": 2}


def test_imdb_missing_messages(cache):
    with pytest.raises(FileNotFoundError) as info:
        imdb.load_data()
    assert str(cache / "imdb.npz") in str(info.value)
    with pytest.raises(FileNotFoundError) as info:
        imdb.get_word_index()
    assert str(cache / "imdb_word_index.json") in str(info.value)
    assert "://" not in str(info.value)


def test_imdb_malformed(cache):
    np.savez(
        cache / "imdb.npz",
        x_train=ragged([[1, 2], ["a", "b"]]),
        y_train=np.array([0, 1]),
        x_test=ragged([[1]]),
        y_test=np.array([0]),
    )
    with pytest.raises(ValueError, match="entry 1 of array 'x_train'"):
        imdb.load_data()
    np.savez(
        cache / "imdb.npz",
        x_train=ragged([[1, 2], [3]]),
        y_train=np.array([0, 1, 1]),
        x_test=ragged([[1]]),
        y_test=np.array([0]),
    )
    with pytest.raises(ValueError, match="y_train"):
        imdb.load_data()
    (cache / "imdb_word_index.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object") as info:
        imdb.get_word_index()
    assert str(cache / "imdb_word_index.json") in str(info.value)


def test_imdb_refuses_foreign_pickle(cache, tmp_path):
    marker = tmp_path / "executed"
    trapped = np.empty(2, dtype=object)
    trapped[0] = [1, 2]
    trapped[1] = _Trap(marker)
    np.savez(
        cache / "imdb.npz",
        x_train=trapped,
        y_train=np.array([0, 1]),
        x_test=ragged([[1]]),
        y_test=np.array([0]),
    )
    with pytest.raises(ValueError, match="refusing"):
        imdb.load_data()
    assert not marker.exists()


# ---------------------------------------------------------------------------
# Reuters.
# ---------------------------------------------------------------------------

REUTERS_X = [[1, 2], [3], [4, 5, 6], [7], [2, 2, 8]]
REUTERS_Y = [3, 0, 1, 4, 2]


def _write_reuters(cache, name="reuters.npz"):
    np.savez(cache / name, x=ragged(REUTERS_X), y=np.array(REUTERS_Y, np.int64))


def test_reuters_defaults(cache):
    # Seed 113 orders the five newswires as [1, 0, 3, 2, 4]; 80% of 5 gives
    # 4 training items. Largest index 11 falls outside [0, 11) -> 2.
    _write_reuters(cache)
    (x_train, y_train), (x_test, y_test) = reuters.load_data()
    assert as_lists(x_train) == [[1, 6], [1, 4, 5], [1, 10], [1, 7, 8, 9]]
    assert y_train.tolist() == [0, 3, 4, 1]
    assert as_lists(x_test) == [[1, 5, 5, 2]]
    assert y_test.tolist() == [2]


def test_reuters_options(cache):
    # maxlen=4 drops the two 4-token items; test_split=0.5 -> int(3 * 0.5) = 1
    # training item; with oov_char None words outside [4, 7) are dropped.
    _write_reuters(cache)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(
        num_words=7, skip_top=4, maxlen=4, test_split=0.5, oov_char=None
    )
    assert as_lists(x_train) == [[6]]
    assert y_train.tolist() == [0]
    assert as_lists(x_test) == [[4, 5], []]
    assert y_test.tolist() == [3, 4]


def test_reuters_path_word_index_and_labels(cache):
    _write_reuters(cache, name="news.npz")
    (x_train, _), (x_test, _) = reuters.load_data(path="news.npz", test_split=0.4)
    assert (len(x_train), len(x_test)) == (3, 2)
    (cache / "reuters_word_index.json").write_text(json.dumps({"said": 3}))
    assert reuters.get_word_index() == {"said": 3}
    names = reuters.get_label_names()
    assert len(names) == 46
    assert names[3] == "earn" and names[-1] == "lead"


def test_reuters_missing_and_malformed(cache):
    with pytest.raises(FileNotFoundError) as info:
        reuters.load_data()
    assert str(cache / "reuters.npz") in str(info.value)
    np.savez(cache / "reuters.npz", x=ragged(REUTERS_X))
    with pytest.raises(ValueError, match="'y'") as info:
        reuters.load_data()
    assert str(cache / "reuters.npz") in str(info.value)
    (cache / "reuters_word_index.json").write_text(json.dumps({"said": "3"}))
    with pytest.raises(ValueError, match="not an integer"):
        reuters.get_word_index()


# ---------------------------------------------------------------------------
# Boston Housing.
# ---------------------------------------------------------------------------


def _boston_arrays(n=10):
    x = np.arange(n * 13, dtype=np.float64).reshape(n, 13)
    y = np.arange(n, dtype=np.float64) + 0.5
    return x, y


def test_boston_housing_split_and_shuffle(cache):
    x, y = _boston_arrays()
    np.savez(cache / "boston_housing.npz", x=x, y=y)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13)
    assert x_train.dtype == np.float64 and y_train.dtype == np.float64
    np.testing.assert_array_equal(y_train, y[PERM_113_OF10[:8]])
    np.testing.assert_array_equal(y_test, y[PERM_113_OF10[8:]])
    np.testing.assert_array_equal(x_test, x[PERM_113_OF10[8:]])
    (x_train, _), (x_test, _) = boston_housing.load_data(test_split=0.0)
    assert (len(x_train), len(x_test)) == (10, 0)


def test_boston_housing_path_missing_and_malformed(cache, tmp_path):
    x, y = _boston_arrays(6)
    own = tmp_path / "own.npz"
    np.savez(own, x=x, y=y)
    (x_train, _), (x_test, _) = boston_housing.load_data(path=str(own), test_split=0.5)
    assert (len(x_train), len(x_test)) == (3, 3)
    with pytest.raises(FileNotFoundError) as info:
        boston_housing.load_data()
    assert str(cache / "boston_housing.npz") in str(info.value)
    np.savez(cache / "boston_housing.npz", x=x[:, :12], y=y)
    with pytest.raises(ValueError, match="13") as info:
        boston_housing.load_data()
    assert str(cache / "boston_housing.npz") in str(info.value)
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=1.0)


def test_restricted_load_accepts_numpy1_module_names():
    # Files written under numpy 1.x name `numpy.core.multiarray`; numpy 2.x
    # writes `numpy._core.multiarray`. Both must load, silently.
    array = np.arange(6, dtype=np.int32).reshape(2, 3)
    payload = pickle.dumps(array, protocol=2)
    for old, new in ((b"numpy._core.", b"numpy.core."), (b"numpy.core.", b"numpy._core.")):
        variant = payload.replace(old, new)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loaded = _cache.restricted_load(io.BytesIO(variant), encoding="latin1")
        np.testing.assert_array_equal(loaded, array)
