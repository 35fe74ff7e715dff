"""Read and write the parity data files (numpy only, no Keras).

One ``data/<case>.npz`` per case.  Key layout:

    x | x_0, x_1 ...        inputs (list form for several inputs)
    y | y_0, y_1 ...        targets (list form for several outputs)
    sw                      sample weights for train_on_batch (optional)
    w0_<i>                  initial weights, model.get_weights() order
    pred | pred_<j>         model.predict(x, batch_size) at w0
    eval_<key>              model.evaluate(x, y, batch_size) logs at w0
    tob_<key>               (3,) logs of 3 train_on_batch calls (train)
    w3_<i>                  weights after those 3 steps (train)
    hist_<key>              per-epoch History values of the fit run (fit)
    epochs_run              number of epochs the fit run completed (fit)
    wf_<i>                  weights at the end of the fit run (fit)
"""

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data")
MANIFEST = os.path.join(DATA_DIR, "manifest.json")


def data_path(name):
    return os.path.join(DATA_DIR, name + ".npz")


def pack(prefix, value):
    """Flatten an array or a list of arrays into npz entries."""
    if isinstance(value, (list, tuple)):
        return {f"{prefix}_{i}": np.asarray(v) for i, v in enumerate(value)}
    return {prefix: np.asarray(value)}


def unpack(arrays, prefix):
    """Inverse of ``pack``: an array, a list of arrays, or None."""
    if prefix in arrays:
        return arrays[prefix]
    items = []
    while f"{prefix}_{len(items)}" in arrays:
        items.append(arrays[f"{prefix}_{len(items)}"])
    return items or None


def by_prefix(arrays, prefix):
    """``{key: array}`` for every ``<prefix>_<key>`` entry."""
    start = prefix + "_"
    return {k[len(start):]: arrays[k] for k in arrays if k.startswith(start)}


def load(name):
    """Everything stored for one case, with structures restored."""
    with np.load(data_path(name)) as f:
        arrays = {k: f[k] for k in f.files}
    out = {
        "arrays": arrays,
        "x": unpack(arrays, "x"),
        "y": unpack(arrays, "y"),
        "sample_weight": arrays.get("sw"),
        "w0": unpack(arrays, "w0"),
        "pred": unpack(arrays, "pred"),
        "eval": by_prefix(arrays, "eval"),
        "tob": by_prefix(arrays, "tob"),
        "w3": unpack(arrays, "w3"),
        "hist": by_prefix(arrays, "hist"),
        "wf": unpack(arrays, "wf"),
    }
    if "epochs_run" in arrays:
        out["epochs_run"] = int(arrays["epochs_run"])
    return out


def load_manifest():
    with open(MANIFEST) as f:
        return json.load(f)
