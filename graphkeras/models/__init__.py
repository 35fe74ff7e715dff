"""``graphkeras.models``: ``Model`` (the Functional API) and ``Sequential``."""

from graphkeras.models.model import Functional, Model
from graphkeras.models.sequential import Sequential
from graphkeras.saving.api import load_model, model_from_json, save_model

__all__ = ["Model", "Functional", "Sequential", "load_model", "model_from_json", "save_model"]
