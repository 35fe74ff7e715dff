"""Data movement: copying values, writing the batch size, gathering batches from the data."""

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from compiler.kernels.common import JIT, dim, view

#: Bytes per cache line: one prefetch per line of a row.
LINE = 64


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the CPU to start loading ``array[index]`` into cache (``llvm.prefetch``, for reading).

    A hint only: no fault, no effect on results, a no-op where the target has
    no prefetch instruction.
    """
    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, signature.args[0], ary,
                                           [args[1]], wraparound=False)
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [pointer.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [pointer, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()
    if not (isinstance(array, types.Array) and array.ndim == 1
            and isinstance(index, types.Integer)):
        return None
    return types.void(array, types.intp), codegen


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


@njit(**JIT)
def scatter_rows(A, offset, width, Y, order, pos, n):
    """Copy ``n`` rows from the arena at ``offset`` to rows ``order[pos:pos + n]`` of ``Y``.

    The inverse of ``gather_rows``: a prediction loop puts each batch's outputs
    back in the rows its inputs came from.
    """
    for r in range(n):
        row = Y[order[pos + r]]
        source = view(A, offset + r * width, width)
        for c in range(width):
            row[c] = source[c]


@njit(**JIT)
def prefetch_rows(X, order, pos, n):
    """Start loading rows ``order[pos:pos + n]`` of ``X`` (as many as exist) into cache.

    The step loop asks for the next batch's rows before running a step, so that
    the memory latency of a shuffled gather (every row a cache miss in a large
    data set: about 2 us of a 12 us step for the ``tiny`` benchmark) overlaps
    the step's arithmetic instead of stalling the next gather. Measured on the
    later benchmark host it gained nothing (docs/architecture.md, 10.2): the
    hint is cheap, and whether it helps depends on the CPU.
    """
    per_line = max(1, LINE // X.itemsize)
    for r in range(min(n, order.shape[0] - pos)):
        row = X[order[pos + r]]
        for c in range(0, row.shape[0], per_line):
            _prefetch(row, c)
