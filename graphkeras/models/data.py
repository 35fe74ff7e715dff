"""Checking and arranging the data passed to ``fit``, ``evaluate`` and ``predict``.

Data arrives as a NumPy array, a list (one per model input or output) or a dict
keyed by input or output name. Everything is checked here, before any
compiled code runs: numeric dtypes, ranks and sample shapes against the model,
equal row counts, sample-weight shapes and label ranges. A failure is a
``ValueError`` or ``TypeError`` that names the argument, the layer and what was
expected, so nothing reaches Numba that it could mistype or read out of bounds.
"""

import numpy as np


def _as_array(value, what):
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        arr = np.asarray(value)
    except Exception as err:
        raise TypeError(f"Could not convert {what} to a NumPy array: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numeric, but it has dtype {arr.dtype} "
                        f"(for example {arr.flat[0]!r}). Convert it to numbers first.")
    return arr


def arrange(data, names, what, allow_none=False):
    """``data`` (array, list or dict) as a list of arrays in ``names`` order."""
    if data is None:
        if allow_none:
            return None
        raise ValueError(f"Argument `{what}` is required.")
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        extra = [k for k in data if k not in names]
        if missing or extra:
            raise ValueError(f"The dict passed as `{what}` must have exactly the keys "
                             f"{names}; missing {missing}, unexpected {extra}.")
        items = [data[n] for n in names]
    elif isinstance(data, (list, tuple)) and len(names) > 1:
        items = list(data)
    else:
        items = [data]
    if len(items) != len(names):
        raise ValueError(f"The model has {len(names)} {'inputs' if what == 'x' else 'outputs'}"
                         f" ({names}), but `{what}` provides {len(items)} arrays.")
    return [_as_array(v, f"`{what}`" + (f" for {n!r}" if len(names) > 1 else ""))
            for v, n in zip(items, names)]


def check_inputs(model, xs):
    """Check each array of ``xs`` against the model input it feeds."""
    for i, (arr, tensor) in enumerate(zip(xs, model.inputs)):
        expected = tensor.shape
        if arr.ndim != len(expected) or tuple(arr.shape[1:]) != tuple(expected[1:]):
            layer = tensor._keras_history[0].name
            raise ValueError(
                f"Input {i} of model {model.name!r} is incompatible with its input layer "
                f"{layer!r}: expected shape={expected}, found shape={arr.shape}.")


def check_rows(named_arrays):
    """All arrays must hold the same number of samples."""
    sizes = {name: [int(a.shape[0]) if a.ndim else None for a in arrays]
             for name, arrays in named_arrays.items() if arrays is not None}
    flat = {s for values in sizes.values() for s in values}
    if None in flat:
        raise ValueError("Scalars cannot be data: every array needs a first (sample) "
                         "dimension.")
    if len(flat) > 1:
        detail = " ".join(f"'{name}' sizes: {', '.join(map(str, values))}"
                          for name, values in sizes.items())
        raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the "
                         f"same number of samples. {detail}")
    return flat.pop() if flat else 0


def check_sample_weight(sample_weight, n_outputs, rows):
    """Sample weights as one ``(rows,)`` array per output, or None."""
    if sample_weight is None:
        return None
    items = sample_weight if isinstance(sample_weight, (list, tuple)) else [sample_weight]
    if len(items) == 1 and n_outputs > 1:
        items = items * n_outputs
    if len(items) != n_outputs:
        raise ValueError(f"`sample_weight` must give one array per output ({n_outputs}); "
                         f"received {len(items)}.")
    out = []
    for arr in items:
        arr = _as_array(arr, "`sample_weight`")
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.shape != (rows,):
            raise ValueError(f"`sample_weight` must have shape ({rows},) to match the data; "
                             f"received shape {arr.shape}.")
        out.append(arr)
    return out


def check_labels(loss, y, output_shape, output_name):
    """Integer class labels of a sparse loss must be whole numbers in ``[0, classes)``."""
    if not getattr(loss, "sparse", False) or y.size == 0:
        return
    classes = output_shape[-1]
    if not np.all(np.isfinite(y)) or np.any(y != np.floor(y)):
        raise ValueError(f"Targets for output {output_name!r} of loss {loss.name!r} must be "
                         "integer class labels.")
    low, high = y.min(), y.max()
    if low < 0 or high >= classes:
        raise ValueError(f"Received a label value of {int(high) if high >= classes else low} "
                         f"for output {output_name!r}, which is outside the valid range of "
                         f"[0, {classes - 1}] for loss {loss.name!r}.")


def split_validation(arrays, validation_split):
    """Keras's split: the last fraction of samples, taken before any shuffling."""
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"`validation_split` must be in [0, 1); received "
                         f"validation_split={validation_split}.")
    rows = check_rows({"x": arrays[0]})
    split_at = int(np.floor(rows * (1.0 - validation_split)))
    if split_at == 0 or split_at == rows:
        raise ValueError(f"Training data contains {rows} samples, which is not sufficient to "
                         f"split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`.")
    train = [None if a is None else [x[:split_at] for x in a] for a in arrays]
    val = [None if a is None else [x[split_at:] for x in a] for a in arrays]
    return train, val
