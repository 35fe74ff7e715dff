"""Parity with Keras 3: graphkeras reproduces numbers stored from real Keras runs.

Each case of ``cases.py`` is built here with ``graphkeras`` exactly as
``generate.py`` built it with ``keras``; the stored data hold Keras's
predictions, evaluation logs, three ``train_on_batch`` steps and a whole
``fit`` run with ``EarlyStopping``. A case runs when every feature it is
tagged with is in ``SUPPORTED``; ``test_unsupported_cases_are_known`` keeps
the list of cases still waiting for a feature explicit, so a feature that
lands without enabling its cases is noticed. Tolerances: see README.md.
"""

import numpy as np
import pytest

import graphkeras
from tests.parity import cases, store

SUPPORTED = {
    "model:Sequential", "model:Functional", "model:two_inputs", "model:two_outputs",
    "model:residual", "model:shared_layer", "model:nested",
    "Dense", "Dense.use_bias=False", "Activation", "batch:partial",
    "activation:linear", "activation:relu", "activation:sigmoid", "activation:tanh",
    "activation:softmax", "activation:softplus", "activation:exponential",
    "optimizer:SGD", "optimizer:SGD.momentum", "optimizer:SGD.nesterov", "optimizer:Adam",
    "optimizer:RMSprop", "optimizer:RMSprop.momentum", "optimizer:RMSprop.centered",
    "optimizer:Adam.amsgrad", "optimizer:clipnorm", "optimizer:clipvalue",
    "optimizer:global_clipnorm",
    "loss:mean_squared_error", "loss:categorical_crossentropy",
    "loss:categorical_crossentropy.from_logits",
    "loss:categorical_crossentropy.label_smoothing",
    "loss:sparse_categorical_crossentropy", "loss:sparse_categorical_crossentropy.from_logits",
    "loss:sparse_labels_n1", "loss:binary_crossentropy", "loss:binary_crossentropy.from_logits",
    "loss:binary_crossentropy.label_smoothing",
    "metric:accuracy.binary", "metric:accuracy.categorical", "metric:accuracy.sparse",
    "metric:mse", "compile:loss_dict", "compile:loss_weights", "compile:metrics_dict",
    "regularizer:L1.kernel", "regularizer:L2.kernel", "regularizer:L1L2.kernel",
    "regularizer:L1.bias", "regularizer:L2.bias", "regularizer:L1L2.bias",
    "regularizer:L1.activity", "regularizer:L2.activity", "regularizer:L1L2.activity",
    "regularizer:l1.string", "regularizer:l2.string",
    "constraint:MaxNorm", "constraint:NonNeg", "constraint:UnitNorm",
    "constraint:non_neg.string", "train:sample_weight",
    "optimizer:Adadelta", "optimizer:Adagrad", "optimizer:Adamax", "optimizer:Nadam",
    "optimizer:AdamW", "schedule:ExponentialDecay", "loss:mean_absolute_error",
    "loss:mean_absolute_percentage_error", "loss:mean_squared_logarithmic_error", "loss:huber",
    "loss:huber.delta", "loss:log_cosh", "loss:kl_divergence", "loss:poisson", "loss:hinge",
    "loss:hinge.binary_labels", "loss:squared_hinge", "loss:categorical_hinge",
    "loss:cosine_similarity", "metric:mae",
    "Dropout", "BatchNormalization", "BatchNormalization.options", "BatchNormalization.input",
    "Flatten", "Reshape", "Permute", "RepeatVector", "Concatenate", "Add", "Subtract",
    "Multiply", "Average", "Maximum", "Minimum", "Dot", "Dot.normalize", "ReLU",
    "ReLU.options", "LeakyReLU", "ELU", "Softmax", "PReLU",
    "activation:elu", "activation:selu", "activation:gelu", "activation:softsign",
    "activation:swish", "activation:hard_sigmoid", "activation:leaky_relu",
}

#: Cases whose features have not all landed yet; shrink it as they do.
WAITING = set()

PRED = dict(rtol=1e-5, atol=1e-6)
WEIGHTS = dict(rtol=1e-4, atol=1e-5)

RUNNABLE = sorted(cases.cases_supported_by(SUPPORTED))


def test_unsupported_cases_are_known():
    unsupported = set(cases.CASES) - set(RUNNABLE)
    assert unsupported == WAITING & unsupported, (
        f"cases newly unsupported: {sorted(unsupported - WAITING)}")
    assert not (WAITING - unsupported), (
        f"cases now supported; remove them from WAITING: {sorted(WAITING - unsupported)}")


def _build(name):
    graphkeras.backend.clear_session()
    spec = cases.CASES[name](graphkeras)
    data = store.load(name)
    model = spec["model"]
    for got, want in zip(model.get_weights(), data["w0"]):
        np.testing.assert_array_equal(got, want)
    model.compile(**spec["compile"])
    return spec, data, model


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _slice(value, start, stop):
    if value is None:
        return None
    if isinstance(value, list):
        return [v[start:stop] for v in value]
    return value[start:stop]


def _close_logs(got, want, tol, what):
    assert sorted(got) == sorted(want), f"{what}: keys {sorted(got)} != {sorted(want)}"
    for key in want:
        np.testing.assert_allclose(got[key], want[key], err_msg=f"{what}[{key}]", **tol)


@pytest.mark.parametrize("name", RUNNABLE)
def test_predict_and_evaluate(name):
    spec, data, model = _build(name)
    pred = model.predict(spec["x"], batch_size=spec["batch_size"], verbose=0)
    for got, want in zip(_as_list(pred), _as_list(data["pred"])):
        np.testing.assert_allclose(got, want, **PRED)
    logs = model.evaluate(spec["x"], spec["y"], batch_size=spec["batch_size"], verbose=0,
                          return_dict=True)
    _close_logs(logs, data["eval"], PRED, "evaluate")


@pytest.mark.parametrize("name", [n for n in RUNNABLE if cases.INFO[n]["train"]])
def test_three_training_steps(name):
    spec, data, model = _build(name)
    bs = spec["batch_size"]
    steps = []
    for i in range(3):
        start, stop = i * bs, (i + 1) * bs
        steps.append(model.train_on_batch(
            _slice(spec["x"], start, stop), _slice(spec["y"], start, stop),
            sample_weight=_slice(spec["sample_weight"], start, stop), return_dict=True))
    got = {k: np.array([s[k] for s in steps]) for k in steps[0]}
    _close_logs(got, data["tob"], PRED, "train_on_batch")
    for i, (w, want) in enumerate(zip(model.get_weights(), data["w3"])):
        np.testing.assert_allclose(w, want, err_msg=f"weight {i}", **WEIGHTS)


@pytest.mark.parametrize("name", [n for n in RUNNABLE if cases.INFO[n]["fit"]])
def test_fit_with_early_stopping(name):
    spec, data, model = _build(name)
    stop = graphkeras.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                              restore_best_weights=True)
    history = model.fit(spec["x"], spec["y"], epochs=5, batch_size=spec["batch_size"],
                        validation_split=0.25, shuffle=False, verbose=0, callbacks=[stop])
    assert len(history.history["loss"]) == data["epochs_run"]
    _close_logs({k: np.array(v) for k, v in history.history.items()}, data["hist"], WEIGHTS,
                "history")
    for i, (w, want) in enumerate(zip(model.get_weights(), data["wf"])):
        np.testing.assert_allclose(w, want, err_msg=f"weight {i}", **WEIGHTS)
