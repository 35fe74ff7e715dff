"""Bad input raises clear Python exceptions naming what was wrong, never a Numba error."""

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import Dense, Input


def _model(compiled=True):
    model = graphkeras.Sequential([Input(shape=(4,), name="features"), Dense(3, name="d")],
                                  name="m")
    if compiled:
        model.compile(optimizer="sgd", loss="mse")
    return model


def test_wrong_feature_count():
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(5, 6\)"):
        _model().predict(np.zeros((5, 6)))


def test_wrong_rank():
    with pytest.raises(ValueError, match="features"):
        _model().fit(np.zeros((5, 4, 1)), np.zeros((5, 3)), verbose=0)


def test_row_count_mismatch():
    with pytest.raises(ValueError, match="Data cardinality is ambiguous.*'x' sizes: 5.*"
                                         "'y' sizes: 4"):
        _model().fit(np.zeros((5, 4)), np.zeros((4, 3)), verbose=0)


def test_target_shape_mismatch():
    with pytest.raises(ValueError, match="must have the same shape"):
        _model().fit(np.zeros((5, 4)), np.zeros((5, 2)), verbose=0)


def test_non_numeric_data():
    with pytest.raises(TypeError, match="must be numeric"):
        _model().predict(np.array([["a", "b", "c", "d"]]))


def test_unknown_names():
    model = _model(compiled=False)
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 'nope'"):
        model.compile(optimizer="sgd", loss="nope")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        model.compile(optimizer="nope", loss="mse")
    with pytest.raises(ValueError, match="Unknown activation function: 'nope'"):
        Dense(3, activation="nope")
    with pytest.raises(TypeError, match="Invalid keyword argument"):
        model.compile(optimizer="sgd", loss="mse", nonsense=1)


def test_fit_before_compile():
    with pytest.raises(RuntimeError, match="must call `compile\\(\\)`"):
        _model(compiled=False).fit(np.zeros((2, 4)), np.zeros((2, 3)), verbose=0)


def test_invalid_layer_arguments():
    with pytest.raises(ValueError, match="units"):
        Dense(0)
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        Dense(3, nonsense=True)
    with pytest.raises(ValueError, match="positive integers"):
        Input(shape=(0,))


def test_labels_out_of_range_for_sparse_loss():
    model = graphkeras.Sequential([Input(shape=(2,)), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="outside the valid range of \\[0, 2\\]"):
        model.fit(np.zeros((2, 2)), np.array([0, 3]), verbose=0)


def test_bad_batch_size_and_split():
    model = _model()
    x, y = np.zeros((4, 4)), np.zeros((4, 3))
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(x, y, validation_split=1.5, verbose=0)


def test_model_usable_after_rejected_call(rng):
    model = _model()
    with pytest.raises(ValueError):
        model.fit(np.zeros((5, 6)), np.zeros((5, 3)), verbose=0)
    x = rng.normal(size=(5, 4)).astype("float32")
    history = model.fit(x, np.zeros((5, 3)), verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_an_op_the_compiler_cannot_run_is_reported_when_the_layer_is_called():
    from graphkeras import ops
    from graphkeras.layers import Layer

    class Odd(Layer):
        def call(self, x):
            return ops.sum(x, axis=(1, 3))

    with pytest.raises(NotImplementedError, match="`reduce_sum` in layer `odd`.*non-adjacent"):
        Odd(name="odd")(Input(shape=(2, 3, 4)))


def test_numpy_functions_inside_a_layer_name_graphkeras_ops():
    from graphkeras.layers import Layer

    class UsesNumpy(Layer):
        def call(self, x):
            return np.exp(x)

    with pytest.raises(TypeError, match="graphkeras.ops"):
        UsesNumpy()(Input(shape=(3,)))
