"""Exceptions raised by the compiler.

Two families, kept apart on purpose: mistakes in what the user asked for
(``ValueError``/``TypeError``/``NotImplementedError`` subclasses that carry the
layer and a remedy), and failures of the compiler itself
(``InternalCompilerError``), which say that the bug is graphkeras's own.
"""


class GraphError(ValueError):
    """A user-facing problem with a graph: bad shapes, disconnected inputs, bad names."""


class UnsupportedOpError(NotImplementedError):
    """An operation the compiler cannot lower, reported at model construction."""


class InternalCompilerError(RuntimeError):
    """A failure inside the compiler that is not the user's fault.

    The message names the pass (or stage) and the op where it happened; the
    original exception is chained as ``__cause__``.
    """

    def __init__(self, message, stage=None, op=None, layer=None):
        where = []
        if stage:
            where.append(f"stage `{stage}`")
        if op:
            where.append(f"op `{op}`")
        if layer:
            where.append(f"layer `{layer}`")
        prefix = "Internal compiler error"
        if where:
            prefix += " in " + ", ".join(where)
        super().__init__(
            f"{prefix}: {message}\nThis is a bug in graphkeras, not in your model; "
            "please report it with the model that triggers it."
        )
        self.stage = stage
        self.op = op
        self.layer = layer


class VerificationError(InternalCompilerError):
    """``verify(graph)`` found a broken invariant after a pass."""
