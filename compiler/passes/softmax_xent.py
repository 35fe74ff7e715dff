"""Softmax cross-entropy fusion: one kernel for a softmax and the crossentropy on it.

Runs after loss lowering and before differentiation, so that the fused op's
own gradient rule (``d * (p - y)`` in the usual regime, never the softmax
Jacobian) replaces the long chain autodiff would otherwise build. It
recognizes the two forms the crossentropy losses emit, per sample along the
last axis:

- probabilities: ``-sum(y * log(clip(s / sum(s), lo, hi)))`` with
  ``s = softmax(z)`` (Keras 3's clipped probability path);
- logits: ``-sum(y * log_softmax(z))``;

and replaces the result with ``softmax_xent(z, y, lo, hi)``. The softmax
itself stays when something else (the model's prediction, a metric) uses it.
Intermediate values with other users block the rewrite, so it never changes
what any other op sees, and so do targets that depend on trainable weights,
since the fused op gives its targets no gradient.
"""

import networkx as nx

from compiler.ops.build import const


def _only_user(graph, value, user):
    return graph.users(value) == [user] and user not in graph.outputs.values()


def _last_axis(graph, name, key):
    axes = graph.attrs_of(name).get(key)
    rank = graph.type_of(graph.operands(name)[0]).rank
    axes = (axes,) if isinstance(axes, int) else tuple(axes or ())
    return tuple(a % rank for a in axes) == (rank - 1,)


class SoftmaxCrossEntropy:
    name = "softmax_xent"

    def __call__(self, graph) -> bool:
        changed = False
        for name in list(graph.topological()):
            if name in graph and graph.op_of(name) == "neg":
                match = self._match(graph, name)
                if match is not None:
                    self._rewrite(graph, name, *match)
                    changed = True
        return changed

    def _match(self, graph, neg):
        (total,) = graph.operands(neg)
        if graph.op_of(total) != "reduce_sum" or not _last_axis(graph, total, "axes") \
                or graph.attrs_of(total).get("keepdims") or not _only_user(graph, total, neg):
            return None
        (prod,) = graph.operands(total)
        if graph.op_of(prod) != "mul" or not _only_user(graph, prod, total):
            return None
        for y, logp in (graph.operands(prod), graph.operands(prod)[::-1]):
            if graph.type_of(y) != graph.type_of(logp) or self._trainable_upstream(graph, y):
                continue
            found = self._logits_of(graph, logp, prod)
            if found is not None:
                return (y,) + found
        return None

    @staticmethod
    def _trainable_upstream(graph, value):
        """Whether ``value`` depends on a trainable weight: the fused op gives targets no
        gradient, so such targets (a teacher's output in a distillation loss) keep the
        unfused chain."""
        return any(graph.op_of(n) == "param" and graph.attrs_of(n).get("trainable", True)
                   for n in nx.ancestors(graph.nx, value) | {value})

    def _logits_of(self, graph, logp, user):
        """``(z, lo, hi, from_logits)`` if ``logp`` is a log-probability of softmax(z)."""
        if not _only_user(graph, logp, user):
            return None
        op = graph.op_of(logp)
        if op == "log_softmax" and graph.attrs_of(logp)["axis"] == \
                graph.type_of(logp).rank - 1:
            return graph.operands(logp)[0], None, None, True
        if op != "log":
            return None
        (clipped,) = graph.operands(logp)
        if graph.op_of(clipped) != "clip" or not _only_user(graph, clipped, logp):
            return None
        probs, lo, hi = graph.operands(clipped)
        if graph.op_of(probs) != "div" or not _only_user(graph, probs, clipped):
            return None
        soft, norm = graph.operands(probs)
        if graph.op_of(soft) != "softmax" or graph.op_of(norm) != "reduce_sum":
            return None
        if graph.operands(norm) != [soft] or not graph.attrs_of(norm).get("keepdims") \
                or not _last_axis(graph, norm, "axes") or not _only_user(graph, norm, probs):
            return None
        if graph.attrs_of(soft)["axis"] != graph.type_of(soft).rank - 1:
            return None
        return graph.operands(soft)[0], lo, hi, False

    @staticmethod
    def _rewrite(graph, neg, y, z, lo, hi, from_logits):
        dtype = graph.type_of(z).dtype
        if from_logits:
            lo, hi = const(graph, 0.0, dtype, like=neg), const(graph, 1.0, dtype, like=neg)
        layer = graph.node(neg)["layer"] or graph.node(z)["layer"]
        fused = graph.add("softmax_xent", [z, y, lo, hi], {"from_logits": from_logits},
                          layer=layer, name="softmax_xent")
        graph.replace_uses(neg, fused.name)
