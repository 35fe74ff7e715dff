"""Faults: failed writes keep the old file; bad files fail clearly and change nothing."""

import errno
import os
import shutil
import zipfile

import h5py
import numpy as np
import pytest

import graphkeras
from graphkeras.models import load_model
from graphkeras.saving import FileFormatError
from tests.saving import gk_models
from tests.saving.conftest import fixture


def _leftovers(directory, keep):
    return sorted(set(os.listdir(directory)) - set(keep))


def _fail_after(monkeypatch, cls, method, calls, error):
    original = getattr(cls, method)
    count = {"n": 0}

    def failing(self, *args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise error
        return original(self, *args, **kwargs)
    monkeypatch.setattr(cls, method, failing)
    return count


@pytest.mark.parametrize("ext", [".h5", ".weights.h5"])
def test_h5_write_failing_half_way_keeps_the_old_file(ext, tmp_path, monkeypatch):
    model, _, (x, y) = gk_models.seq_adam()
    path = tmp_path / f"m{ext}"
    save = model.save_weights if ext == ".weights.h5" else model.save
    save(path)
    before = path.read_bytes()
    model.train_on_batch(x, y)  # different weights: a completed save would change the file
    count = _fail_after(monkeypatch, h5py.Dataset, "__setitem__", 3,
                        OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OSError, match="No space left"):
        save(path)
    assert count["n"] == 4  # it failed after writing some datasets
    assert path.read_bytes() == before
    assert _leftovers(tmp_path, [path.name]) == []
    monkeypatch.undo()
    reloaded = load_model(path) if ext == ".h5" else None
    if reloaded is not None:
        assert reloaded.optimizer.iterations == 1


def test_keras_archive_write_failing_half_way_keeps_the_old_file(tmp_path, monkeypatch):
    model, _, (x, y) = gk_models.seq_adam()
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    model.train_on_batch(x, y)
    _fail_after(monkeypatch, zipfile.ZipFile, "writestr", 2, OSError(errno.EIO, "I/O error"))
    with pytest.raises(OSError, match="I/O error"):
        model.save(path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path, [path.name]) == []


def test_first_save_failing_leaves_no_file(tmp_path, monkeypatch):
    model, _, _ = gk_models.plain_uncompiled()
    _fail_after(monkeypatch, h5py.Dataset, "__setitem__", 1, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        model.save(tmp_path / "m.h5")
    assert os.listdir(tmp_path) == []


def test_saved_file_permissions_are_ordinary(tmp_path):
    model, _, _ = gk_models.plain_uncompiled()
    model.save(tmp_path / "m.keras")
    mask = os.umask(0)
    os.umask(mask)
    assert (os.stat(tmp_path / "m.keras").st_mode & 0o777) == (0o666 & ~mask)


# -- bad files ------------------------------------------------------------------------------

def _truncated(src, dst, fraction=0.5):
    data = open(src, "rb").read()
    open(dst, "wb").write(data[:int(len(data) * fraction)])
    return dst


@pytest.mark.parametrize("name", ["gk_seq.h5", "gk_seq.keras", "k3_seq.keras", "k2_seq.h5"])
def test_truncated_files(name, tmp_path):
    path = _truncated(fixture(name), tmp_path / name)
    with pytest.raises(FileFormatError) as info:
        load_model(path)
    assert str(path) in str(info.value)
    assert "truncated" in str(info.value) or "corrupt" in str(info.value)


def test_corrupt_bytes_inside_a_weights_member(tmp_path):
    path = tmp_path / "m.h5"
    shutil.copy(fixture("gk_nestfunc.h5"), path)
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 97):  # scribble over the datasets, keep the header
        data[i] = (data[i] + 101) % 256
    path.write_bytes(bytes(data))
    with pytest.raises((FileFormatError, NotImplementedError)) as info:
        load_model(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("content,problem", [
    (b"this is not a model\n" * 10, "neither"),
    (b"PK\x03\x04garbage" * 10, "zip"),
    (b"", "neither"),
])
def test_foreign_files(content, problem, tmp_path):
    path = tmp_path / "x.keras"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=problem) as info:
        load_model(path)
    assert str(path) in str(info.value)


def test_hdf5_without_a_model(tmp_path):
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(FileFormatError, match="without a model"):
        load_model(path)
    model, _, _ = gk_models.plain_uncompiled()
    with pytest.raises(FileFormatError, match="without Keras weights"):
        model.load_weights(path)
    weights_only = tmp_path / "w.h5"
    model.save_weights(weights_only)
    with pytest.raises(FileFormatError, match="weights only"):
        load_model(weights_only)


def test_zip_without_a_model(tmp_path):
    path = tmp_path / "x.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(FileFormatError, match="config.json"):
        load_model(path)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", "{not json")
    with pytest.raises(FileFormatError, match="JSON"):
        load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nope.keras")


@pytest.mark.parametrize("name", ["k3_func.h5", "k3_seq.weights.h5", "k3_seq.keras",
                                  "gk_func.keras", "k2_seq_weights.h5"])
def test_weights_of_another_architecture_leave_the_model_unchanged(name):
    model, _, _ = gk_models.plain_uncompiled()
    before = model.get_weights()
    with pytest.raises(FileFormatError, match="another architecture") as info:
        model.load_weights(fixture(name))
    assert name in str(info.value)
    for old, new in zip(before, model.get_weights()):
        assert np.array_equal(old, new)


def test_a_weight_of_the_wrong_shape_leaves_the_model_unchanged(tmp_path):
    model, _, _ = gk_models.seq_adam()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense_1/vars/1"]
        f["layers/dense_1/vars/1"] = np.zeros(4, "float32")
    twin = graphkeras.models.model_from_json(model.to_json())
    before = twin.get_weights()
    with pytest.raises(FileFormatError, match="shape"):
        twin.load_weights(tmp_path / "w.weights.h5")
    for old, new in zip(before, twin.get_weights()):
        assert np.array_equal(old, new)
