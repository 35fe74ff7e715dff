"""What every kernel shares: the Numba options and the decoding of plan extents.

Kernels take ``(A, plan, q, n)``: the arena, the plan table, this call's row and
the runtime batch size (see ``compiler.plan``). The options follow measured
facts about Numba on these machines: ``error_model='numpy'`` (the Python error
model checks every division and blocks vectorization) and fast-math flags that
allow reassociation but keep NaN and infinity semantics, so that a diverging
model shows NaN instead of garbage.
"""

from numba import njit

FASTMATH = {"contract", "reassoc", "nsz", "arcp"}
JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath=FASTMATH)


@njit(inline="always")
def dim(e, n):
    """Decode a plan extent: literal when >= 0, else ``-e`` rows per batch element."""
    return e if e >= 0 else -e * n


@njit(inline="always")
def view(A, offset, size):
    """The 1-D view ``A[offset:offset + size]``, indexed from 0 by the loop counter.

    Kernels index views rather than ``A[offset + i]``: Numba checks every
    signed arena index for wrap-around, and that check keeps loops scalar.
    """
    return A[offset:offset + size]
