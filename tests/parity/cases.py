"""Parity cases shared by the reference generator and the graphkeras tests.

Every case is a function of one argument, the API module ``K`` (real
``keras`` when generating, ``graphkeras`` when testing).  It builds a small
model through ``K.layers`` / ``K.models`` / ``K.Input`` / ``K.Model`` only,
gives it deterministic initial weights (see ``assign_weights``), and returns
a dict:

    model        the built model, weights already assigned
    compile      kwargs for ``model.compile`` (optimizer object, loss, ...)
    x, y         float32 arrays (int32 labels for sparse losses); a list of
                 arrays for several inputs or outputs
    batch_size   used for predict, evaluate, train_on_batch slices and fit
    sample_weight  optional (N,) array, passed to ``train_on_batch`` only
    train, fit   flags copied from the registry (see ``case``)
    features     the feature tags of the case

This module must stay importable without Keras: it only needs numpy.
"""

import zlib

import numpy as np

CASES = {}
INFO = {}

N_SAMPLES = 64


def case(*features, train=True, fit=False, seed=None):
    """Register a case under its function name.

    ``train`` asks for the three ``train_on_batch`` steps; cases whose
    training would draw random numbers (Dropout with rate > 0) set it off.
    ``fit`` asks for the ``model.fit`` + EarlyStopping run.
    """

    def register(fn):
        name = fn.__name__
        # Derived from the name, so adding a case changes no other case.
        case_seed = seed if seed is not None else zlib.crc32(name.encode())
        info = {
            "features": list(features),
            "train": bool(train),
            "fit": bool(fit and train),
            "seed": case_seed,
        }

        def build(K):
            spec = fn(K, np.random.default_rng(case_seed))
            assign_weights(spec["model"], case_seed + 10_000)
            spec.setdefault("sample_weight", None)
            spec.update(
                train=info["train"], fit=info["fit"], features=list(features)
            )
            return spec

        build.__name__ = name
        build.__doc__ = fn.__doc__
        CASES[name] = build
        INFO[name] = info
        return build

    return register


def features_of(name):
    return list(INFO[name]["features"])


def cases_with(feature):
    """Names of the cases that exercise ``feature``.

    A tag ``X.option`` is a variant of ``X``, so asking for ``X`` also
    returns the cases tagged only ``X.option``.
    """
    return [
        n for n, info in INFO.items()
        if any(t == feature or t.startswith(feature + ".")
               for t in info["features"])
    ]


def cases_supported_by(supported):
    """Names of the cases all of whose tags are in ``supported``."""
    supported = set(supported)
    return [n for n, info in INFO.items()
            if set(info["features"]) <= supported]


def _leaf_name(variable):
    name = str(getattr(variable, "path", None) or getattr(variable, "name", ""))
    return name.split("/")[-1].split(":")[0]


def assign_weights(model, seed):
    """Overwrite every weight of ``model`` with seeded uniform values.

    Arrays are drawn in ``model.get_weights()`` order, one
    ``uniform(-0.5, 0.5)`` draw of the array's shape each.  Arrays of rank
    >= 2 are divided by sqrt(fan_in), fan_in being the product of all but
    the last dimension.  BatchNormalization ``gamma`` and
    ``moving_variance`` (recognised by the variable's name) are shifted to
    ``1 + u``, i.e. uniform(0.5, 1.5), so they stay positive.
    """
    rng = np.random.default_rng(seed)
    current = model.get_weights()
    variables = list(model.weights)
    if len(variables) != len(current):
        raise ValueError("model.weights and model.get_weights() disagree")
    new = []
    for variable, array in zip(variables, current):
        shape = np.shape(array)
        u = rng.uniform(-0.5, 0.5, size=shape)
        if _leaf_name(variable) in ("gamma", "moving_variance"):
            value = 1.0 + u
        elif len(shape) >= 2:
            value = u / np.sqrt(float(np.prod(shape[:-1])))
        else:
            value = u
        new.append(value.astype(np.asarray(array).dtype))
    model.set_weights(new)
    return new


# ---------------------------------------------------------------- data helpers


def _x(rng, n=N_SAMPLES, d=8, scale=1.0):
    return (scale * rng.standard_normal((n, d))).astype(np.float32)


