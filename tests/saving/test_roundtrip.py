"""graphkeras → graphkeras: saving and loading are exact, in every format and API."""

import json
import warnings

import h5py
import numpy as np
import pytest

import graphkeras
from graphkeras import ops
from graphkeras.layers import Dense, Input, Layer
from graphkeras.models import load_model, model_from_json
from graphkeras.saving import (FileFormatError, deserialize_keras_object,
                               register_keras_serializable, serialize_keras_object)
from tests.saving import gk_models
from tests.saving.conftest import as_list


def _same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        assert x.dtype == y.dtype and np.array_equal(x, y)


@pytest.mark.parametrize("builder", sorted(gk_models.BUILDERS))
@pytest.mark.parametrize("ext", [".h5", ".keras"])
def test_round_trip_is_exact(builder, ext, tmp_path):
    model, x, train = gk_models.BUILDERS[builder]()
    path = tmp_path / f"m{ext}"
    model.save(path)
    loaded = load_model(path)
    _same_weights(model, loaded)
    assert loaded.get_config() == model.get_config()
    assert json.loads(loaded.to_json()) == json.loads(model.to_json())
    for a, b in zip(as_list(model.predict(x, verbose=0)), as_list(loaded.predict(x,
                                                                                 verbose=0))):
        assert np.array_equal(a, b)
    if train is not None:
        assert loaded.optimizer.get_config() == model.optimizer.get_config()
        for a, b in zip(model.optimizer.get_weights(), loaded.optimizer.get_weights()):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("ext", [".h5", ".keras", ".weights.h5"])
def test_resumed_training_continues_exactly(ext, tmp_path):
    """Training that stops, saves, loads and goes on equals training that never stopped."""
    straight, _, (x, y) = gk_models.seq_adam()
    for _ in range(3):
        straight.train_on_batch(x, y)
    stopped, _, _ = gk_models.seq_adam()
    stopped.train_on_batch(x, y)
    path = tmp_path / f"m{ext}"
    if ext == ".weights.h5":
        stopped.save_weights(path)
        resumed, _, _ = gk_models.seq_adam()  # compiled, one step in: different state
        resumed.load_weights(path)
    else:
        stopped.save(path)
        resumed = load_model(path)
    assert resumed.optimizer.iterations == 2
    for _ in range(2):
        resumed.train_on_batch(x, y)
    _same_weights(straight, resumed)
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 4


def test_h5_layout_is_what_keras_reads(tmp_path):
    model, _, _ = gk_models.func_sgd()
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert f.attrs["keras_version"] == "3.15.1"
        training = json.loads(f.attrs["training_config"])
        assert training["loss"] == ["categorical_crossentropy", "mean_squared_error"]
        assert training["optimizer_config"]["class_name"] == "SGD"
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Functional"
        assert "module" not in config["config"]["layers"][0]
        node = config["config"]["layers"][2]["inbound_nodes"][0]
        assert node["args"][0]["class_name"] == "__keras_tensor__"
        names = [n.decode() for n in f["model_weights"].attrs["layer_names"]]
        assert names == ["a_in", "b_in", "fooA", "fooB", "shared", "act", "out", "out2"]
        group = f["model_weights/shared"]
        weight_names = [n.decode() for n in group.attrs["weight_names"]]
        assert weight_names == ["shared/kernel", "shared/bias"]
        assert group["shared/kernel"].shape == (5, 5)
        opt = [n.decode() for n in f["optimizer_weights"].attrs["weight_names"]]
        assert opt[:3] == ["SGD/iteration", "SGD/learning_rate", "SGD/fooA_kernel_momentum"]


