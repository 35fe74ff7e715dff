"""Write the Keras-made test fixtures under ``tests/saving/fixtures/`` (never imported by tests).

Run it with the real Keras, once per flavour:

    KERAS_BACKEND=jax /tmp/kenv/bin/python tests/saving/make_fixtures.py k3
    /tmp/tfenv/bin/python tests/saving/make_fixtures.py k2

``k3`` needs Keras 3 (3.15.1 on JAX was used), ``k2`` needs tf.keras 2 (TensorFlow
2.15.1 with Keras 2.15.0). For every model it writes the model file(s) and an
``.npz`` with the same stem holding ``x`` (inputs), ``y`` (Keras's predictions),
and, for compiled models, the batch it trained on (``train_x``/``train_y``) and
the weights after one more training step taken *after* saving (``next_<i>``), so
a test can resume training from the file and compare with what Keras did.

Models are deliberately tiny: all fixtures together stay well under 1 MB.
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def _arrays(n, *shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n,) + s).astype("float32") for s in shapes]


def _one_hot(n, classes, seed=1):
    rng = np.random.default_rng(seed)
    return np.eye(classes, dtype="float32")[rng.integers(0, classes, size=n)]


def _record(stem, model, x, train=None, files=()):
    """Save Keras's predictions (and a post-save training step) next to the model files."""
    data = {}
    xs = x if isinstance(x, list) else [x]
    for i, a in enumerate(xs):
        data[f"x{i}"] = a
    pred = model.predict(x, verbose=0)
    preds = pred if isinstance(pred, list) else [pred]
    for i, p in enumerate(preds):
        data[f"y{i}"] = np.asarray(p)
    if train is not None:
        tx, ty = train
        txs = tx if isinstance(tx, list) else [tx]
        tys = ty if isinstance(ty, list) else [ty]
        for i, a in enumerate(txs):
            data[f"train_x{i}"] = a
        for i, a in enumerate(tys):
            data[f"train_y{i}"] = a
        model.train_on_batch(tx, ty)
        for i, w in enumerate(model.get_weights()):
            data[f"next_{i}"] = np.asarray(w)
    np.savez(os.path.join(OUT, stem + ".npz"), **data)
    print("wrote", stem, "->", ", ".join(files))


