"""``graphkeras.layers``: the building blocks of models."""

from graphkeras.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from graphkeras.layers.core import Activation, Dense
from graphkeras.layers.input_layer import Input, InputLayer
from graphkeras.layers.keras_tensor import KerasTensor
from graphkeras.layers.lambda_layer import Lambda
from graphkeras.layers.layer import Layer
from graphkeras.layers.merging import (Add, Average, Concatenate, Dot, Maximum, Minimum,
                                       Multiply, Subtract, add, average, concatenate, dot,
                                       maximum, minimum, multiply, subtract)
from graphkeras.layers.normalization import BatchNormalization
from graphkeras.layers.regularization import ActivityRegularization, Dropout
from graphkeras.layers.reshaping import Flatten, Permute, RepeatVector, Reshape

__all__ = [
    "Activation", "ActivityRegularization", "Add", "Average", "BatchNormalization",
    "Concatenate", "Dense", "Dot", "Dropout", "ELU", "Flatten", "Input", "InputLayer",
    "KerasTensor", "Lambda", "Layer", "LeakyReLU", "Maximum", "Minimum", "Multiply", "PReLU",
    "Permute", "ReLU", "RepeatVector", "Reshape", "Softmax", "Subtract", "add", "average",
    "concatenate", "dot", "maximum", "minimum", "multiply", "subtract",
]