def _linear_target(rng, x, k, noise=0.1):
    w = rng.standard_normal((x.shape[1], k)) / np.sqrt(x.shape[1])
    y = x @ w + noise * rng.standard_normal((x.shape[0], k))
    return y.astype(np.float32)


def _labels(rng, x, k, noise=0.5):
    """Integer labels from a noisy linear teacher (learnable, not perfect)."""
    return np.argmax(_linear_target(rng, x, k, noise), axis=1).astype(np.int32)


def _onehot(labels, k):
    return np.eye(k, dtype=np.float32)[labels]


def _probs(rng, x, k):
    z = 2.0 * _linear_target(rng, x, k, noise=0.3)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def _seq(K, d, *layers):
    return K.models.Sequential([K.Input(shape=(d,))] + list(layers))


def _spec(model, optimizer, loss, x, y, batch_size, **compile_extra):
    return {
        "model": model,
        "compile": dict(optimizer=optimizer, loss=loss, **compile_extra),
        "x": x,
        "y": y,
        "batch_size": batch_size,
    }


# ----------------------------------------------------- activations and Dense


@case(
    "model:Sequential", "Dense", "Dense.use_bias=False", "activation:relu",
    "activation:sigmoid", "activation:tanh", "activation:linear",
    "optimizer:SGD", "loss:mean_squared_error", "metric:mae", "metric:mse",
    fit=True,
)
def dense_relu_sigmoid_tanh(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(16, activation="relu"),
        L.Dense(12, activation="sigmoid"),
        L.Dense(8, activation="tanh"),
        L.Dense(3, activation="linear", use_bias=False),
    )
    x = _x(rng, scale=1.5)
    y = _linear_target(rng, x, 3)
    return _spec(
        model, K.optimizers.SGD(learning_rate=0.5), "mean_squared_error", x, y,
        16, metrics=["mae", "mse"],
    )


@case(
    "model:Sequential", "Dense", "activation:elu", "activation:selu",
    "activation:gelu", "activation:softplus", "optimizer:SGD.momentum",
    "loss:mean_squared_logarithmic_error", "metric:mae",
    fit=True,
)
def dense_elu_selu_gelu_softplus(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(16, activation="elu"),
        L.Dense(12, activation="selu"),
        L.Dense(8, activation="gelu"),
        L.Dense(2, activation="softplus"),
    )
    x = _x(rng, scale=2.0)
    y = np.abs(_linear_target(rng, x, 2, noise=0.3)).astype(np.float32)
    opt = K.optimizers.SGD(learning_rate=0.2, momentum=0.9)
    return _spec(
        model, opt, "mean_squared_logarithmic_error", x, y, 16,
        metrics=["mae"],
    )


@case(
    "model:Sequential", "Dense", "activation:softsign", "activation:swish",
    "activation:hard_sigmoid", "activation:leaky_relu",
    "optimizer:SGD.nesterov", "loss:huber",
)
def dense_softsign_swish_hard_sigmoid(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(16, activation="softsign"),
        L.Dense(12, activation="swish"),
        L.Dense(12, activation="hard_sigmoid"),
        L.Dense(8, activation="leaky_relu"),
        L.Dense(3),
    )
    x = _x(rng, scale=2.0)
    y = 2.0 * _linear_target(rng, x, 3)
    opt = K.optimizers.SGD(learning_rate=0.3, momentum=0.8, nesterov=True)
    return _spec(model, opt, "huber", x, y, 16)


@case(
    "model:Sequential", "Dense", "activation:tanh", "activation:exponential",
    "optimizer:Adam", "loss:poisson",
    fit=True,
)
def dense_exponential_poisson(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(12, activation="tanh"),
        L.Dense(3, activation="exponential"),
    )
    x = _x(rng)
    rate = np.exp(0.5 * _linear_target(rng, x, 3))
    y = rng.poisson(rate).astype(np.float32)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(model, opt, "poisson", x, y, 16)


