"""Import generated source as a real module file, so Numba can cache what it compiles.

Numba cannot cache functions defined by ``exec``; it can cache functions of a
module loaded from a file. Generated text is written, through a temporary file
and a rename, to ``<cache dir>/<prefix>_<sha1 of the text>.py``; the name is
the content, so a file is never stale, and a file whose text does not match
its name (a torn or edited file) is rewritten before use. The module is
registered in ``sys.modules`` before it runs, which Numba's cache needs to find
it again in later processes.
"""

import hashlib
import importlib.util
import logging
import os
import sys

from compiler import config

logger = logging.getLogger(__name__)


def module_name(prefix, source):
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:20]
    return f"{prefix}_{digest}"


def load_source(prefix, source):
    """Return the module for ``source``, writing and importing it if needed."""
    name = module_name(prefix, source)
    if name in sys.modules:
        return sys.modules[name]
    directory = config.cache_dir()
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name + ".py")
    if not _holds(path, source):
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(source)
        os.replace(tmp, path)
        logger.debug("wrote generated module %s", path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


_LIBRARY = {}


def library_source():
    """The text of every module of ``compiler/kernels``, read once per process."""
    if "source" not in _LIBRARY:
        here = os.path.dirname(__file__)
        parts = []
        for fname in sorted(os.listdir(here)):
            if fname.endswith(".py"):
                with open(os.path.join(here, fname), encoding="utf-8") as fh:
                    parts.append(fh.read())
        _LIBRARY["source"] = "\n".join(parts)
    return _LIBRARY["source"]


def library_fingerprint():
    """A hash of ``library_source()``, 16 hex digits.

    Generated kernels carry it in their text, and so in their module name:
    their compiled code inlines hand-written helpers (``view``, ``exp``), and
    Numba's cache of a module only notices changes to that module's own file.
    """
    if "digest" not in _LIBRARY:
        _LIBRARY["digest"] = hashlib.sha1(library_source().encode("utf-8")).hexdigest()[:16]
    return _LIBRARY["digest"]


def _holds(path, source):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read() == source
    except OSError:
        return False


def _from_numba_cache(err):
    """Whether ``err`` (or what caused it) was raised while reading Numba's on-disk cache."""
    while err is not None:
        tb = err.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.replace("\\", "/").endswith(
                    "numba/core/caching.py"):
                return True
            tb = tb.tb_next
        err = err.__cause__ or err.__context__
    return False


def compile_recovering(action, dispatchers):
    """Run ``action()`` (which compiles); if a damaged cache entry breaks it, rebuild.

    Numba trusts its index and data files; a truncated or garbled file makes it
    raise while loading. Then every cache index of ``dispatchers`` (the program
    and the kernels it calls) is flushed, so Numba compiles afresh and writes
    good entries, and ``action`` runs once more.
    """
    try:
        return action()
    except Exception as err:
        if not _from_numba_cache(err):
            raise
        logger.warning("compile cache entry unreadable (%s: %s); rebuilding it",
                       type(err).__name__, err)
    for dispatcher in dispatchers:
        cache = getattr(dispatcher, "_cache", None)
        if cache is not None:
            cache.flush()
    return action()