def make_k3():
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    version = keras.__version__

    # 1. Sequential: Dense + BatchNormalization, Adam, trained two steps.
    x, = _arrays(16, (4,))
    y = _one_hot(16, 3)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                              layers.BatchNormalization(), layers.Dense(3,
                                                                        activation="softmax")],
                             name="k3_seq")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    # .keras before .h5: the .h5 writer drops the optimizer from the compile config
    model.save(os.path.join(OUT, "k3_seq.keras"))
    model.save_weights(os.path.join(OUT, "k3_seq.weights.h5"))
    model.save(os.path.join(OUT, "k3_seq.h5"))
    _record("k3_seq", model, x[:5], train=(x, y),
            files=["k3_seq.keras", "k3_seq.weights.h5", "k3_seq.h5"])

    # 2. Functional: two inputs, a shared layer, two outputs, SGD with momentum.
    keras.utils.set_random_seed(1)
    a_in = keras.Input(shape=(4,), name="a_in")
    b_in = keras.Input(shape=(3,), name="b_in")
    fa = layers.Dense(5, activation="tanh", name="fooA")(a_in)
    fb = layers.Dense(5, name="fooB")(b_in)
    shared = layers.Dense(5, activation="relu", name="shared")
    sa, sb = shared(fa), shared(fb)
    out1 = layers.Dense(2, activation="softmax", name="out")(sa)
    out2 = layers.Dense(1, name="out2")(layers.Activation("sigmoid", name="act")(sb))
    model = keras.Model([a_in, b_in], [out1, out2], name="k3_func")
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=["categorical_crossentropy", "mse"], metrics=[["accuracy"], ["mae"]])
    xa, xb = _arrays(12, (4,), (3,), seed=2)
    ya, yb = _one_hot(12, 2, seed=3), _arrays(12, (1,), seed=4)[0]
    model.train_on_batch([xa, xb], [ya, yb])
    model.save(os.path.join(OUT, "k3_func.keras"))
    model.save(os.path.join(OUT, "k3_func.h5"))
    _record("k3_func", model, [xa[:4], xb[:4]], train=([xa, xb], [ya, yb]),
            files=["k3_func.keras", "k3_func.h5"])

    # 3. A Sequential nested in a Functional model, RMSprop (centered, momentum).
    keras.utils.set_random_seed(2)
    sub = keras.Sequential([layers.Dense(4, activation="relu", name="inner_d1"),
                            layers.Dense(4, name="inner_d2")], name="sub")
    n_in = keras.Input(shape=(3,), name="n_in")
    n_out = layers.Dense(2, name="head")(sub(n_in))
    model = keras.Model(n_in, n_out, name="k3_nested")
    model.compile(optimizer=keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                  loss="mse")
    nx, = _arrays(8, (3,), seed=5)
    ny, = _arrays(8, (2,), seed=6)
    model.train_on_batch(nx, ny)
    model.save(os.path.join(OUT, "k3_nested.keras"))
    model.save(os.path.join(OUT, "k3_nested.h5"))
    _record("k3_nested", model, nx[:4], train=(nx, ny),
            files=["k3_nested.keras", "k3_nested.h5"])

    # 4. A nested Functional model, uncompiled.
    keras.utils.set_random_seed(3)
    i_in = keras.Input(shape=(3,), name="i_in")
    inner = keras.Model(i_in, layers.Dense(4, activation="relu", name="inner_d")(i_in),
                        name="inner")
    o_in = keras.Input(shape=(3,), name="o_in")
    model = keras.Model(o_in, layers.Dense(2, name="head")(inner(o_in)), name="k3_nestfunc")
    model.save(os.path.join(OUT, "k3_nestfunc.keras"))
    model.save(os.path.join(OUT, "k3_nestfunc.h5"))
    _record("k3_nestfunc", model, nx[:4], files=["k3_nestfunc.keras", "k3_nestfunc.h5"])

    # 5. Layers beyond Dense: Dropout, Flatten, Add, Concatenate (uncompiled).
    keras.utils.set_random_seed(4)
    m_in = keras.Input(shape=(2, 3), name="m_in")
    flat = layers.Flatten(name="flat")(m_in)
    d1 = layers.Dense(4, name="d1")(flat)
    d2 = layers.Dense(4, name="d2")(layers.Dropout(0.3, name="drop")(flat))
    added = layers.Add(name="add")([d1, d2])
    cat = layers.Concatenate(name="cat")([added, d1])
    model = keras.Model(m_in, layers.Dense(2, name="m_out")(cat), name="k3_layers")
    mx, = _arrays(4, (2, 3), seed=7)
    model.save(os.path.join(OUT, "k3_layers.keras"))
    model.save(os.path.join(OUT, "k3_layers.h5"))
    _record("k3_layers", model, mx, files=["k3_layers.keras", "k3_layers.h5"])

    # 6. A Lambda layer: loading it must be refused unless safe_mode=False.
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Lambda(lambda t: t * 2.0,
                                                                     name="double"),
                              layers.Dense(2, name="after")], name="k3_lambda")
    model.save(os.path.join(OUT, "k3_lambda.keras"))
    model.save(os.path.join(OUT, "k3_lambda.h5"))
    _record("k3_lambda", model, nx[:3], files=["k3_lambda.keras", "k3_lambda.h5"])

    with open(os.path.join(OUT, "k3_VERSION.txt"), "w") as f:
        import jax
        f.write(f"keras {version}, backend {keras.backend.backend()}, jax {jax.__version__}\n")


