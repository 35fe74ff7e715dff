"""Flush-to-zero for compiled programs: subnormal floats cost some CPUs a hundred times more.

Training produces subnormal float32 values routinely: an optimizer's moment
estimates for a weight whose gradient is zero decay geometrically through
them. On x86 each arithmetic operation on a subnormal takes about a hundred
cycles (measured here: 8.4 ns per element against 0.1), which made a whole
training step ten times slower. XLA runs with flush-to-zero for the same
reason. A program sets the FTZ and DAZ bits of the MXCSR register when it
starts and restores the caller's value when it ends, so NumPy code in the
user's thread keeps its own behaviour. Elsewhere than x86-64 both are no-ops.
"""

import platform

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: MXCSR bits: flush-to-zero (15) and denormals-are-zero (6).
FTZ_DAZ = 0x8040

X86 = platform.machine().lower() in ("x86_64", "amd64")


def _mxcsr_call(builder, name, pointer):
    fnty = ir.FunctionType(ir.VoidType(), [ir.IntType(8).as_pointer()])
    fn = cgutils.get_or_insert_function(builder.module, fnty, name)
    builder.call(fn, [builder.bitcast(pointer, ir.IntType(8).as_pointer())])


@intrinsic
def _read_mxcsr(typingctx):
    def codegen(context, builder, signature, args):
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        _mxcsr_call(builder, "llvm.x86.sse.stmxcsr", slot)
        return builder.zext(builder.load(slot), ir.IntType(64))
    return types.int64(), codegen


@intrinsic
def _write_mxcsr(typingctx, value):
    def codegen(context, builder, signature, args):
        slot = cgutils.alloca_once(builder, ir.IntType(32))
        builder.store(builder.trunc(args[0], ir.IntType(32)), slot)
        _mxcsr_call(builder, "llvm.x86.sse.ldmxcsr", slot)
        return context.get_dummy_value()
    return types.void(types.int64), codegen


if X86:
    @njit(cache=True)
    def flush_denormals():
        """Set FTZ and DAZ; return the previous MXCSR value for ``restore``."""
        previous = _read_mxcsr()
        _write_mxcsr(previous | FTZ_DAZ)
        return previous

    @njit(cache=True)
    def restore(previous):
        """Put back the MXCSR value ``flush_denormals`` returned."""
        _write_mxcsr(previous)
else:
    @njit(cache=True)
    def flush_denormals():
        return 0

    @njit(cache=True)
    def restore(previous):
        return None
