"""Small graphkeras models with fixed weights, shared by the tests and ``make_gk_files.py``.

Each builder returns ``(model, inputs, train)``: a compiled (or not) model whose
weights are set from a seeded NumPy generator, sample inputs, and a training
batch ``(x, y)`` or None. The same builder runs when the committed
``fixtures/gk_*`` files are made and in the tests, so a test can write the model
again and compare the file with the one Keras 3 verified (``check_in_keras.py``).
"""

import numpy as np

import graphkeras
from graphkeras.layers import Activation, BatchNormalization, Dense, Input
from graphkeras.optimizers import SGD, Adam, RMSprop


def _set_weights(model, seed):
    rng = np.random.default_rng(seed)
    values = []
    for var in model.weights:
        if "variance" in var.path:  # a moving variance must stay positive
            values.append(rng.uniform(0.5, 1.5, size=var.shape).astype("float32"))
        else:
            values.append(rng.normal(scale=0.5, size=var.shape).astype("float32"))
    model.set_weights(values)


def _x(seed, *shapes, n=6):
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=(n,) + s).astype("float32") for s in shapes]
    return xs if len(xs) > 1 else xs[0]


def seq_adam():
    graphkeras.backend.clear_session()
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(8, activation="relu"),
                                   BatchNormalization(), Dense(3, activation="softmax")],
                                  name="gk_seq")
    _set_weights(model, 10)
    model.compile(optimizer=Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    x = _x(11, (4,))
    y = np.eye(3, dtype="float32")[np.arange(6) % 3]
    model.train_on_batch(x, y)
    return model, x, (x, y)


def func_sgd():
    graphkeras.backend.clear_session()
    a_in = Input(shape=(4,), name="a_in")
    b_in = Input(shape=(3,), name="b_in")
    fa = Dense(5, activation="tanh", name="fooA")(a_in)
    fb = Dense(5, name="fooB")(b_in)
    shared = Dense(5, activation="relu", name="shared")
    sa, sb = shared(fa), shared(fb)
    out1 = Dense(2, activation="softmax", name="out")(sa)
    out2 = Dense(1, name="out2")(Activation("sigmoid", name="act")(sb))
    model = graphkeras.Model([a_in, b_in], [out1, out2], name="gk_func")
    _set_weights(model, 20)
    model.compile(optimizer=SGD(0.05, momentum=0.9), loss=["categorical_crossentropy", "mse"])
    x = _x(21, (4,), (3,))
    y = [np.eye(2, dtype="float32")[np.arange(6) % 2], _x(22, (1,))]
    model.train_on_batch(x, y)
    return model, x, (x, y)


def nested_rmsprop():
    graphkeras.backend.clear_session()
    sub = graphkeras.Sequential([Input(shape=(3,)), Dense(4, activation="relu", name="inner_d1"),
                                 Dense(4, name="inner_d2")], name="sub")
    n_in = Input(shape=(3,), name="n_in")
    model = graphkeras.Model(n_in, Dense(2, name="head")(sub(n_in)), name="gk_nested")
    _set_weights(model, 30)
    model.compile(optimizer=RMSprop(0.01, momentum=0.5, centered=True), loss="mse")
    x = _x(31, (3,))
    y = _x(32, (2,))
    model.train_on_batch(x, y)
    return model, x, (x, y)


def plain_uncompiled():
    graphkeras.backend.clear_session()
    i_in = Input(shape=(3,), name="i_in")
    inner = graphkeras.Model(i_in, Dense(4, activation="relu", name="inner_d")(i_in),
                             name="inner")
    o_in = Input(shape=(3,), name="o_in")
    model = graphkeras.Model(o_in, Dense(2, name="head")(inner(o_in)), name="gk_nestfunc")
    _set_weights(model, 40)
    return model, _x(41, (3,)), None


BUILDERS = {"gk_seq": seq_adam, "gk_func": func_sgd, "gk_nested": nested_rmsprop,
            "gk_nestfunc": plain_uncompiled}
