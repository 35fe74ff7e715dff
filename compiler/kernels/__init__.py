"""The kernel library: compiled once per machine and cached on disk, called by every program.

Hand-written kernels live in ``linalg``, ``reduce``, ``nn`` and ``memory``;
elementwise kernels are generated from the op registry's templates
(``elementwise``). ``kernel(name)`` returns either kind by name, which is how
generated programs bind them. ``fingerprint()`` hashes the library's source,
so a program compiled against an older library is never reused.
"""

import hashlib
import os

from numba.core.registry import CPUDispatcher

from compiler.kernels import elementwise, fused, linalg, memory, nn, reduce

_MODULES = (linalg, reduce, nn, memory)

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
    return getattr(elementwise.module(), name)


_FINGERPRINT = None


def fingerprint():
    """A hash of every kernel's source, for cache keys of programs that call them."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        digest = hashlib.sha1()
        here = os.path.dirname(__file__)
        for fname in sorted(os.listdir(here)):
            if fname.endswith(".py"):
                with open(os.path.join(here, fname), "rb") as fh:
                    digest.update(fh.read())
        digest.update(elementwise.source().encode("utf-8"))
        _FINGERPRINT = digest.hexdigest()[:16]
    return _FINGERPRINT