def make_k2():
    import tensorflow as tf
    keras = tf.keras
    layers = keras.layers

    tf.keras.utils.set_random_seed(0)

    # 1. Sequential with Dense + BatchNormalization and the new (TF >= 2.11) Adam.
    x, = _arrays(16, (4,))
    y = _one_hot(16, 3)
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                              layers.BatchNormalization(),
                              layers.Dense(3, activation="softmax")], name="k2_seq")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    model.save(os.path.join(OUT, "k2_seq.h5"))
    model.save_weights(os.path.join(OUT, "k2_seq_weights.h5"))
    _record("k2_seq", model, x[:5], files=["k2_seq.h5", "k2_seq_weights.h5"])

    # 2. Functional: two inputs (one listed late), a shared layer, the loss string "mse",
    #    a legacy SGD (writes `lr`-era configs and `iter` state).
    tf.keras.utils.set_random_seed(1)
    a_in = keras.Input(shape=(4,), name="a_in")
    b_in = keras.Input(shape=(3,), name="b_in")
    fa = layers.Dense(5, activation="tanh", name="fooA")(a_in)
    shared = layers.Dense(5, activation="relu", name="shared")
    sa = shared(fa)
    sb = shared(layers.Dense(5, name="fooB")(b_in))
    out1 = layers.Dense(2, activation="softmax", name="out")(sa)
    out2 = layers.Dense(1, name="out2")(sb)
    model = keras.Model([a_in, b_in], [out1, out2], name="k2_func")
    model.compile(optimizer=keras.optimizers.legacy.SGD(0.05, momentum=0.9),
                  loss=["categorical_crossentropy", "mse"])
    xa, xb = _arrays(12, (4,), (3,), seed=2)
    ya, yb = _one_hot(12, 2, seed=3), _arrays(12, (1,), seed=4)[0]
    model.train_on_batch([xa, xb], [ya, yb])
    model.save(os.path.join(OUT, "k2_func.h5"))
    _record("k2_func", model, [xa[:4], xb[:4]], files=["k2_func.h5"])

    # 3. Layers beyond Dense (uncompiled).
    tf.keras.utils.set_random_seed(4)
    m_in = keras.Input(shape=(2, 3), name="m_in")
    flat = layers.Flatten(name="flat")(m_in)
    d1 = layers.Dense(4, name="d1")(flat)
    d2 = layers.Dense(4, name="d2")(layers.Dropout(0.3, name="drop")(flat))
    added = layers.Add(name="add")([d1, d2])
    cat = layers.Concatenate(name="cat")([added, d1])
    model = keras.Model(m_in, layers.Dense(2, name="m_out")(cat), name="k2_layers")
    mx, = _arrays(4, (2, 3), seed=7)
    model.save(os.path.join(OUT, "k2_layers.h5"))
    _record("k2_layers", model, mx, files=["k2_layers.h5"])

    # 4. A Sequential nested in a Functional model (Keras 2 numbers its nodes from 1).
    tf.keras.utils.set_random_seed(2)
    sub = keras.Sequential([layers.Dense(4, activation="relu", name="inner_d1",
                                         input_shape=(3,)),
                            layers.Dense(4, name="inner_d2")], name="sub")
    n_in = keras.Input(shape=(3,), name="n_in")
    model = keras.Model(n_in, layers.Dense(2, name="head")(sub(n_in)), name="k2_nested")
    nx, = _arrays(8, (3,), seed=5)
    model.save(os.path.join(OUT, "k2_nested.h5"))
    _record("k2_nested", model, nx[:4], files=["k2_nested.h5"])

    # 5. A Lambda in a legacy .h5 (Keras 2 would load it without asking).
    model = keras.Sequential([layers.Lambda(lambda t: t * 2.0, name="double",
                                            input_shape=(3,)),
                              layers.Dense(2, name="after")], name="k2_lambda")
    model.save(os.path.join(OUT, "k2_lambda.h5"))
    _record("k2_lambda", model, x[:3, :3], files=["k2_lambda.h5"])

    with open(os.path.join(OUT, "k2_VERSION.txt"), "w") as f:
        import keras as keras_package
        f.write(f"tensorflow {tf.__version__}, keras {keras_package.__version__}\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    which = sys.argv[1] if len(sys.argv) > 1 else "k3"
    {"k3": make_k3, "k2": make_k2}[which]()
