"""Keras 2's ``keras.utils.np_utils``, kept for old scripts."""

from graphkeras.utils import to_categorical  # noqa: F401
