"""Write the Keras reference data for every case in cases.py.

Run it with real Keras 3 on the JAX backend, from a scratch venv:

    KERAS_BACKEND=jax /tmp/kenv/bin/python tests/parity/generate.py [CASE ...]

With no CASE names every case is regenerated and the manifest rewritten.
"""

import json
import os
import platform
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
import store  # noqa: E402

TRAIN_STEPS = 3
FIT_EPOCHS = 5
VALIDATION_SPLIT = 0.25
PATIENCE = 1

# Layer classes whose presence needs no feature tag of their own.
UNTAGGED_LAYERS = {"InputLayer", "Sequential", "Functional"}


def _batch(value, start, stop):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [v[start:stop] for v in value]
    return value[start:stop]


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def _check_tags(name, spec):
    """Every layer class and the optimizer class must be tagged."""
    tags = set(spec["features"])
    missing = set()
    for layer in _all_layers(spec["model"]):
        cls = type(layer).__name__
        if cls not in UNTAGGED_LAYERS and cls not in tags:
            missing.add(cls)
    opt = type(spec["compile"]["optimizer"]).__name__
    if spec["train"] and not any(
        t.split(".")[0] == "optimizer:" + opt for t in tags
    ):
        missing.add("optimizer:" + opt)
    if missing:
        raise ValueError(f"{name}: untagged features {sorted(missing)}")


def _build(name):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    spec = cases.CASES[name](keras)
    spec["model"].compile(**spec["compile"])
    return spec


def _logs_to_arrays(prefix, logs):
    return {f"{prefix}_{k}": np.asarray(v, dtype=np.float32)
            for k, v in logs.items()}


def _min_rel_gap(values):
    """Smallest relative change between consecutive epochs: how close an
    EarlyStopping decision came to flipping."""
    v = np.asarray(values, np.float64)
    if len(v) < 2:
        return None
    return float(np.min(np.abs(np.diff(v)) / np.abs(v[:-1])))


def run_case(name):
    spec = _build(name)
    _check_tags(name, spec)
    model, bs = spec["model"], spec["batch_size"]
    x, y, sw = spec["x"], spec["y"], spec["sample_weight"]
    out = {}
    out.update(store.pack("x", x))
    out.update(store.pack("y", y))
    if sw is not None:
        out["sw"] = np.asarray(sw, dtype=np.float32)
    w0 = model.get_weights()
    out.update(store.pack("w0", w0))

    pred = model.predict(x, batch_size=bs, verbose=0)
    out.update(store.pack("pred", pred))
    logs = model.evaluate(x, y, batch_size=bs, verbose=0, return_dict=True)
    out.update(_logs_to_arrays("eval", logs))
    info = {"batch_size": bs, "n_weights": len(w0), "eval_keys": sorted(logs)}

    if spec["train"]:
        steps = []
        for i in range(TRAIN_STEPS):
            start, stop = i * bs, (i + 1) * bs
            steps.append(model.train_on_batch(
                _batch(x, start, stop), _batch(y, start, stop),
                sample_weight=_batch(sw, start, stop), return_dict=True,
            ))
        keys = sorted(steps[0])
        for k in keys:
            out["tob_" + k] = np.array([s[k] for s in steps], np.float32)
        out.update(store.pack("w3", model.get_weights()))
        info["tob_keys"] = keys

    if spec["fit"]:
        spec = _build(name)
        model = spec["model"]
        for a, b in zip(model.get_weights(), w0):
            np.testing.assert_array_equal(a, b)
        stop = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=PATIENCE, restore_best_weights=True,
        )
        history = model.fit(
            x, y, epochs=FIT_EPOCHS, batch_size=bs,
            validation_split=VALIDATION_SPLIT, shuffle=False, verbose=0,
            callbacks=[stop],
        )
        hist = history.history
        out["epochs_run"] = np.array(len(hist["loss"]), np.int32)
        for k, values in hist.items():
            out["hist_" + k] = np.asarray(values, np.float32)
        out.update(store.pack("wf", model.get_weights()))
        info.update(
            hist_keys=list(hist),
            epochs_run=len(hist["loss"]),
            stopped_epoch=int(stop.stopped_epoch),
            best_epoch=int(stop.best_epoch),
            val_loss_min_rel_gap=_min_rel_gap(hist["val_loss"]),
        )

    for k, v in out.items():
        if v.dtype.kind == "f" and not np.all(np.isfinite(v)):
            raise ValueError(f"{name}: non-finite values in {k}")
    np.savez_compressed(store.data_path(name), **out)
    return info


def main(argv):
    names = argv or list(cases.CASES)
    unknown = [n for n in names if n not in cases.CASES]
    if unknown:
        raise SystemExit(f"unknown cases: {unknown}")
    os.makedirs(store.DATA_DIR, exist_ok=True)
    manifest = {"cases": {}}
    if argv and os.path.exists(store.MANIFEST):
        manifest = store.load_manifest()
    for name in names:
        info = run_case(name)
        entry = dict(cases.INFO[name])
        entry.update(info)
        manifest["cases"][name] = entry
        print(f"{name}: {info.get('tob_keys', '')} "
              f"epochs={info.get('epochs_run', '-')}", flush=True)
    import jax
    import jaxlib
    manifest["versions"] = {
        "keras": keras.__version__,
        "jax": jax.__version__,
        "jaxlib": jaxlib.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "backend": keras.backend.backend(),
    }
    manifest["settings"] = {
        "train_steps": TRAIN_STEPS,
        "fit_epochs": FIT_EPOCHS,
        "validation_split": VALIDATION_SPLIT,
        "early_stopping": {
            "monitor": "val_loss", "patience": PATIENCE,
            "restore_best_weights": True,
        },
        "shuffle": False,
    }
    manifest["cases"] = {n: manifest["cases"][n] for n in cases.CASES
                         if n in manifest["cases"]}
    with open(store.MANIFEST, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
