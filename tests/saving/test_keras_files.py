"""Keras → graphkeras: files written by Keras 3 (JAX) and tf.keras 2.15 load and agree.

The fixtures were made by ``make_fixtures.py`` (see its docstring for the
versions); each ``.npz`` holds the inputs, Keras's predictions and, for trained
models, the weights Keras reached after one more training step from the saved
state, so resuming training here can be compared with Keras step for step.
"""

import warnings

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import BatchNormalization, Dense, Input
from graphkeras.models import load_model
from graphkeras.saving import FileFormatError
from graphkeras.saving.topology import keras_weights
from tests.saving.conftest import arrays, assert_close_lists, fixture, require_layers

CORE = ["k3_seq.keras", "k3_seq.h5", "k3_func.keras", "k3_func.h5", "k3_nested.keras",
        "k3_nested.h5", "k3_nestfunc.keras", "k3_nestfunc.h5", "k2_seq.h5", "k2_func.h5",
        "k2_nested.h5"]


def _stem(name):
    return name.split(".")[0]


@pytest.mark.parametrize("name", CORE)
def test_keras_file_predicts_what_keras_predicted(name):
    data = np.load(fixture(_stem(name) + ".npz"))
    model = load_model(fixture(name))
    assert_close_lists(model.predict(arrays(data, "x"), verbose=0), arrays(data, "y"))


@pytest.mark.parametrize("name", ["k3_layers.keras", "k3_layers.h5", "k2_layers.h5"])
def test_other_layers(name):
    require_layers("Dropout", "Flatten", "Add", "Concatenate")
    data = np.load(fixture(_stem(name) + ".npz"))
    model = load_model(fixture(name))
    assert [type(l).__name__ for l in model.layers].count("Dropout") == 1
    assert_close_lists(model.predict(arrays(data, "x"), verbose=0), arrays(data, "y"))


@pytest.mark.parametrize("name", ["k3_seq.keras", "k3_seq.h5", "k3_func.keras", "k3_func.h5",
                                  "k3_nested.keras", "k3_nested.h5"])
