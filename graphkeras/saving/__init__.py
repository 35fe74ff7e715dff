"""``graphkeras.saving``: read and write Keras model files (Keras 2 and 3, both directions).

- ``save_model`` / ``load_model``: ``.keras`` (Keras 3's zip archive) and ``.h5``
  (the legacy HDF5 layout), with compile arguments and optimizer state;
- ``save_weights`` / ``load_weights`` (also ``Model.save_weights`` ...):
  ``.weights.h5`` and legacy ``.h5``, by position or by name;
- ``model_from_json``, ``serialize_keras_object``, ``deserialize_keras_object``;
- ``register_keras_serializable``, ``custom_object_scope``, ``get_custom_objects``
  for user-defined layers, losses and activations.

Loading never imports a module named by a file and refuses stored Python
lambdas unless ``safe_mode=False``; writes are atomic (temporary file, then
rename). See ``docs`` and keras.md for the formats.
"""

from graphkeras.saving.api import (load_model, load_weights, model_from_json, save_model,
                                   save_weights)
from graphkeras.saving.errors import FileFormatError
from graphkeras.saving.serialization import (CustomObjectScope, custom_object_scope,
                                             deserialize_keras_object, get_custom_objects,
                                             get_registered_name, get_registered_object,
                                             register_keras_serializable,
                                             serialize_keras_object)

__all__ = ["CustomObjectScope", "FileFormatError", "custom_object_scope",
           "deserialize_keras_object", "get_custom_objects", "get_registered_name",
           "get_registered_object", "load_model", "load_weights", "model_from_json",
           "register_keras_serializable", "save_model", "save_weights",
           "serialize_keras_object"]