@case(
    "model:Sequential", "Dense", "Activation", "activation:relu",
    "activation:tanh", "activation:softmax", "optimizer:Adam",
    "loss:categorical_crossentropy", "metric:accuracy.categorical",
    fit=True,
)
def activation_layers_cce(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(12), L.Activation("relu"),
        L.Dense(8), L.Activation("tanh"),
        L.Dense(4), L.Activation("softmax"),
    )
    x = _x(rng)
    y = _onehot(_labels(rng, x, 4, noise=1.0), 4)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(
        model, opt, "categorical_crossentropy", x, y, 16,
        metrics=["accuracy"],
    )


@case(
    "model:Sequential", "Dense", "Dropout", "activation:relu",
    train=False,
)
def dropout_predict(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(16, activation="relu"),
        L.Dropout(0.5),
        L.Dense(8, activation="relu"),
        L.Dropout(0.25),
        L.Dense(3),
    )
    x = _x(rng)
    y = _linear_target(rng, x, 3)
    opt = K.optimizers.SGD(learning_rate=0.1)
    return _spec(model, opt, "mean_squared_error", x, y, 16)


# ------------------------------------------------------- BatchNormalization


@case(
    "model:Sequential", "Dense", "BatchNormalization", "Activation",
    "activation:relu", "optimizer:SGD", "loss:mean_squared_error",
    "batch:partial", fit=True,
)
def batchnorm_default(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(12),
        L.BatchNormalization(),
        L.Activation("relu"),
        L.Dense(3),
    )
    x = _x(rng)
    y = _linear_target(rng, x, 3)
    opt = K.optimizers.SGD(learning_rate=0.1)
    return _spec(model, opt, "mean_squared_error", x, y, 20)


@case(
    "model:Sequential", "Dense", "BatchNormalization",
    "BatchNormalization.options", "BatchNormalization.input", "activation:tanh",
    "optimizer:RMSprop", "loss:mean_absolute_error",
)
def batchnorm_options(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.BatchNormalization(momentum=0.8, epsilon=0.01, center=False),
        L.Dense(10, activation="tanh"),
        L.BatchNormalization(momentum=0.5, epsilon=1e-4, scale=False),
        L.Dense(6),
        L.BatchNormalization(momentum=0.9, center=False, scale=False),
        L.Dense(2),
    )
    x = (_x(rng) * 2.0 + 0.5).astype(np.float32)
    y = _linear_target(rng, x, 2)
    opt = K.optimizers.RMSprop(learning_rate=0.01)
    return _spec(model, opt, "mean_absolute_error", x, y, 16)


# ----------------------------------------------------------- shape layers


@case(
    "model:Sequential", "Reshape", "Permute", "Flatten", "RepeatVector",
    "Dense", "activation:tanh", "optimizer:Adagrad", "loss:log_cosh",
)
def reshape_permute_repeat(K, rng):
    L = K.layers
    model = _seq(
        K, 12,
        L.Reshape((3, 4)),
        L.Permute((2, 1)),
        L.Flatten(),
        L.Dense(6, activation="tanh"),
        L.RepeatVector(3),
        L.Flatten(),
        L.Dense(4),
    )
    x = _x(rng, d=12)
    y = 2.0 * _linear_target(rng, x, 4)
    opt = K.optimizers.Adagrad(learning_rate=0.1)
    return _spec(model, opt, "log_cosh", x, y, 16)


# ----------------------------------------------------------- merge layers


@case(
    "model:Functional", "model:two_inputs", "Dense", "Add", "Subtract",
    "Multiply", "Average", "Concatenate", "optimizer:Adamax",
    "loss:mean_absolute_error", "metric:mse",
)
def merge_arithmetic(K, rng):
    L = K.layers
    a = K.Input(shape=(8,))
    b = K.Input(shape=(6,))
    ha = L.Dense(5, activation="tanh")(a)
    hb = L.Dense(5, activation="tanh")(b)
    merged = L.Concatenate()([
        L.Add()([ha, hb]),
        L.Subtract()([ha, hb]),
        L.Multiply()([ha, hb]),
        L.Average()([ha, hb]),
    ])
    out = L.Dense(2)(merged)
    model = K.Model([a, b], out)
    xa, xb = _x(rng), _x(rng, d=6)
    y = _linear_target(rng, np.concatenate([xa, xb], axis=1), 2)
    opt = K.optimizers.Adamax(learning_rate=0.05)
    return _spec(
        model, opt, "mean_absolute_error", [xa, xb], y, 16, metrics=["mse"],
    )


