"""An exponential that LLVM can vectorize, for the float32 kernels that need many of them.

Numba lowers ``np.exp`` on float32 to ``llvm.exp``, which this stack turns into
one scalar libm call per element (no SVML): about 3-5 ns each, the whole cost
of a softmax row. ``exp`` here is the classic Cody-Waite scheme, written as
straight-line arithmetic so that a loop of calls becomes vector code:

    x = n ln2 + r,  n = round(x / ln2),  |r| <= ln2 / 2
    exp(x) = 2^n * P(r)

with ``ln2`` split in two so that ``r`` is exact, a degree-7 Taylor-like
polynomial (Cephes's ``expf`` coefficients, relative error about 1e-7, within
float32 rounding) and ``2^n`` made by writing ``n`` into a float's exponent
bits. Results below float32's smallest normal number are 0 (the programs flush
subnormals anyway, see ``fpenv``), above its largest are infinity, and NaN
stays NaN.

Float64 arguments go to ``np.exp`` unchanged: float64 programs exist to check
gradients, so they keep libm's accuracy.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

_LOG2E = np.float32(1.44269504088896341)
_LN2_HI = np.float32(0.693359375)
_LN2_LO = np.float32(-2.12194440e-4)
_LOWEST = np.float32(-87.33654)      # exp of this is float32's smallest normal, 2^-126
_HIGHEST = np.float32(88.72283)      # exp of this is float32's largest finite value
_P = tuple(np.float32(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
                                      4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1))


@intrinsic
def _bits_as_float32(typingctx, bits):
    """The float32 whose bit pattern is the int32 ``bits``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


@njit(inline="always")
def _pow2(n):
    """2.0 ** n for an int32 ``n`` in [-126, 127], from its exponent bits."""
    return _bits_as_float32((n + np.int32(127)) << np.int32(23))


@njit(fastmath={"contract"}, error_model="numpy")
def _exp32(x):
    """``exp(x)`` for float32 ``x``; the module docstring gives the method and its range.

    Fast-math reassociation is left off on purpose: it would fold the two-part
    ``ln2`` subtraction into one and lose the exactness of ``r``.
    """
    xc = _LOWEST if x < _LOWEST else (_HIGHEST if x > _HIGHEST else x)
    k = np.floor(xc * _LOG2E + np.float32(0.5))
    r = xc - k * _LN2_HI - k * _LN2_LO

    p = _P[0]
    p = p * r + _P[1]
    p = p * r + _P[2]
    p = p * r + _P[3]
    p = p * r + _P[4]
    p = p * r + _P[5]
    p = p * r * r + r + np.float32(1)

    n = np.int32(k)
    half = n >> np.int32(1)
    y = p * _pow2(half) * _pow2(n - half)
    y = np.float32(0) if x < _LOWEST else y
    return np.float32(np.inf) if x > _HIGHEST else y


def exp(x):
    """``np.exp(x)`` outside compiled code; inside, the vectorizable float32 exp above."""
    return np.exp(x)


@overload(exp, jit_options={"inline": "always"})
def _exp_overload(x):
    if x == types.float32:
        return lambda x: _exp32(x)
    return lambda x: np.exp(x)
