"""graphkeras → Keras, tested without Keras.

``fixtures/gk_*.{h5,keras}`` were written by graphkeras (``make_gk_files.py``) and
loaded in Keras 3.15.1 by ``check_in_keras.py``, which recorded Keras's view in
``fixtures/keras_verified.json`` and ``fixtures/gk_*.<ext>_keras.npz``. Here the
same models are written again and must give the same files (config, compile
arguments, weight layout and values, optimizer state), so what Keras verified
still holds for what graphkeras writes today.
"""

import io
import json
import zipfile

import h5py
import numpy as np
import pytest

from graphkeras.models import load_model
from graphkeras.saving.topology import keras_weights
from tests.saving import gk_models
from tests.saving.conftest import arrays, assert_close_lists, fixture

FILES = [f"{name}{ext}" for name in sorted(gk_models.BUILDERS) for ext in (".h5", ".keras")]


def _h5_contents(f):
    """Every attribute and dataset of an open HDF5 file, as comparable plain values."""
    out = {}

    def attrs(name, obj):
        for key, value in obj.attrs.items():
            if key in ("model_config", "training_config"):
                value = json.loads(value)
            elif isinstance(value, np.ndarray):
                value = [v.decode() if hasattr(v, "decode") else v for v in value.tolist()]
            elif hasattr(value, "decode"):
                value = value.decode()
            out[f"{name}@{key}"] = value
        if isinstance(obj, h5py.Dataset):
            out[name] = (str(obj.dtype), obj[()].tolist())
    attrs("/", f)
    f.visititems(attrs)
    out.pop("/@graphkeras_version", None)
    return out


def _contents(path):
    if str(path).endswith(".h5"):
        with h5py.File(path, "r") as f:
            return _h5_contents(f)
    with zipfile.ZipFile(path) as zf:
        out = {"config": json.loads(zf.read("config.json")), "names": zf.namelist()}
        meta = json.loads(zf.read("metadata.json"))
        out["keras_version"] = meta["keras_version"]
        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            out["weights"] = _h5_contents(f)
    return out


def test_keras_loaded_every_graphkeras_file():
    with open(fixture("keras_verified.json")) as f:
        report = json.load(f)
    assert sorted(report) == sorted(FILES)
    for name, entry in report.items():
        assert "error" not in entry, (name, entry.get("error"))
        assert entry["keras_version"] == "3.15.1"
        assert entry["load_warnings"] == [], name
        assert entry["max_abs_diff_vs_graphkeras"] < 1e-6, name
        if "optimizer_variables" in entry:
            assert entry["iterations_before_step"] == 1, name


@pytest.mark.parametrize("name", FILES)
def test_graphkeras_still_writes_the_verified_file(name, tmp_path):
    stem, ext = name.split(".", 1)
    model, _, _ = gk_models.BUILDERS[stem]()
    path = tmp_path / name
    model.save(path)
    _assert_same_file(_contents(path), _contents(fixture(name)))


def _assert_same_file(got, want, where="file"):
    """Structure, configs, names, dtypes and shapes exactly; trained values to 1e-4.

    Weights and optimizer state come from training steps, whose last bits move
    whenever the compiler regroups float arithmetic (fusion, other kernels), and
    Adam's normalization amplifies them: the tolerance is the one the Keras
    parity tests use for weights after training (tests/parity/README.md).
    """
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), where
        for key in want:
            _assert_same_file(got[key], want[key], f"{where}/{key}")
    elif isinstance(want, tuple) and len(want) == 2 and isinstance(want[0], str) \
            and want[0].startswith("float"):
        assert got[0] == want[0], where
        np.testing.assert_allclose(np.asarray(got[1]), np.asarray(want[1]), rtol=1e-4,
                                   atol=1e-5, err_msg=where)
    else:
        assert got == want, where


@pytest.mark.parametrize("name", [f for f in FILES if not f.startswith("gk_nestfunc")])
def test_training_resumed_in_graphkeras_matches_keras(name):
    """Keras restored the optimizer state graphkeras wrote: one more step agrees."""
    stem = name.split(".")[0]
    data = np.load(fixture(f"{stem}_gk.npz"))
    keras_step = np.load(fixture(f"{name}_keras.npz"))
    model = load_model(fixture(name))
    assert_close_lists(model.predict(arrays(data, "x"), verbose=0), arrays(keras_step, "y"))
    noise = _rounding_noise_steps(model, arrays(data, "train_x"))
    model.train_on_batch(arrays(data, "train_x"), arrays(data, "train_y"))
    weights = [v.numpy() for v in keras_weights(model)]
    expected = [keras_step[f"next_{i}"] for i in range(len(weights))]
    for i, mask in noise.items():
        np.testing.assert_allclose(weights[i][mask], expected[i][mask], atol=1e-4)
        weights[i], expected[i] = weights[i][~mask], expected[i][~mask]
    assert_close_lists(weights, expected, atol=2e-6)


def _rounding_noise_steps(model, x):
    """Weight elements whose exact gradient is zero, so Adam's step only follows rounding.

    In ``gk_seq`` a Dense bias feeds ReLU then BatchNormalization: for a unit
    whose ReLU is active on the whole batch, the bias shifts every sample
    equally and BatchNormalization's centring cancels it. The float32 gradient
    is then a few ulps of noise that Adam normalises into a step of up to its
    learning rate, in a direction no two implementations share bit for bit.
    Those elements are held to 1% of the step (0.01) instead of 2e-6.
    """
    if model.name != "gk_seq":
        return {}

    kernel, bias = (v.numpy() for v in keras_weights(model)[:2])
    active_on_all = (np.asarray(x) @ kernel + bias > 0).all(axis=0)
    return {1: active_on_all}
