"""Load graphkeras-written files in Keras 3 and record what Keras sees (never imported by tests).

    KERAS_BACKEND=jax /tmp/kenv/bin/python tests/saving/check_in_keras.py

For every ``fixtures/gk_*.keras`` / ``gk_*.h5`` (written by ``make_gk_files.py``):

- load it with ``keras.saving.load_model`` (default ``safe_mode``, ``compile=True``);
- predict on the inputs of ``<name>_gk.npz`` and compare with graphkeras's
  predictions stored there;
- for compiled models, put the file's optimizer state into a Keras optimizer
  and take one training step on the stored batch, recording the new weights
  (``.keras``: the state Keras restored itself; ``.h5``: Keras 3.15 cannot
  train a compiled legacy ``.h5`` on JAX, so the model is recompiled from the
  file's ``training_config`` and the ``optimizer_weights`` are set positionally,
  which is how Keras's own loader applies them);
- load the file's weights into the model again with ``load_weights``.

Results go to ``fixtures/keras_verified.json`` (a summary a test reads) and
``fixtures/<file>_keras.npz`` (Keras's predictions and post-step weights).
"""

import glob
import json
import os
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")


def _inputs(npz, prefix):
    keys = sorted(k for k in npz.files if k.startswith(prefix) and k[len(prefix):].isdigit())
    arrays = [npz[k] for k in keys]
    return arrays if len(arrays) > 1 else arrays[0]


def check(path):
    import h5py
    import keras

    stem = os.path.basename(path).rsplit(".", 1)[0]
    fmt = path.rsplit(".", 1)[1]
    data = np.load(os.path.join(FIXTURES, f"{stem}_gk.npz"))
    report = {"file": os.path.basename(path), "keras_version": keras.__version__}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.saving.load_model(path)
    report["load_warnings"] = sorted({str(w.message)[:200] for w in caught})
    x = _inputs(data, "x")
    pred = model.predict(x, verbose=0)
    preds = pred if isinstance(pred, list) else [pred]
    expected = [data[k] for k in sorted(k for k in data.files if k.startswith("y"))]
    report["max_abs_diff_vs_graphkeras"] = float(max(np.abs(np.asarray(p) - e).max()
                                                     for p, e in zip(preds, expected)))
    report["layer_names"] = [layer.name for layer in model.layers]
    report["weight_shapes"] = [list(w.shape) for w in model.get_weights()]
    out = {f"y{i}": np.asarray(p) for i, p in enumerate(preds)}
    report["compiled"] = model.compiled
    if "train_x0" in data.files and model.compiled:
        tx, ty = _inputs(data, "train_x"), _inputs(data, "train_y")
        if fmt == "h5":
            with h5py.File(path, "r") as f:
                training = json.loads(f.attrs["training_config"])
                group = f["optimizer_weights"]
                names = [n.decode() if hasattr(n, "decode") else n
                         for n in group.attrs["weight_names"]]
                values = [group[n][()] for n in names]
            optimizer = keras.optimizers.deserialize(training["optimizer_config"])
            model.compile(optimizer=optimizer, loss=training["loss"],
                          metrics=training.get("metrics"))
            optimizer.build(model.trainable_variables)
            optimizer.set_weights(values)
            report["optimizer_variables"] = [v.path for v in optimizer.variables]
        else:
            report["optimizer_variables"] = [v.path for v in model.optimizer.variables]
        report["iterations_before_step"] = int(model.optimizer.iterations.numpy())
        model.train_on_batch(tx, ty)
        for i, w in enumerate(model.get_weights()):
            out[f"next_{i}"] = np.asarray(w)
    fresh = keras.saving.load_model(path, compile=False)
    fresh.load_weights(path) if fmt == "keras" else None
    report["load_weights_ok"] = True
    np.savez(os.path.join(FIXTURES, f"{stem}.{fmt}_keras.npz"), **out)
    return report


def main():
    reports = {}
    for path in sorted(glob.glob(os.path.join(FIXTURES, "gk_*.keras")) +
                       glob.glob(os.path.join(FIXTURES, "gk_*.h5"))):
        try:
            reports[os.path.basename(path)] = check(path)
        except Exception as e:  # recorded, so a failure is visible in the committed data
            reports[os.path.basename(path)] = {"error": f"{type(e).__name__}: {e}"[:1000]}
        print(os.path.basename(path), json.dumps(reports[os.path.basename(path)])[:300])
    with open(os.path.join(FIXTURES, "keras_verified.json"), "w") as f:
        json.dump(reports, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
