"""Data movement: copying a value (persistent updates) and writing the batch size."""

from numba import njit

from compiler.kernels.common import JIT, dim, view


@njit(**JIT)
def copy(A, plan, q, n):
    """Row ``[dst, src, size]``."""
    dst, src, size = plan[q, 0], plan[q, 1], dim(plan[q, 2], n)
    if dst == src:
        return
    to, source = view(A, dst, size), view(A, src, size)
    for i in range(size):
        to[i] = source[i]


@njit(**JIT)
def batch_size(A, plan, q, n):
    """Row ``[out]``: the runtime batch size as a scalar of the arena's dtype."""
    A[plan[q, 0]] = n


@njit(**JIT)
def gather_rows(A, offset, width, X, order, pos, n):
    """Copy rows ``order[pos:pos + n]`` of the 2-D data ``X`` into the arena at ``offset``."""
    for r in range(n):
        row = X[order[pos + r]]
        to = view(A, offset + r * width, width)
        for c in range(width):
            to[c] = row[c]