def test_training_resumes_as_in_keras(name):
    """Optimizer state (Adam, SGD+momentum, centered RMSprop+momentum) comes back exactly."""
    data = np.load(fixture(_stem(name) + ".npz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a skipped optimizer state would warn
        model = load_model(fixture(name))
    assert model.optimizer.iterations in (1, 2)
    model.train_on_batch(arrays(data, "train_x"), arrays(data, "train_y"))
    weights = [v.numpy() for v in keras_weights(model)]
    expected = [data[f"next_{i}"] for i in range(len(weights))]
    assert_close_lists(weights, expected, atol=2e-6)


def test_compile_arguments_come_back():
    model = load_model(fixture("k3_func.keras"))
    state = model._compile_state
    assert type(model.optimizer).__name__ == "SGD"
    assert model.optimizer.momentum == pytest.approx(0.9)
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    assert [type(l).__name__ for l in state.losses] == ["CategoricalCrossentropy",
                                                         "MeanSquaredError"]
    k2 = load_model(fixture("k2_seq.h5"))  # Custom>Adam, metrics as MeanMetricWrapper
    assert type(k2.optimizer).__name__ == "Adam"
    assert k2._compile_state.metrics == [["accuracy"]]
    uncompiled = load_model(fixture("k3_seq.keras"), compile=False)
    assert uncompiled._compile_state is None


def test_keras2_optimizer_state_is_matched_by_name():
    new = load_model(fixture("k2_seq.h5"))  # TF 2.15 Adam: no learning-rate variable
    assert new.optimizer.iterations == 2
    legacy = load_model(fixture("k2_func.h5"))  # legacy SGD: Opt/<var>/momentum:0 names
    assert legacy.optimizer.iterations == 1
    import h5py
    with h5py.File(fixture("k2_func.h5"), "r") as f:
        stored = f["optimizer_weights/SGD/fooA/kernel/momentum:0"][()]
    names = [v.path for v in legacy.optimizer.variables]
    value = legacy.optimizer.get_weights()[names.index("SGD/fooA_kernel_momentum")]
    np.testing.assert_array_equal(value, stored)


def _k3_seq_twin():
    return graphkeras.Sequential([Input(shape=(4,)), Dense(8, activation="relu"),
                                  BatchNormalization(), Dense(3, activation="softmax")])


@pytest.mark.parametrize("name", ["k3_seq.weights.h5", "k3_seq.keras", "k3_seq.h5",
                                  "k2_seq_weights.h5", "k2_seq.h5"])
def test_load_weights_from_keras_files(name):
    data = np.load(fixture(_stem(name).replace("_weights", "") + ".npz"))
    model = _k3_seq_twin()
    model.load_weights(fixture(name))
    assert_close_lists(model.predict(arrays(data, "x"), verbose=0), arrays(data, "y"))


def test_keras3_weights_file_restores_optimizer_state_of_a_compiled_model():
    data = np.load(fixture("k3_seq.npz"))
    model = _k3_seq_twin()
    model.compile(optimizer=graphkeras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    model.load_weights(fixture("k3_seq.weights.h5"))
    assert model.optimizer.iterations == 2
    model.train_on_batch(arrays(data, "train_x"), arrays(data, "train_y"))
    expected = [data[f"next_{i}"] for i in range(8)]
    assert_close_lists(model.get_weights(), expected, atol=2e-6)


@pytest.mark.parametrize("name", ["k3_lambda.keras", "k3_lambda.h5", "k2_lambda.h5"])
def test_lambda_is_refused_in_safe_mode(name):
    with pytest.raises(ValueError, match="safe_mode=False") as info:
        load_model(fixture(name))
    assert name in str(info.value) and "lambda" in str(info.value).lower()


@pytest.mark.parametrize("name", ["k3_lambda.keras", "k3_lambda.h5", "k2_lambda.h5"])
def test_lambda_loads_when_unsafe_mode_is_asked_for(name):
    require_layers("Lambda")
    data = np.load(fixture(_stem(name) + ".npz"))
    model = load_model(fixture(name), safe_mode=False)
    assert_close_lists(model.predict(arrays(data, "x"), verbose=0), arrays(data, "y"))


def test_keras_layer_order_is_used_for_positional_matching():
    """graphkeras keeps layers in another order than Keras; files use Keras's."""
    model = load_model(fixture("k3_func.h5"))
    from graphkeras.saving.topology import keras_layer_order
    assert [l.name for l in keras_layer_order(model)] == [
        "a_in", "b_in", "fooA", "fooB", "shared", "act", "out", "out2"]


def test_unknown_class_is_refused_with_a_clear_error(tmp_path):
    import h5py
    import shutil
    path = tmp_path / "custom.h5"
    shutil.copy(fixture("k3_nestfunc.h5"), path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = f.attrs["model_config"].replace('"Dense"', '"MyDense"')
    with pytest.raises(ValueError, match="MyDense.*custom_objects") as info:
        load_model(path)
    assert str(path) in str(info.value)
    with pytest.raises(FileFormatError):
        load_model(path)


def test_keras2_lr_and_long_attributes(tmp_path):
    """``lr`` in an optimizer config, and attribute arrays split into ``name0, name1``."""
    import json
    import shutil

    import h5py
    from graphkeras.saving import h5io
    path = tmp_path / "old.h5"
    shutil.copy(fixture("k2_seq.h5"), path)
    with h5py.File(path, "r+") as f:
        training = json.loads(f.attrs["training_config"])
        config = training["optimizer_config"]["config"]
        config["lr"] = config.pop("learning_rate")
        f.attrs["training_config"] = json.dumps(training).encode()
        group = f["model_weights"]
        names = h5io.read_list_attr(group, "layer_names")
        del group.attrs["layer_names"]
        group.attrs["layer_names0"] = [n.encode() for n in names[:1]]
        group.attrs["layer_names1"] = [n.encode() for n in names[1:]]
    with pytest.warns(UserWarning, match="lr"):
        model = load_model(path)
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    data = np.load(fixture("k2_seq.npz"))
    assert_close_lists(model.predict(arrays(data, "x"), verbose=0), arrays(data, "y"))
    with h5py.File(tmp_path / "long.h5", "w") as f:
        many = [f"layer_with_a_long_name_{i:05d}" for i in range(4000)]
        h5io.write_list_attr(f, "layer_names", many)
        assert "layer_names" not in f.attrs and "layer_names1" in f.attrs
        assert h5io.read_list_attr(f, "layer_names") == many
