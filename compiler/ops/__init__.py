"""Every op the compiler knows, registered in ``compiler.ops.registry.REGISTRY``.

The modules below only define and register ops; importing this package
registers all of them. See ``registry.py`` for what an op definition holds.
"""

from compiler.ops import sources, elementwise, linalg, reduce, nn, array, random  # noqa: F401
from compiler.ops import losses  # noqa: F401
from compiler.ops.registry import REGISTRY, OpDef, get_op, register  # noqa: F401