def test_keras_archive_layout(tmp_path):
    import zipfile
    model, _, _ = gk_models.nested_rmsprop()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        config = json.loads(zf.read("config.json"))
        meta = json.loads(zf.read("metadata.json"))
    assert meta["keras_version"] == "3.15.1" and "date_saved" in meta
    assert config["class_name"] == "Functional" and config["registered_name"] == "Functional"
    assert config["compile_config"]["loss"] == "mean_squared_error"
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert f["layers/sequential/layers/dense/vars"].attrs["name"] == "inner_d1"
        assert f["layers/sequential/layers/dense_1/vars/0"].shape == (4, 4)
        assert f["layers/dense/vars/1"].shape == (2,)
        assert len(f["optimizer/vars"]) == 2 + 3 * 6


def test_to_json_and_model_from_json():
    model, x, _ = gk_models.func_sgd()
    text = model.to_json()
    rebuilt = model_from_json(text)
    assert rebuilt.get_config() == model.get_config()
    rebuilt.set_weights(model.get_weights())
    for a, b in zip(model.predict(x, verbose=0), rebuilt.predict(x, verbose=0)):
        assert np.array_equal(a, b)
    seq, _, _ = gk_models.seq_adam()
    assert graphkeras.Sequential.from_config(seq.get_config()).get_config() == seq.get_config()
    assert graphkeras.Model.from_config(model.get_config()).get_config() == model.get_config()


_LAYER_ARGS = {
    "Dense": dict(units=3, activation="relu", kernel_regularizer="l2", use_bias=False),
    "Activation": dict(activation="tanh"),
    "BatchNormalization": dict(momentum=0.9, epsilon=1e-4, center=False),
    "Dropout": dict(rate=0.25, seed=3),
    "Flatten": {}, "Reshape": dict(target_shape=(2, 2)), "RepeatVector": dict(n=2),
    "Permute": dict(dims=(2, 1)), "Add": {}, "Concatenate": dict(axis=1),
    "Subtract": {}, "Multiply": {}, "Average": {}, "Maximum": {}, "Minimum": {},
    "ReLU": dict(max_value=6.0), "LeakyReLU": {}, "ELU": {}, "Softmax": {}, "PReLU": {},
    "ActivityRegularization": dict(l1=0.1), "Dot": dict(axes=1),
    "InputLayer": dict(shape=(3,)),
}


@pytest.mark.parametrize("name", sorted(_LAYER_ARGS))
def test_layer_config_round_trip(name):
    import graphkeras.layers as layers
    if not hasattr(layers, name):
        pytest.skip(f"graphkeras.layers has no {name} yet")
    layer = getattr(layers, name)(**_LAYER_ARGS[name])
    envelope = serialize_keras_object(layer)
    assert envelope["module"] == "keras.layers" and envelope["class_name"] == name
    copy = deserialize_keras_object(json.loads(json.dumps(envelope)))
    assert type(copy) is type(layer)
    assert copy.get_config() == layer.get_config()


# -- custom objects ---------------------------------------------------------------------------

