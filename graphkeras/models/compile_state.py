"""What ``model.compile`` records: the optimizer, per-output losses, loss weights and metrics."""

from graphkeras import losses as losses_module
from graphkeras import metrics as metrics_module
from graphkeras import optimizers


def _per_output(value, names, what, default):
    """``value`` spread over outputs: one for all, a list by position, or a dict by name."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"The `{what}` dict has keys {unknown} that are not outputs of "
                             f"the model; its outputs are {names}.")
        return [value.get(n, default) for n in names]
    if isinstance(value, (list, tuple)) and what != "metrics":
        if len(value) != len(names):
            raise ValueError(f"`{what}` has {len(value)} entries but the model has "
                             f"{len(names)} outputs ({names}).")
        return list(value)
    return [value] * len(names)


class CompileState:
    """The resolved arguments of one ``compile`` call.

    Args:
        model: the model being compiled (for its output names).
        optimizer, loss, loss_weights, metrics: as passed to ``compile``.
    """

    def __init__(self, model, optimizer, loss, loss_weights, metrics):
        self.optimizer = optimizers.get(optimizer)
        names = model.output_names
        self.loss_config = loss
        raw = _per_output(loss, names, "loss", None) if loss is not None else [None] * len(names)
        self.losses = [losses_module.get(l) if l is not None else None for l in raw]
        weights = _per_output(loss_weights, names, "loss_weights", 1.0)
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self.metrics = self._metric_lists(metrics, names)

    @staticmethod
    def _metric_lists(metrics, names):
        if metrics is None:
            return [[] for _ in names]
        if isinstance(metrics, dict):
            lists = _per_output(metrics, names, "metrics", [])
            return [m if isinstance(m, (list, tuple)) else [m] for m in lists]
        if not isinstance(metrics, (list, tuple)):
            raise TypeError(f"`metrics` must be a list or a dict; received {metrics!r}.")
        if metrics and all(isinstance(m, (list, tuple)) for m in metrics):
            if len(metrics) != len(names):
                raise ValueError(f"`metrics` has {len(metrics)} lists but the model has "
                                 f"{len(names)} outputs.")
            return [list(m) for m in metrics]
        return [list(metrics) for _ in names]

    def resolve_metrics(self, index, y_shape, pred_shape):
        """The compiled metrics of output ``index``, given target and prediction shapes."""
        return [metrics_module.resolve(m, y_shape, pred_shape) for m in self.metrics[index]]

    def target_shape(self, index, pred_shape):
        """The sample shape targets of output ``index`` are expected to have by default."""
        loss = self.losses[index]
        if loss is not None and loss.sparse:
            return tuple(pred_shape[1:-1])
        return tuple(pred_shape[1:])
