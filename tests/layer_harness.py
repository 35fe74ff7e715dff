"""A shared check for layers, in the spirit of Keras's ``run_layer_test``.

``run_layer_test`` builds a layer inside a Functional model (and, for one input,
a Sequential one), then checks in turn: the symbolic output shape and dtype,
``compute_output_shape``, the number of trainable and non-trainable weights,
the ``get_config``/``from_config`` round trip (the rebuilt layer, given the same
weights, computes the same outputs), the compiled prediction against a NumPy
reference, the eager call against the compiled prediction, and, when the layer
has trainable weights, that one SGD step moves them.
"""

import numpy as np

import graphkeras
from graphkeras.layers import Input

RTOL, ATOL = 1e-5, 1e-6


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _is_multi(input_shape):
    return isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], tuple)


def random_inputs(input_shape, seed=0, low=-2.0, high=2.0):
    """Float32 data for ``input_shape`` (one shape or a list of shapes, batch included)."""
    rng = np.random.default_rng(seed)
    shapes = input_shape if _is_multi(input_shape) else [input_shape]
    data = [rng.uniform(low, high, size=s).astype("float32") for s in shapes]
    return data if _is_multi(input_shape) else data[0]


def build_functional(layer, input_shape, call_kwargs=None):
    """``Model(inputs, layer(inputs))`` for ``input_shape`` (batch dimension included)."""
    shapes = input_shape if _is_multi(input_shape) else [input_shape]
    inputs = [Input(shape=tuple(s[1:])) for s in shapes]
    args = inputs if _is_multi(input_shape) else inputs[0]
    outputs = layer(args, **(call_kwargs or {}))
    return graphkeras.Model(args, outputs)


def assert_close(actual, expected, rtol=RTOL, atol=ATOL, what="output"):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape} differs from the expected {expected.shape}")
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def run_layer_test(layer_cls, init_kwargs=None, input_shape=(4, 3), input_data=None,
                   expected_output_shape=None, reference=None, expected_output=None,
                   expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None, weights=None,
                   run_training_check=True, run_sequential=True, call_kwargs=None,
                   rtol=RTOL, atol=ATOL):
    """Check ``layer_cls(**init_kwargs)`` end to end; return ``(model, layer, x, prediction)``.

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor arguments.
        input_shape: one shape, or a list of shapes for a multi-input layer, with
            the batch dimension (its size is the batch of the test data).
        input_data: data to use instead of uniform draws in [-2, 2).
        expected_output_shape: the symbolic output shape (batch dimension None).
        reference: ``reference(x, weights) -> array``, the NumPy computation.
        expected_output: a fixed expected output, instead of ``reference``.
        expected_num_trainable_weights, expected_num_non_trainable_weights: counts.
        weights: values to ``set_weights`` before checking (else the initial ones).
        run_training_check: whether to take one SGD step and check that the
            trainable weights move (skipped when there are none).
        run_sequential: whether to build a Sequential model too (one input only).
        call_kwargs: keyword arguments of the layer call in the model.
    """
    init_kwargs = dict(init_kwargs or {})
    layer = layer_cls(**init_kwargs)
    x = input_data if input_data is not None else random_inputs(input_shape)
    model = build_functional(layer, input_shape, call_kwargs)
    out = model.outputs[0]

    # symbolic shapes and dtype
    if expected_output_shape is not None:
        assert out.shape == tuple(expected_output_shape), (
            f"symbolic output shape {out.shape} != {tuple(expected_output_shape)}")
    assert out.dtype == "float32", f"output dtype {out.dtype}"
    batchless = ([(None,) + tuple(s[1:]) for s in input_shape] if _is_multi(input_shape)
                 else (None,) + tuple(input_shape[1:]))
    assert tuple(layer.compute_output_shape(batchless)) == out.shape

    # weights
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    if weights is not None:
        layer.set_weights(weights)
    values = layer.get_weights()

    # forward: compiled vs NumPy, and eager vs compiled
    pred = model.predict(x, batch_size=len(_as_list(x)[0]))
    if reference is not None:
        assert_close(pred, reference(x, values), rtol, atol, "compiled vs NumPy reference")
    if expected_output is not None:
        assert_close(pred, expected_output, rtol, atol, "compiled vs expected output")
    eager = layer(x, **(call_kwargs or {}))
    assert_close(eager, pred, rtol, atol, "eager call vs compiled prediction")

    # config round trip: same config, and the same outputs given the same weights
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config, "get_config after from_config differs"
    clone_config = dict(config, name=config["name"] + "_clone")
    clone = layer_cls.from_config(clone_config)
    clone_model = build_functional(clone, input_shape, call_kwargs)
    clone.set_weights(values)
    assert_close(clone_model.predict(x, batch_size=len(_as_list(x)[0])), pred, rtol, atol,
                 "from_config clone vs original")

    # Sequential
    if run_sequential and not _is_multi(input_shape):
        seq_layer = layer_cls.from_config(dict(config, name=config["name"] + "_seq"))
        seq = graphkeras.Sequential([Input(shape=tuple(input_shape[1:])), seq_layer])
        seq_layer.set_weights(values)
        assert_close(seq.predict(x, batch_size=len(x)), pred, rtol, atol,
                     "Sequential vs Functional")

    # one training step moves the trainable weights
    if run_training_check and layer.trainable_weights:
        before = [w.numpy() for w in layer.trainable_weights]
        model.compile(optimizer=graphkeras.optimizers.SGD(learning_rate=0.1), loss="mse")
        target = np.random.default_rng(7).normal(size=pred.shape).astype("float32")
        model.train_on_batch(x, target)
        after = [w.numpy() for w in layer.trainable_weights]
        assert any(not np.allclose(a, b) for a, b in zip(before, after)), (
            "one training step did not change any trainable weight")
        assert all(np.all(np.isfinite(a)) for a in after)
    return model, layer, x, pred


def expect_config(layer, expected):
    """Assert that ``layer.get_config()`` holds ``expected`` (besides name/trainable/dtype)."""
    config = layer.get_config()
    for key in ("name", "trainable", "dtype"):
        assert key in config, f"config lacks `{key}`"
    for key, value in expected.items():
        assert key in config, f"config lacks `{key}`"
        assert config[key] == value, f"config[{key!r}] = {config[key]!r}, expected {value!r}"
