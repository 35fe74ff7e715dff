"""``graphkeras.config``: global settings, as ``keras.config`` has them, and thread counts.

Threads. Compiled programs run their own kernels on one thread (no parallel
loops: measured on 2-core machines they gained nothing on MLP-sized work and
collapsed when another process shared the cores), and call BLAS for every
matrix product. So by default BLAS keeps its own default, all cores, and the
two never compete. ``set_num_threads(n)`` sets both Numba's thread count and
every OpenBLAS copy loaded in the process (NumPy and SciPy each ship one, and
Numba's matrix products go through SciPy's), for machines shared with other
work.
"""

import ctypes
import logging

import numba

from graphkeras.backend import epsilon, floatx, set_epsilon, set_floatx  # noqa: F401

logger = logging.getLogger("graphkeras")

_SETTERS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "scipy_openblas_set_num_threads64_")
_GETTERS = ("openblas_get_num_threads", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_", "scipy_openblas_get_num_threads64_")


def _blas_libraries():
    """The OpenBLAS shared libraries mapped into this process (Linux)."""
    import scipy.linalg.cython_blas  # noqa: F401  (the copy compiled code calls)
    paths = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "openblas" in path and ".so" in path:
                    paths.add(path)
    except OSError:
        return []
    return [ctypes.CDLL(p) for p in sorted(paths)]


def _call_first(lib, names, *args):
    for name in names:
        fn = getattr(lib, name, None)
        if fn is not None:
            return fn(*args)
    return None


def set_num_threads(n):
    """Use ``n`` threads for compiled kernels and for BLAS.

    Args:
        n: a positive integer, at most the number of cores Numba was started with.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"`n` must be a positive integer; received n={n!r}.")
    if n > numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"`n` must be at most {numba.config.NUMBA_NUM_THREADS}, the threads "
                         f"available to Numba; received n={n}.")
    numba.set_num_threads(n)
    for lib in _blas_libraries():
        _call_first(lib, _SETTERS, ctypes.c_int(n))
    logger.info("using %d threads for kernels and BLAS", n)


def get_num_threads():
    """``{"numba": n, "blas": [n per OpenBLAS copy]}``: the current thread counts."""
    blas = []
    for lib in _blas_libraries():
        got = _call_first(lib, _GETTERS)
        if got is not None:
            blas.append(int(got))
    return {"numba": numba.get_num_threads(), "blas": blas}
