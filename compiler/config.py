"""Configuration read from the environment, in one place.

| variable | meaning |
|---|---|
| ``GRAPHKERAS_CHECKS=1`` | run ``verify(graph)`` after every pass (always on in the tests) |
| ``GRAPHKERAS_DUMP_DIR=path`` | write every stage's listing, DOT graph and program source there |
| ``GRAPHKERAS_CACHE_DIR=path`` | where generated modules and Numba's cache live |
| ``GRAPHKERAS_DEBUG=n`` | 1: pass names and timings; 2: a graph summary after each pass; |
|                       | 3: generated source; 4: full IR after each pass (all via ``logging``) |

Values are read when asked for, so tests can change them with ``monkeypatch``.
"""

import os


def checks_enabled():
    """Whether to verify the graph after every pass."""
    return os.environ.get("GRAPHKERAS_CHECKS", "0") not in ("", "0", "false", "False")


def dump_dir():
    """The directory for IR dumps, or None."""
    path = os.environ.get("GRAPHKERAS_DUMP_DIR")
    return path or None


def debug_level():
    """The ``GRAPHKERAS_DEBUG`` level (0 when unset or not a number)."""
    try:
        return int(os.environ.get("GRAPHKERAS_DEBUG", "0"))
    except ValueError:
        return 0


def cache_dir():
    """The directory for generated modules and Numba's on-disk cache."""
    path = os.environ.get("GRAPHKERAS_CACHE_DIR")
    if path:
        return path
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "graphkeras")