@case(
    "model:Functional", "model:two_inputs", "Dense", "Maximum", "Minimum",
    "Add", "Concatenate", "activation:softmax", "optimizer:Nadam",
    "loss:kl_divergence",
)
def merge_max_min_concat(K, rng):
    L = K.layers
    a = K.Input(shape=(8,))
    b = K.Input(shape=(8,))
    h1 = L.Dense(6)(a)
    h2 = L.Dense(6)(b)
    h3 = L.Dense(6)(L.Add()([a, b]))
    merged = L.Concatenate(axis=-1)([
        L.Maximum()([h1, h2, h3]),
        L.Minimum()([h1, h2]),
        h3,
    ])
    out = L.Dense(3, activation="softmax")(merged)
    model = K.Model([a, b], out)
    xa, xb = _x(rng), _x(rng)
    y = _probs(rng, xa - xb, 3)
    opt = K.optimizers.Nadam(learning_rate=0.05)
    return _spec(model, opt, "kl_divergence", [xa, xb], y, 16)


@case(
    "model:Functional", "model:two_inputs", "Dense", "Dot",
    "Dot.normalize", "Concatenate", "activation:sigmoid", "activation:tanh",
    "optimizer:SGD", "loss:binary_crossentropy", "metric:accuracy.binary",
    fit=True,
)
def dot_bce(K, rng):
    L = K.layers
    a = K.Input(shape=(8,))
    b = K.Input(shape=(8,))
    ha = L.Dense(6, activation="tanh")(a)
    hb = L.Dense(6, activation="tanh")(b)
    merged = L.Concatenate()([
        L.Dot(axes=1)([ha, hb]),
        L.Dot(axes=1, normalize=True)([ha, hb]),
        ha,
    ])
    out = L.Dense(1, activation="sigmoid")(merged)
    model = K.Model([a, b], out)
    xa, xb = _x(rng), _x(rng)
    score = np.sum(xa[:, :4] * xb[:, :4], axis=1)
    score += 0.5 * rng.standard_normal(score.shape)
    y = (score > 0).astype(np.float32)[:, None]
    opt = K.optimizers.SGD(learning_rate=0.5)
    return _spec(
        model, opt, "binary_crossentropy", [xa, xb], y, 16,
        metrics=["accuracy"],
    )


# ------------------------------------------------- advanced activation layers


@case(
    "model:Sequential", "Dense", "ReLU", "LeakyReLU", "ELU", "Softmax",
    "optimizer:Adam.amsgrad", "loss:categorical_crossentropy.label_smoothing",
    "metric:accuracy.categorical",
)
def activation_layers_default(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(12), L.ReLU(),
        L.Dense(12), L.LeakyReLU(),
        L.Dense(8), L.ELU(),
        L.Dense(4), L.Softmax(),
    )
    x = _x(rng, scale=2.0)
    y = _onehot(_labels(rng, x, 4), 4)
    opt = K.optimizers.Adam(learning_rate=0.05, amsgrad=True)
    loss = K.losses.CategoricalCrossentropy(label_smoothing=0.1)
    return _spec(model, opt, loss, x, y, 16, metrics=["accuracy"])


@case(
    "model:Sequential", "Dense", "PReLU", "ReLU", "ReLU.options",
    "LeakyReLU", "ELU", "Softmax", "optimizer:RMSprop.momentum",
    "loss:sparse_categorical_crossentropy", "metric:accuracy.sparse",
)
def activation_layers_options(K, rng):
    L = K.layers
    model = _seq(
        K, 8,
        L.Dense(12), L.PReLU(),
        L.Dense(12),
        L.ReLU(max_value=0.3, negative_slope=0.1, threshold=0.05),
        L.Dense(8), L.LeakyReLU(negative_slope=0.05),
        L.Dense(8), L.ELU(alpha=0.5),
        L.Dense(3), L.Softmax(axis=-1),
    )
    x = _x(rng, scale=2.0)
    y = _labels(rng, x, 3)
    opt = K.optimizers.RMSprop(learning_rate=0.01, momentum=0.9)
    return _spec(
        model, opt, "sparse_categorical_crossentropy", x, y, 16,
        metrics=["accuracy"],
    )


