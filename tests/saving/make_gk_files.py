"""Write graphkeras-made files for Keras to check (run with graphkeras; never imported by tests).

    cd /work/main && python tests/saving/make_gk_files.py

For each model of ``gk_models.BUILDERS`` it writes ``fixtures/<name>.h5`` and
``fixtures/<name>.keras`` plus ``fixtures/<name>_gk.npz`` (the inputs and
graphkeras's predictions). Then ``check_in_keras.py`` loads the files in Keras 3
and records what Keras saw. The tests rebuild the same models and check that
graphkeras still writes the same files.
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from tests.saving import gk_models  # noqa: E402

OUT = os.path.join(HERE, "fixtures")


def main():
    for name, build in gk_models.BUILDERS.items():
        model, x, train = build()
        model.save(os.path.join(OUT, f"{name}.h5"))
        model.save(os.path.join(OUT, f"{name}.keras"))
        xs = x if isinstance(x, list) else [x]
        pred = model.predict(x, verbose=0)
        preds = pred if isinstance(pred, list) else [pred]
        data = {f"x{i}": a for i, a in enumerate(xs)}
        data.update({f"y{i}": np.asarray(p) for i, p in enumerate(preds)})
        if train is not None:
            tx, ty = train
            for i, a in enumerate(tx if isinstance(tx, list) else [tx]):
                data[f"train_x{i}"] = a
            for i, a in enumerate(ty if isinstance(ty, list) else [ty]):
                data[f"train_y{i}"] = a
        np.savez(os.path.join(OUT, f"{name}_gk.npz"), **data)
        print("wrote", name)


if __name__ == "__main__":
    main()
