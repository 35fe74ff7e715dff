"""``random_uniform``: U[0, 1) draws of an operand's shape, from the compiled code's generator.

The operand only gives the shape (a dropout mask takes the shape of the
activations, batch included); its values are not read. Compiled programs key
a counter hash with draws from Numba's generator, which
``compiler.kernels.random.seed`` seeds; the NumPy reference computes the same
hash keyed from NumPy's global generator, whose legacy stream is the same for
the same seed (see ``compiler.kernels.random``). The op has no gradient: its
output does not depend on its operand's values.
"""

import numpy as np

from compiler.ops.registry import Library, OpDef, register
from compiler.plan import encode_size


def _numpy(inputs, attrs):
    from compiler.kernels.random import uniform_like_numpy
    (x,) = inputs
    return uniform_like_numpy(x.size).reshape(x.shape).astype(x.dtype)


register(OpDef("random_uniform", 1, lambda in_types, attrs: in_types[0], _numpy,
               Library("random_uniform",
                       lambda out, ops, attrs: [out.offset, encode_size(out.type)]),
               lambda g, n, d: [None],
               doc="U[0, 1) draws of the operand's shape (its values are not read)",
               pure=False))
