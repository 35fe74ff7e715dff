"""Calling compiled kernels by the address of their machine code.

A compiled function that calls kernels by name makes Numba link every kernel
into its own module and optimise the whole again: tens of milliseconds per call
site, over a second for a training program, paid for every new model. Calling
through addresses instead, from a table that is plain data, lets one small
compiled driver (``compiler.kernels.driver``) run every program: it compiles
once per machine, and a new model only compiles the kernels it is the first to
need. The addresses are arguments, so cached machine code holds no pointer of
the process that compiled it.

The call uses Numba's own calling convention, so arguments, the status code and
an exception raised inside a kernel reach the caller as through a direct call;
on the way out the caller's floating-point environment is put back first, since
the driver's own ``restore`` is skipped when an exception leaves it.
"""

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from compiler.kernels.fpenv import restore


def _restore(previous):
    restore(previous)


@intrinsic
def call_kernel(typingctx, address, A, plan, q, n, fp):
    """Call the kernel compiled for ``(A, plan, q, n)`` whose entry point is at ``address``.

    ``address`` must come from ``entry_point`` for exactly these argument types
    (``q`` and ``n`` as int64); anything else is undefined behaviour, as with
    any function pointer. ``fp`` is what ``fpenv.flush_denormals`` returned:
    if the kernel raises, it is restored before the exception propagates.
    """
    if not (isinstance(address, types.Integer) and isinstance(A, types.Array)
            and isinstance(plan, types.Array) and isinstance(q, types.Integer)
            and isinstance(n, types.Integer) and isinstance(fp, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        argtys = signature.args[1:5]
        fnty = context.call_conv.get_function_type(types.none, argtys)
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        status, _ = context.call_conv.call_function(builder, fn, types.none, argtys, args[1:5])
        with cgutils.if_unlikely(builder, status.is_error):
            context.compile_internal(builder, _restore, types.none(types.int64), [args[5]])
            context.call_conv.return_status_propagate(builder, status)
        return context.get_dummy_value()
    return types.none(types.int64, A, plan, types.int64, types.int64, types.int64), codegen


def entry_point(dispatcher, signature):
    """The address of ``dispatcher``'s machine code for ``signature`` (compiled already).

    This is the native entry (Numba's internal calling convention), not the
    Python wrapper: what ``call_kernel`` calls.
    """
    compiled = dispatcher.overloads[tuple(signature)]
    return compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)
