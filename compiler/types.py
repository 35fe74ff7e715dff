"""The static type of an IR value: a shape with a symbolic batch dimension, and a dtype."""

from typing import NamedTuple, Optional, Tuple

import numpy as np

#: Marks the symbolic batch dimension in a shape. It may only be dimension 0.
BATCH = None

Shape = Tuple[Optional[int], ...]


class TensorType(NamedTuple):
    """Shape and dtype of one IR value.

    ``shape`` holds ints and at most one ``None`` (the batch dimension), which
    must come first; ``dtype`` is a NumPy dtype name such as ``"float32"``.
    """

    shape: Shape
    dtype: str

    @property
    def batched(self) -> bool:
        return len(self.shape) > 0 and self.shape[0] is None

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def sample_size(self) -> int:
        """Elements per sample for a batched value, or all elements otherwise."""
        dims = self.shape[1:] if self.batched else self.shape
        return int(np.prod(dims, dtype=np.int64)) if dims else 1

    def numel(self, batch_size: int) -> int:
        """Elements held for a concrete batch size."""
        return self.sample_size * (batch_size if self.batched else 1)

    def concrete(self, batch_size: int) -> Tuple[int, ...]:
        """The shape with the batch dimension replaced by ``batch_size``."""
        return tuple(batch_size if d is None else d for d in self.shape)


def format_shape(shape: Shape) -> str:
    """``(None, 3)`` -> ``"(B, 3)"``, the notation of IR listings."""
    inner = ", ".join("B" if d is None else str(d) for d in shape)
    if len(shape) == 1:
        inner += ","
    return f"({inner})"


def is_float(dtype: str) -> bool:
    return np.dtype(dtype).kind == "f"
