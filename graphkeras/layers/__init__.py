"""``graphkeras.layers``: the building blocks of models."""

from graphkeras.layers.core import Activation, Dense
from graphkeras.layers.input_layer import Input, InputLayer
from graphkeras.layers.keras_tensor import KerasTensor
from graphkeras.layers.layer import Layer

__all__ = ["Activation", "Dense", "Input", "InputLayer", "KerasTensor", "Layer"]
