"""Building models: Sequential in every form, Functional DAGs, weights and summaries."""

import numpy as np
import pytest

import graphkeras
from graphkeras import layers
from graphkeras.layers import Dense, Input


def test_sequential_forms_build_the_same_graph():
    a = graphkeras.Sequential([Input(shape=(8,)), Dense(4), Dense(2)])
    b = graphkeras.Sequential()
    b.add(Dense(4, input_shape=(8,)))
    b.add(Dense(2))
    c = graphkeras.Sequential([Dense(4), Dense(2)])
    assert not c.built
    c.predict(np.zeros((3, 8), "float32"))
    for model in (a, b, c):
        assert model.built
        assert [w.shape for w in model.weights] == [(8, 4), (4,), (4, 2), (2,)]
        assert model.inputs[0].shape == (None, 8)
        assert model.outputs[0].shape == (None, 2)
        assert all(not isinstance(layer, layers.InputLayer) for layer in model.layers)


def test_sequential_pop_and_names():
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(5, name="h"), Dense(1, name="o")],
                                  name="net")
    assert model.name == "net"
    assert [layer.name for layer in model.layers] == ["h", "o"]
    model.pop()
    assert model.outputs[0].shape == (None, 5)
    with pytest.raises(ValueError, match="unique names"):
        model.add(Dense(2, name="h"))


def test_automatic_names_follow_keras():
    d1, d2 = Dense(1), Dense(1)
    assert (d1.name, d2.name) == ("dense", "dense_1")


def test_functional_multi_input_multi_output():
    a = Input(shape=(3,), name="a")
    b = Input(shape=(2,), name="b")
    h = Dense(4, activation="relu", name="h")(a)
    g = Dense(4, name="g")(b)
    out1 = Dense(1, name="out1")(h)
    out2 = Dense(2, activation="softmax", name="out2")(g)
    model = graphkeras.Model([a, b], [out1, out2])
    assert model.input_names == ["a", "b"]
    assert model.output_names == ["out1", "out2"]
    names = [layer.name for layer in model.layers]
    assert names[:2] == ["a", "b"] and set(names[2:]) == {"h", "g", "out1", "out2"}
    p1, p2 = model.predict([np.ones((5, 3)), np.ones((5, 2))])
    assert p1.shape == (5, 1) and p2.shape == (5, 2)
    np.testing.assert_allclose(p2.sum(axis=1), 1.0, rtol=1e-6)


def test_disconnected_graph_is_reported_at_construction():
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    out = Dense(1, name="d")(b)
    with pytest.raises(ValueError, match="Graph disconnected"):
        graphkeras.Model(a, out)


def test_duplicate_layer_names_are_rejected():
    x = Input(shape=(3,))
    y = Dense(2, name="same")(x)
    y = Dense(2, name="same")(y)
    with pytest.raises(ValueError, match="used 2 times"):
        graphkeras.Model(x, y)


def test_get_set_weights_roundtrip_and_errors():
    model = graphkeras.Sequential([Input(shape=(3,)), Dense(2)])
    new = [np.arange(6, dtype="float32").reshape(3, 2), np.array([1.0, -1.0], "float32")]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="expects 2 weights"):
        model.layers[0].set_weights(new[:1])
    with pytest.raises(ValueError, match="not compatible"):
        model.layers[0].set_weights([new[0].T, new[1]])


def test_initializers_follow_keras_defaults():
    graphkeras.utils.set_random_seed(3)
    layer = Dense(300)
    layer.build((None, 200))
    limit = np.sqrt(6.0 / (200 + 300))
    kernel = layer.kernel.numpy()
    assert kernel.dtype == np.float32
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > 0.95 * limit
    np.testing.assert_array_equal(layer.bias.numpy(), 0.0)
    graphkeras.utils.set_random_seed(3)
    again = Dense(300)
    again.build((None, 200))
    np.testing.assert_array_equal(again.kernel.numpy(), kernel)


def test_summary_lists_layers_and_counts(capsys):
    model = graphkeras.Sequential([Input(shape=(64,)), Dense(32, name="hidden"),
                                   Dense(10, name="out")], name="mlp")
    model.summary()
    text = capsys.readouterr().out
    assert 'Model: "mlp"' in text
    assert "hidden (Dense)" in text and "(None, 32)" in text and "2,080" in text
    assert "Total params: 2,410" in text
    assert "Non-trainable params: 0" in text


def test_to_categorical():
    out = graphkeras.utils.to_categorical([0, 2, 1], num_classes=3)
    np.testing.assert_array_equal(out, np.eye(3, dtype="float32")[[0, 2, 1]])
    assert out.dtype == np.float32
    from graphkeras.utils import np_utils
    assert np_utils.to_categorical([[1]]).shape == (1, 2)
    with pytest.raises(ValueError):
        graphkeras.utils.to_categorical([3], num_classes=3)
