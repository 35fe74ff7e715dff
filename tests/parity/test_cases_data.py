"""The committed reference data is complete and sane (needs numpy only)."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_module(name):
    spec = importlib.util.spec_from_file_location(
        "parity_" + name, os.path.join(HERE, name + ".py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cases = _load_module("cases")
store = _load_module("store")
MANIFEST = store.load_manifest()
NAMES = list(cases.CASES)

MAX_DATA_BYTES = 2 * 1024 * 1024


def _file_keys(name):
    with np.load(store.data_path(name)) as f:
        return {k: f[k] for k in f.files}


def _count(arrays, prefix):
    n = 0
    while f"{prefix}_{n}" in arrays:
        n += 1
    return n


def test_cases_import_without_keras():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cases; "
        "assert 'keras' not in sys.modules, 'cases.py imported keras'; "
        "print(len(cases.CASES))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, HERE], capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(NAMES)


def test_manifest_matches_registry():
    assert list(MANIFEST["cases"]) == NAMES
    versions = MANIFEST["versions"]
    assert versions["keras"].startswith("3.")
    assert versions["backend"] == "jax"
    for name in NAMES:
        entry, info = MANIFEST["cases"][name], cases.INFO[name]
        # A changed tag list, flag or seed means the data is stale.
        for key in ("features", "train", "fit", "seed"):
            assert entry[key] == info[key], (name, key)


def test_data_dir_is_small():
    total = sum(
        os.path.getsize(os.path.join(store.DATA_DIR, f))
        for f in os.listdir(store.DATA_DIR)
    )
    assert total < MAX_DATA_BYTES


def test_data_files_belong_to_cases():
    files = {f[:-4] for f in os.listdir(store.DATA_DIR) if f.endswith(".npz")}
    assert files == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_case_file(name):
    info = cases.INFO[name]
    entry = MANIFEST["cases"][name]
    arrays = _file_keys(name)

    for k, v in arrays.items():
        if v.dtype.kind == "f":
            assert np.all(np.isfinite(v)), (name, k)

    assert "x" in arrays or "x_0" in arrays
    assert "y" in arrays or "y_0" in arrays
    x = store.unpack(arrays, "x")
    n = (x[0] if isinstance(x, list) else x).shape[0]
    for xi in x if isinstance(x, list) else [x]:
        assert xi.dtype == np.float32 and xi.shape[0] == n
    n_out = _count(arrays, "y") or 1
    if n_out == 1:
        assert "pred" in arrays and arrays["pred"].shape[0] == n
    else:
        assert _count(arrays, "pred") == n_out

    n_w = _count(arrays, "w0")
    assert n_w == entry["n_weights"] > 0
    w0 = [arrays[f"w0_{i}"] for i in range(n_w)]
    assert "eval_loss" in arrays
    assert sorted(store.by_prefix(arrays, "eval")) == entry["eval_keys"]

    if "train:sample_weight" in info["features"]:
        assert arrays["sw"].shape == (n,)

    bs = entry["batch_size"]
    if info["train"]:
        assert 3 * bs <= n
        tob = store.by_prefix(arrays, "tob")
        assert sorted(tob) == entry["tob_keys"] and "loss" in tob
        for v in tob.values():
            assert v.shape == (3,)
        w3 = [arrays[f"w3_{i}"] for i in range(n_w)]
        assert [a.shape for a in w3] == [a.shape for a in w0]
        moved = max(float(np.max(np.abs(a - b))) for a, b in zip(w3, w0))
        assert moved > 1e-3, "three steps should move the weights visibly"
    else:
        assert not [k for k in arrays if k.startswith(("tob_", "w3_"))]

    if info["fit"]:
        epochs = int(arrays["epochs_run"])
        assert 1 <= epochs <= 5 and epochs == entry["epochs_run"]
        hist = store.by_prefix(arrays, "hist")
        assert sorted(hist) == sorted(entry["hist_keys"])
        assert "loss" in hist and "val_loss" in hist
        for v in hist.values():
            assert v.shape == (epochs,)
        wf = [arrays[f"wf_{i}"] for i in range(n_w)]
        assert [a.shape for a in wf] == [a.shape for a in w0]
    else:
        assert "epochs_run" not in arrays
        assert not [k for k in arrays if k.startswith(("hist_", "wf_"))]


def test_early_stopping_fires_somewhere():
    fit = [e for e in MANIFEST["cases"].values() if e["fit"]]
    assert sum(e["epochs_run"] < 5 for e in fit) >= 2
    assert any(e["epochs_run"] == 5 for e in fit)


def test_feature_lookup():
    assert "two_outputs" in cases.cases_with("model:two_outputs")
    assert "opt_sgd_clipvalue" in cases.cases_with("optimizer:SGD")
    everything = {t for i in cases.INFO.values() for t in i["features"]}
    assert cases.cases_supported_by(everything) == NAMES
    assert cases.cases_supported_by(set()) == []
    for name in NAMES:
        assert cases.features_of(name)