# ---------------------------------------------- regularizers and constraints


@case(
    "model:Sequential", "Dense", "activation:relu", "regularizer:L1.kernel",
    "regularizer:L2.kernel", "regularizer:L1L2.kernel", "optimizer:SGD",
    "loss:mean_squared_error", "metric:mae",
    fit=True,
)
def regularizer_kernel(K, rng):
    L = K.layers
    R = K.regularizers
    model = _seq(
        K, 8,
        L.Dense(12, activation="relu", kernel_regularizer=R.L1(0.01)),
        L.Dense(8, activation="relu", kernel_regularizer=R.L2(0.05)),
        L.Dense(3, kernel_regularizer=R.L1L2(l1=0.01, l2=0.02)),
    )
    x = _x(rng)
    y = _linear_target(rng, x, 3)
    opt = K.optimizers.SGD(learning_rate=0.2)
    return _spec(
        model, opt, "mean_squared_error", x, y, 16, metrics=["mae"],
    )


@case(
    "model:Sequential", "Dense", "activation:tanh", "regularizer:l1.string",
    "regularizer:l2.string", "regularizer:L1.bias", "regularizer:L2.bias",
    "regularizer:L1L2.bias", "regularizer:L1.activity",
    "regularizer:L2.activity", "regularizer:L1L2.activity",
    "optimizer:Adam", "loss:mean_squared_error",
)
def regularizer_bias_activity(K, rng):
    L = K.layers
    R = K.regularizers
    model = _seq(
        K, 8,
        L.Dense(12, activation="tanh", bias_regularizer="l2",
                activity_regularizer="l1"),
        L.Dense(8, activation="tanh", bias_regularizer=R.L1(0.05),
                activity_regularizer=R.L2(0.02)),
        L.Dense(3, bias_regularizer=R.L1L2(l1=0.02, l2=0.03),
                activity_regularizer=R.L1L2(l1=0.01, l2=0.01)),
    )
    x = _x(rng)
    y = _linear_target(rng, x, 3)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(model, opt, "mean_squared_error", x, y, 16)


@case(
    "model:Sequential", "Dense", "activation:relu", "constraint:MaxNorm",
    "constraint:NonNeg", "constraint:UnitNorm", "constraint:non_neg.string",
    "optimizer:SGD", "loss:mean_squared_error",
)
def constraints(K, rng):
    L = K.layers
    C = K.constraints
    model = _seq(
        K, 8,
        L.Dense(12, activation="relu", kernel_constraint=C.MaxNorm(0.4)),
        L.Dense(8, activation="relu", kernel_constraint=C.NonNeg(),
                bias_constraint="non_neg"),
        L.Dense(3, kernel_constraint=C.UnitNorm()),
    )
    x = _x(rng, scale=2.0)
    y = 3.0 * _linear_target(rng, x, 3)
    opt = K.optimizers.SGD(learning_rate=0.5)
    return _spec(model, opt, "mean_squared_error", x, y, 16)


# ------------------------------------------------------- functional models


@case(
    "model:Functional", "model:two_outputs", "Dense", "activation:relu",
    "activation:softmax", "compile:loss_dict", "compile:loss_weights",
    "compile:metrics_dict", "optimizer:Adam", "loss:mean_squared_error",
    "loss:categorical_crossentropy", "metric:mae",
    "metric:accuracy.categorical",
    fit=True,
)
def two_outputs(K, rng):
    L = K.layers
    inp = K.Input(shape=(8,))
    h = L.Dense(12, activation="relu")(inp)
    reg = L.Dense(2, name="reg")(h)
    cls = L.Dense(3, activation="softmax", name="cls")(h)
    model = K.Model(inp, [reg, cls])
    x = _x(rng)
    y_reg = _linear_target(rng, x, 2)
    y_cls = _onehot(_labels(rng, x, 3, noise=1.0), 3)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(
        model, opt,
        {"reg": "mean_squared_error", "cls": "categorical_crossentropy"},
        x, [y_reg, y_cls], 16,
        loss_weights={"reg": 0.5, "cls": 2.0},
        metrics={"reg": ["mae"], "cls": ["accuracy"]},
    )


