"""Calling a compiled program by the address of its machine code.

A loop that calls a program's driver by name makes Numba link the driver and
every kernel it calls into the loop's own module, and optimise the whole again:
about a second per loop for a small model, paid for every new model. Calling
through the driver's address instead keeps the loop a few small functions
that compile once per machine for any program (the address is an argument, so
the cached machine code holds no pointer of this process).

The call uses Numba's own calling convention, so arguments, the status code
and an exception raised inside the program reach the caller as they would
through a direct call.
"""

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def call_program(typingctx, address, A, plan, n):
    """Call the driver compiled for ``(A, plan, n)`` whose entry point is at ``address``.

    ``address`` must come from ``entry_point`` for exactly these argument types;
    anything else is undefined behaviour, as with any function pointer.
    """
    if not (isinstance(address, types.Integer) and isinstance(A, types.Array)
            and isinstance(plan, types.Array) and isinstance(n, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        argtys = signature.args[1:]
        fnty = context.call_conv.get_function_type(types.none, argtys)
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        status, _ = context.call_conv.call_function(builder, fn, types.none, argtys, args[1:])
        with cgutils.if_unlikely(builder, status.is_error):
            context.call_conv.return_status_propagate(builder, status)
        return context.get_dummy_value()
    return types.none(address, A, plan, types.int64), codegen


def entry_point(dispatcher, signature):
    """The address of ``dispatcher``'s machine code for ``signature`` (compiled already).

    This is the native entry (Numba's internal calling convention), not the
    Python wrapper: what ``call_program`` calls.
    """
    compiled = dispatcher.overloads[tuple(signature)]
    return compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)
