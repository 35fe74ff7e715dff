"""``graphkeras.models``: ``Model`` (the Functional API) and ``Sequential``."""

from graphkeras.models.model import Functional, Model
from graphkeras.models.sequential import Sequential

__all__ = ["Model", "Functional", "Sequential"]