@case(
    "model:Functional", "model:residual", "Dense", "Add", "Activation",
    "activation:relu", "optimizer:AdamW", "loss:huber.delta",
)
def residual_block(K, rng):
    L = K.layers
    inp = K.Input(shape=(8,))
    h = L.Dense(8, activation="relu")(inp)
    h = L.Dense(8)(h)
    h = L.Activation("relu")(L.Add()([inp, h]))
    out = L.Dense(2)(h)
    model = K.Model(inp, out)
    x = _x(rng)
    y = 2.0 * _linear_target(rng, x, 2)
    opt = K.optimizers.AdamW(learning_rate=0.05)
    return _spec(model, opt, K.losses.Huber(delta=0.5), x, y, 16)


@case(
    "model:Functional", "model:two_inputs", "model:shared_layer", "Dense",
    "Subtract", "Concatenate", "activation:tanh", "optimizer:SGD.momentum",
    "loss:mean_squared_error",
)
def shared_layer(K, rng):
    L = K.layers
    a = K.Input(shape=(6,))
    b = K.Input(shape=(6,))
    shared = L.Dense(5, activation="tanh")
    ha, hb = shared(a), shared(b)
    merged = L.Concatenate()([L.Subtract()([ha, hb]), ha])
    out = L.Dense(1)(merged)
    model = K.Model([a, b], out)
    xa, xb = _x(rng, d=6), _x(rng, d=6)
    y = _linear_target(rng, xa - xb, 1)
    opt = K.optimizers.SGD(learning_rate=0.1, momentum=0.5)
    return _spec(model, opt, "mean_squared_error", [xa, xb], y, 16)


@case(
    "model:Functional", "model:nested", "model:Sequential", "Dense",
    "activation:tanh", "activation:relu", "optimizer:Adadelta",
    "loss:mean_squared_error",
)
def nested_model(K, rng):
    L = K.layers
    inner = K.models.Sequential(
        [K.Input(shape=(10,)), L.Dense(8, activation="relu"), L.Dense(6)],
        name="inner",
    )
    inp = K.Input(shape=(8,))
    h = L.Dense(10, activation="tanh")(inp)
    out = L.Dense(2)(inner(h))
    model = K.Model(inp, out)
    x = _x(rng)
    y = _linear_target(rng, x, 2)
    opt = K.optimizers.Adadelta(learning_rate=10.0)
    return _spec(model, opt, "mean_squared_error", x, y, 16)


@case(
    "model:Functional", "model:nested", "model:two_inputs", "Dense",
    "Concatenate", "activation:relu", "optimizer:Adam",
    "loss:mean_squared_error",
)
def nested_functional_twice(K, rng):
    L = K.layers
    sub_in = K.Input(shape=(6,))
    sub_out = L.Dense(4, activation="relu")(L.Dense(5)(sub_in))
    sub = K.Model(sub_in, sub_out, name="sub")
    a = K.Input(shape=(6,))
    b = K.Input(shape=(6,))
    out = L.Dense(2)(L.Concatenate()([sub(a), sub(b)]))
    model = K.Model([a, b], out)
    xa, xb = _x(rng, d=6), _x(rng, d=6)
    y = _linear_target(rng, np.concatenate([xa, xb], axis=1), 2)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(model, opt, "mean_squared_error", [xa, xb], y, 16)


# ------------------------------------------------- optimizers (simple MLP)


def _mlp_regression(K, rng, optimizer, batch_size=16):
    L = K.layers
    model = _seq(
        K, 8, L.Dense(10, activation="tanh"), L.Dense(3),
    )
    x = _x(rng)
    y = 2.0 * _linear_target(rng, x, 3)
    return _spec(model, optimizer, "mean_squared_error", x, y, batch_size)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adam",
      "loss:mean_squared_error")
def opt_adam(K, rng):
    return _mlp_regression(K, rng, K.optimizers.Adam(learning_rate=0.05))


@case("model:Sequential", "Dense", "activation:tanh",
      "optimizer:RMSprop.centered", "loss:mean_squared_error")
