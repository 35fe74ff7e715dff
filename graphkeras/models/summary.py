"""``model.summary()``: the layers, their output shapes and parameter counts, as a table."""

import numpy as np

from graphkeras.layers.input_layer import InputLayer


def _format_size(n_params, itemsize):
    size = float(n_params * itemsize)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024


def _shape_text(layer):
    try:
        shape = layer.output_shape
    except AttributeError:
        return "?"
    if isinstance(shape, list):
        return ", ".join(str(s) for s in shape)
    return str(shape)


def print_summary(model, line_length=None, print_fn=None):
    """Print the summary of ``model`` line by line through ``print_fn`` (default ``print``)."""
    print_fn = print_fn or print
    width = line_length or 80
    columns = [int(width * 0.40), int(width * 0.35), width - int(width * 0.40)
               - int(width * 0.35)]

    def row(fields):
        text = ""
        for field, size in zip(fields, columns):
            text += (" " + str(field))[:size - 1].ljust(size)
        return text.rstrip()

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * width)
    print_fn(row(["Layer (type)", "Output Shape", "Param #"]))
    print_fn("=" * width)
    layers = [layer for layer in model.layers if not isinstance(layer, InputLayer)]
    for i, layer in enumerate(layers):
        count = layer.count_params() if layer.built else 0
        print_fn(row([f"{layer.name} ({type(layer).__name__})", _shape_text(layer),
                      f"{count:,}"]))
        print_fn(("=" if i == len(layers) - 1 else "_") * width)
    weights = model.weights
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    total = sum(int(np.prod(v.shape)) for v in weights)
    itemsize = np.dtype(model.dtype).itemsize
    print_fn(f"Total params: {total:,} ({_format_size(total, itemsize)})")
    print_fn(f"Trainable params: {trainable:,} ({_format_size(trainable, itemsize)})")
    print_fn(f"Non-trainable params: {total - trainable:,} "
             f"({_format_size(total - trainable, itemsize)})")
    print_fn("_" * width)