class Scale(Layer):
    """A user layer with one weight and a config argument."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.built = True

    def call(self, inputs):
        return ops.multiply(ops.multiply(inputs, self.w), self.factor)

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


def cube(x):
    return ops.multiply(ops.multiply(x, x), x)


def half_mse(y_true, y_pred):
    return ops.multiply(ops.mean(ops.square(ops.subtract(y_pred, y_true)), axis=-1), 0.5)


def _custom_model():
    inputs = Input(shape=(3,))
    outputs = Dense(2, activation=cube, name="d")(Scale(3.0, name="scale")(inputs))
    model = graphkeras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss=half_mse)
    return model


@pytest.mark.parametrize("ext", [".h5", ".keras"])
def test_custom_objects(ext, tmp_path, rng):
    model = _custom_model()
    x = rng.normal(size=(4, 3)).astype("float32")
    model.train_on_batch(x, np.ones((4, 2), "float32"))
    path = tmp_path / f"m{ext}"
    model.save(path)
    with pytest.raises(FileFormatError, match="Scale"):
        load_model(path)
    custom = {"Scale": Scale, "cube": cube, "half_mse": half_mse}
    loaded = load_model(path, custom_objects=custom)
    assert isinstance(loaded.get_layer("scale"), Scale)
    assert loaded.get_layer("scale").factor == 3.0
    assert loaded.get_layer("d").activation is cube
    assert loaded._compile_state.losses[0].fn is half_mse
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.fixture
def clean_registry():
    from graphkeras.saving import serialization
    objects = dict(serialization._GLOBAL_CUSTOM_OBJECTS)
    names = dict(serialization._GLOBAL_CUSTOM_NAMES)
    yield
    serialization._GLOBAL_CUSTOM_OBJECTS.clear()
    serialization._GLOBAL_CUSTOM_OBJECTS.update(objects)
    serialization._GLOBAL_CUSTOM_NAMES.clear()
    serialization._GLOBAL_CUSTOM_NAMES.update(names)


def test_registered_custom_objects(tmp_path, rng, clean_registry):
    register_keras_serializable(package="test")(Scale)
    register_keras_serializable(package="test")(cube)
    register_keras_serializable(package="test")(half_mse)
    model = _custom_model()
    path = tmp_path / "m.keras"
    model.save(path)
    config = json.loads(__import__("zipfile").ZipFile(path).read("config.json"))
    assert config["config"]["layers"][1]["registered_name"] == "test>Scale"
    loaded = load_model(path)
    x = rng.normal(size=(4, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# -- weights files -------------------------------------------------------------------------

@pytest.mark.parametrize("ext", [".h5", ".weights.h5"])
def test_save_and_load_weights(ext, tmp_path):
    model, x, _ = gk_models.func_sgd()
    model.save_weights(tmp_path / f"w{ext}")
    other, _, _ = gk_models.plain_uncompiled()
    fresh = graphkeras.models.model_from_json(model.to_json())
    fresh.load_weights(tmp_path / f"w{ext}")
    _same_weights(model, fresh)
    with pytest.raises(FileFormatError, match="another architecture") as info:
        other.load_weights(tmp_path / f"w{ext}")
    assert f"w{ext}" in str(info.value)


def test_load_weights_by_name_and_skip_mismatch(tmp_path):
    model, _, _ = gk_models.func_sgd()
    model.save_weights(tmp_path / "w.h5")
    inputs = Input(shape=(4,))
    a = Dense(5, name="fooA")(inputs)
    b = Dense(7, name="shared")(a)        # a different shape: mismatched
    c = Dense(2, name="unrelated")(b)     # not in the file: left alone
    target = graphkeras.Model(inputs, c)
    before = target.get_weights()
    with pytest.raises(FileFormatError, match="shape"):
        target.load_weights(tmp_path / "w.h5", by_name=True)
    for old, new in zip(before, target.get_weights()):
        assert np.array_equal(old, new)   # nothing was assigned
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)
    assert any("shared" in str(w.message) for w in caught)
    np.testing.assert_array_equal(target.get_layer("fooA").get_weights()[0],
                                  model.get_layer("fooA").get_weights()[0])
    np.testing.assert_array_equal(target.get_layer("unrelated").get_weights()[0], before[-2])


def test_full_model_h5_is_also_a_weights_file(tmp_path):
    model, x, _ = gk_models.seq_adam()
    model.save(tmp_path / "m.h5")
    twin = graphkeras.models.model_from_json(model.to_json())
    twin.load_weights(tmp_path / "m.h5")
    _same_weights(model, twin)


def test_unbuilt_model_and_bad_extensions(tmp_path):
    deferred = graphkeras.Sequential([Dense(2)])
    with pytest.raises(ValueError, match="not built"):
        deferred.save(tmp_path / "m.keras")
    model, _, _ = gk_models.plain_uncompiled()
    with pytest.raises(ValueError, match="extension"):
        model.save(tmp_path / "m.txt")
    with pytest.raises(ValueError, match="weights.h5"):
        model.save_weights(tmp_path / "w.bin")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras")
        model.save(tmp_path / "m.keras", overwrite=False)
