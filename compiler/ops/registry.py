"""The op registry: every op the compiler knows, with its rules, in one table.

An ``OpDef`` holds, for one op:

- a **shape rule** ``shape(in_types, attrs) -> TensorType``, which raises
  ``ShapeError`` with a plain sentence when the operands do not fit;
- a **gradient rule** ``grad(graph, name, dout) -> [dvalue or None per operand]``
  that emits the vector-Jacobian product as more ops (None when an operand gets
  no gradient); ops without a rule cannot be differentiated through;
- a **NumPy reference** ``numpy(inputs, attrs) -> array``, which the
  interpreter runs and every kernel is tested against;
- a **code template** ``kernel``, telling codegen how to run it: a scalar
  expression for elementwise ops (``Map``/``Binary``), or a hand-written
  library kernel with the rule that packs its plan row (``Library``), or an
  alias of its operand's storage (``Alias``), or nothing for sources.
"""

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from compiler.errors import GraphError, UnsupportedOpError
from compiler.types import TensorType, format_shape


class ShapeError(Exception):
    """Raised by shape rules; turned into a ``GraphError`` that names the layer."""


@dataclass(frozen=True)
class Map:
    """An elementwise op over same-shape tensors and scalars.

    ``template`` is a Python expression over ``x0, x1, ...`` (element values;
    scalar operands are read once) with ``{F}`` standing for the dtype's
    constructor, so constants keep the program's precision. It may use ``np``,
    ``math`` and ``exp`` (``compiler.kernels.vmath.exp``: vector code for
    float32, where ``np.exp`` is a scalar libm call). ``kinds`` has one
    letter per operand: ``T`` for a tensor of the output's shape, ``S`` for a
    scalar.
    """

    template: str
    kinds: str


@dataclass(frozen=True)
class Binary:
    """An elementwise op of two operands with NumPy broadcasting."""

    template: str


@dataclass(frozen=True)
class Library:
    """A hand-written kernel from ``compiler.kernels``.

    ``row(out, operands, attrs)`` gets a ``Slot`` (offset and type) for the
    output and each operand and returns the ints of the kernel's plan row.

    An op that needs several calls of its kernel (a ``concat`` copies each
    operand into place with one call, because a plan row is at most
    ``compiler.plan.ROW_WIDTH`` wide) gives ``rows`` instead, with the same
    arguments, returning a list of rows run in order. How many rows it returns
    may depend on the operands' types and the attributes, never on offsets:
    codegen counts them once, before the memory layout exists.
    """

    kernel: object              # a kernel name, or attrs -> kernel name
    row: Optional[Callable] = None
    rows: Optional[Callable] = None

    def plan_rows(self, out, operands, attrs) -> List[List[int]]:
        """Every plan row of one op, whichever of ``row``/``rows`` is given."""
        if self.rows is not None:
            return self.rows(out, operands, attrs)
        return [self.row(out, operands, attrs)]


@dataclass(frozen=True)
class Alias:
    """The output shares its operand's storage (a reshape of contiguous data)."""


@dataclass(frozen=True)
class Source:
    """A value with no operands, provided by the runtime."""


@dataclass(frozen=True)
class OpDef:
    name: str
    arity: Optional[int]
    shape: Callable
    numpy: Callable
    kernel: object
    grad: Optional[Callable] = None
    doc: str = ""
    # attribute names an op must carry, checked when the op is added
    required_attrs: Tuple[str, ...] = field(default_factory=tuple)
    # False for ops whose result is not a function of operands and attrs (random
    # draws): passes must never merge two of them
    pure: bool = True

    def infer(self, in_types, attrs, layer=None) -> TensorType:
        """Apply the shape rule, turning failures into errors that name the layer."""
        where = f"layer `{layer}`" if layer else "the model"
        if self.arity is not None and len(in_types) != self.arity:
            raise GraphError(
                f"Op `{self.name}` in {where} takes {self.arity} operands; "
                f"received {len(in_types)}.")
        for key in self.required_attrs:
            if key not in attrs:
                raise GraphError(f"Op `{self.name}` in {where} needs attribute `{key}`.")
        try:
            return self.shape(list(in_types), attrs)
        except ShapeError as err:
            shapes = ", ".join(format_shape(t.shape) for t in in_types)
            raise GraphError(
                f"Incompatible shapes in {where} (op `{self.name}` on {shapes}): {err}"
            ) from None
        except UnsupportedOpError as err:
            shapes = ", ".join(format_shape(t.shape) for t in in_types)
            raise UnsupportedOpError(
                f"Op `{self.name}` in {where} on {shapes} is not supported: {err}") from None


REGISTRY: Dict[str, OpDef] = {}


def register(opdef: OpDef) -> OpDef:
    """Add an op to the registry; names are unique."""
    if opdef.name in REGISTRY:
        raise ValueError(f"Op `{opdef.name}` is registered twice.")
    REGISTRY[opdef.name] = opdef
    return opdef


def get_op(name: str) -> OpDef:
    """The definition of op ``name``; unknown names are unsupported ops."""
    _ensure_loaded()
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnsupportedOpError(f"The compiler has no op `{name}`.") from None


def _ensure_loaded():
    if not REGISTRY:
        import compiler.ops  # noqa: F401  (registers every op module)