def opt_rmsprop_centered(K, rng):
    opt = K.optimizers.RMSprop(learning_rate=0.01, centered=True)
    return _mlp_regression(K, rng, opt)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:RMSprop",
      "loss:mean_squared_error")
def opt_rmsprop(K, rng):
    return _mlp_regression(K, rng, K.optimizers.RMSprop(learning_rate=0.01))


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adagrad",
      "loss:mean_squared_error")
def opt_adagrad(K, rng):
    return _mlp_regression(K, rng, K.optimizers.Adagrad(learning_rate=0.1))


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adadelta",
      "loss:mean_squared_error")
def opt_adadelta(K, rng):
    return _mlp_regression(K, rng, K.optimizers.Adadelta(learning_rate=10.0))


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adamax",
      "loss:mean_squared_error")
def opt_adamax(K, rng):
    return _mlp_regression(K, rng, K.optimizers.Adamax(learning_rate=0.05))


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Nadam",
      "loss:mean_squared_error")
def opt_nadam(K, rng):
    return _mlp_regression(K, rng, K.optimizers.Nadam(learning_rate=0.05))


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:AdamW",
      "loss:mean_squared_error")
def opt_adamw(K, rng):
    return _mlp_regression(K, rng, K.optimizers.AdamW(learning_rate=0.05))


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:SGD",
      "optimizer:clipnorm", "loss:mean_squared_error")
def opt_sgd_clipnorm(K, rng):
    opt = K.optimizers.SGD(learning_rate=0.5, clipnorm=0.2)
    return _mlp_regression(K, rng, opt)


@case("model:Sequential", "Dense", "activation:tanh",
      "optimizer:SGD.momentum", "optimizer:clipvalue",
      "loss:mean_squared_error")
def opt_sgd_clipvalue(K, rng):
    opt = K.optimizers.SGD(learning_rate=0.3, momentum=0.9, clipvalue=0.05)
    return _mlp_regression(K, rng, opt)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adam",
      "optimizer:global_clipnorm", "loss:mean_squared_error")
def opt_adam_global_clipnorm(K, rng):
    opt = K.optimizers.Adam(learning_rate=0.05, global_clipnorm=0.3)
    return _mlp_regression(K, rng, opt)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:SGD",
      "optimizer:global_clipnorm", "loss:mean_squared_error")
def opt_sgd_global_clipnorm(K, rng):
    opt = K.optimizers.SGD(learning_rate=0.5, global_clipnorm=0.3)
    return _mlp_regression(K, rng, opt)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:SGD",
      "schedule:ExponentialDecay", "loss:mean_squared_error", fit=True)
def opt_sgd_exponential_decay(K, rng):
    schedule = K.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=0.5, decay_steps=2, decay_rate=0.5,
    )
    opt = K.optimizers.SGD(learning_rate=schedule)
    return _mlp_regression(K, rng, opt)


# ------------------------------------------------------------------ losses


def _mlp(K, d, hidden, out_units, out_activation=None):
    L = K.layers
    return _seq(
        K, d,
        L.Dense(hidden, activation="tanh"),
        L.Dense(out_units, activation=out_activation),
    )


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adam",
      "loss:categorical_crossentropy.from_logits",
      "metric:accuracy.categorical", fit=True)
def loss_cce_logits(K, rng):
    model = _mlp(K, 8, 12, 4)
    x = _x(rng)
    y = _onehot(_labels(rng, x, 4, noise=1.0), 4)
    loss = K.losses.CategoricalCrossentropy(from_logits=True)
    opt = K.optimizers.Adam(learning_rate=0.1)
    return _spec(model, opt, loss, x, y, 16, metrics=["accuracy"])


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:SGD",
      "loss:sparse_categorical_crossentropy.from_logits",
      "loss:sparse_labels_n1", "metric:accuracy.sparse", fit=True)
def loss_scce_logits(K, rng):
    model = _mlp(K, 8, 12, 3)
    x = _x(rng)
    y = _labels(rng, x, 3, noise=1.0)[:, None]
    loss = K.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = K.optimizers.SGD(learning_rate=1.0)
    return _spec(model, opt, loss, x, y, 16, metrics=["accuracy"])


@case("model:Sequential", "Dense", "activation:tanh",
      "optimizer:RMSprop", "loss:binary_crossentropy.from_logits",
      "metric:mse")
