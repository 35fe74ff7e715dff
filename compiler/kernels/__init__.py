"""The kernel library: compiled once per machine and cached on disk, called by every program.

Hand-written kernels live in ``linalg``, ``reduce``, ``nn``, ``memory``,
``array`` (layout changes) and ``random``;
elementwise kernels are generated from the op registry's templates
(``elementwise``), and fusion-group kernels from their members' templates
(``fused``). ``kernel(name)`` returns any kind by name, which is how programs
find them; ``fingerprint(names)`` hashes the sources behind them. Generated
kernels and loops carry the hand-written library's fingerprint in their text
(``loader.library_fingerprint``), so nothing compiled against older kernels is
reused; ``driver.run_calls`` runs every program (``native`` holds how).
"""

import hashlib

from numba.core.registry import CPUDispatcher

from compiler.kernels.loader import library_source
from compiler.kernels import (array, elementwise, fused, linalg, losses, memory, nn, random,
                              reduce)

_MODULES = (linalg, reduce, nn, memory, array, random, losses)

LIBRARY = {
    name: obj
    for mod in _MODULES
    for name, obj in vars(mod).items()
    if isinstance(obj, CPUDispatcher) and not name.startswith("_") and name != "dim"
}


def kernel(name):
    """The compiled kernel called ``name`` (hand-written or generated)."""
    if name in LIBRARY:
        return LIBRARY[name]
    if fused.is_fused(name):
        return fused.kernel(name)
    return elementwise.kernel(name)


def source_of(name):
    """The source text a kernel is compiled from (for cache keys)."""
    if name in LIBRARY:
        return library_source()
    if fused.is_fused(name):
        return fused.source_of(name)
    return elementwise.source_of(name)


def fingerprint(names=()):
    """A hash of the sources of the hand-written kernels and of the kernels ``names``.

    A program's source (``get_source``) names the kernels it was generated
    against with it; with no ``names`` it is ``loader.library_fingerprint()``.
    """
    digest = hashlib.sha1(library_source().encode("utf-8"))
    for name in sorted(set(names)):
        if name not in LIBRARY:
            digest.update(source_of(name).encode("utf-8"))
    return digest.hexdigest()[:16]
