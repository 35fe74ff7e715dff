"""The compiled driver of every program: its kernel calls, run from a table.

A program is a list of kernel calls, ``kernel(A, plan, q, n)`` for each row
``q`` of its plan table (``compiler.codegen``). ``run_calls`` makes them in
order, each through the address of the kernel's machine code
(``compiler.kernels.native``), so this one function, compiled once per
machine, serves every program of every model; a program is data: the table of
addresses, the plan and the arena.

The calls run with subnormal floats flushed to zero (``kernels.fpenv``): they
arise in training and cost some CPUs a hundred times more per operation. The
caller's setting comes back when ``run_calls`` returns, and also when a kernel
raises (``native.call_kernel`` restores it before the exception propagates).
"""

import numpy as np
from numba import njit

from compiler.kernels.common import JIT
from compiler.kernels.fpenv import flush_denormals, restore
from compiler.kernels.native import call_kernel


@njit(**JIT)
def run_calls(entries, A, plan, n):
    """Call the kernel at ``entries[q]`` with ``(A, plan, q, n)`` for every row ``q``."""
    fp = flush_denormals()
    for q in range(entries.shape[0]):
        call_kernel(entries[q], A, plan, np.int64(q), n, fp)
    restore(fp)
    return 0