def loss_bce_logits(K, rng):
    model = _mlp(K, 8, 12, 3)
    x = _x(rng)
    y = (_linear_target(rng, x, 3, noise=0.5) > 0).astype(np.float32)
    loss = K.losses.BinaryCrossentropy(from_logits=True)
    opt = K.optimizers.RMSprop(learning_rate=0.02)
    return _spec(model, opt, loss, x, y, 16, metrics=["mse"])


@case("model:Sequential", "Dense", "activation:tanh", "activation:sigmoid",
      "optimizer:Adam", "loss:binary_crossentropy.label_smoothing")
def loss_bce_smoothing(K, rng):
    model = _mlp(K, 8, 12, 2, "sigmoid")
    x = _x(rng)
    y = (_linear_target(rng, x, 2, noise=0.5) > 0).astype(np.float32)
    loss = K.losses.BinaryCrossentropy(label_smoothing=0.2)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(model, opt, loss, x, y, 16)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adam",
      "loss:mean_absolute_percentage_error")
def loss_mape(K, rng):
    model = _mlp(K, 8, 12, 2)
    x = _x(rng)
    y = (2.0 + _linear_target(rng, x, 2, noise=0.2)).astype(np.float32)
    y = np.where(np.abs(y) < 0.5, 0.5, y).astype(np.float32)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(model, opt, "mean_absolute_percentage_error", x, y, 16)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:SGD",
      "loss:hinge", "loss:hinge.binary_labels")
def loss_hinge(K, rng):
    model = _mlp(K, 8, 12, 2, "tanh")
    x = _x(rng)
    y = (_linear_target(rng, x, 2, noise=0.5) > 0).astype(np.float32)
    opt = K.optimizers.SGD(learning_rate=0.5)
    return _spec(model, opt, "hinge", x, y, 16)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adagrad",
      "loss:squared_hinge")
def loss_squared_hinge(K, rng):
    model = _mlp(K, 8, 12, 2, "tanh")
    x = _x(rng)
    y = np.sign(_linear_target(rng, x, 2, noise=0.5)).astype(np.float32)
    y[y == 0] = 1.0
    opt = K.optimizers.Adagrad(learning_rate=0.2)
    return _spec(model, opt, "squared_hinge", x, y, 16)


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:RMSprop",
      "loss:categorical_hinge", "metric:accuracy.categorical")
def loss_categorical_hinge(K, rng):
    model = _mlp(K, 8, 12, 4)
    x = _x(rng)
    y = _onehot(_labels(rng, x, 4), 4)
    opt = K.optimizers.RMSprop(learning_rate=0.02)
    return _spec(
        model, opt, "categorical_hinge", x, y, 16, metrics=["accuracy"],
    )


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:Adam",
      "loss:cosine_similarity")
def loss_cosine_similarity(K, rng):
    model = _mlp(K, 8, 12, 3)
    x = _x(rng)
    y = _linear_target(rng, x, 3)
    opt = K.optimizers.Adam(learning_rate=0.05)
    return _spec(model, opt, "cosine_similarity", x, y, 16)


@case("model:Sequential", "Dense", "activation:tanh", "activation:softmax",
      "optimizer:SGD", "loss:sparse_categorical_crossentropy",
      "metric:accuracy.sparse",
      fit=True)
def loss_scce_probs(K, rng):
    model = _mlp(K, 8, 12, 5, "softmax")
    x = _x(rng)
    y = _labels(rng, x, 5, noise=1.0)
    opt = K.optimizers.SGD(learning_rate=1.0)
    return _spec(
        model, opt, "sparse_categorical_crossentropy", x, y, 16,
        metrics=["accuracy"],
    )


@case("model:Sequential", "Dense", "activation:tanh", "optimizer:SGD",
      "loss:mean_squared_error", "metric:mae", "train:sample_weight")
def sample_weight_mse(K, rng):
    spec = _mlp_regression(K, rng, K.optimizers.SGD(learning_rate=0.2))
    spec["compile"]["metrics"] = ["mae"]
    n = spec["x"].shape[0]
    spec["sample_weight"] = rng.uniform(0.0, 2.0, size=n).astype(np.float32)
    return spec
