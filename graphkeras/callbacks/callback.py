"""The `Callback` base class and the adapter through which callbacks reach
the model.

Callbacks touch the model only through `ModelAdapter`, so the training loop
has a short, explicit list of what it must provide:

| what a callback needs      | what the model must offer                      |
|----------------------------|------------------------------------------------|
| read / restore weights     | `get_weights()` -> list, `set_weights(list)`   |
| stop training              | a writable bool attribute `stop_training`      |
| read / set learning rate   | `optimizer.learning_rate`, a readable and      |
|                            | settable Python float property                 |
| save a checkpoint          | `save(filepath, overwrite=True)`,              |
|                            | `save_weights(filepath, overwrite=True)`       |
| resolve `mode="auto"`      | `compiled_metric_directions()` -> dict mapping |
|                            | a metric name to "up" or "down" (optional)     |
| expose `fit`'s History     | a writable attribute `history` (optional)      |
"""

import numbers

import numpy as np


class ModelAdapter:
    """The only access path from callbacks to the model being trained.

    Args:
        model: The model (see the module docstring for the interface).

    Example:

    >>> adapter = ModelAdapter(model)
    >>> adapter.set_learning_rate(adapter.get_learning_rate() * 0.5)
    """

    def __init__(self, model):
        self.model = model

    def get_weights(self):
        return self.model.get_weights()

    def set_weights(self, weights):
        self.model.set_weights(weights)

    def stop_training(self):
        self.model.stop_training = True

    def save(self, filepath):
        self.model.save(filepath, overwrite=True)

    def save_weights(self, filepath):
        self.model.save_weights(filepath, overwrite=True)

    def attach_history(self, history):
        """Sets `model.history`, as Keras' `fit` does; ignored if the model
        does not allow it."""
        try:
            self.model.history = history
        except AttributeError:
            pass

    def metric_direction(self, name):
        """Returns "up", "down" or None for a compiled metric name."""
        directions = getattr(self.model, "compiled_metric_directions", None)
        if directions is None:
            return None
        return (directions() or {}).get(name)

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            raise ValueError(
                'The model\'s optimizer must have a "learning_rate" '
                f"attribute. Received: optimizer={optimizer!r}"
            )
        return optimizer

    def get_learning_rate(self, caller="This callback"):
        """Returns the optimizer's learning rate as a Python float.

        Raises:
            TypeError: If the learning rate is a schedule object.
        """
        value = self._optimizer().learning_rate
        if _is_schedule(value):
            raise _schedule_error(caller, value)
        return float(np.asarray(value))

    def set_learning_rate(self, value, caller="This callback"):
        """Sets the optimizer's learning rate to the float `value`.

        Raises:
            TypeError: If the learning rate is a schedule object.
        """
        optimizer = self._optimizer()
        if _is_schedule(optimizer.learning_rate):
            raise _schedule_error(caller, optimizer.learning_rate)
        optimizer.learning_rate = float(value)


def _is_schedule(value):
    """True for anything that is not a scalar number, e.g. a schedule."""
    if isinstance(value, (numbers.Real, np.generic)):
        return False
    if isinstance(value, np.ndarray):
        return value.ndim != 0
    if callable(value):
        return True
    try:
        float(value)
    except (TypeError, ValueError):
        return True
    return False


def _schedule_error(caller, value):
    return TypeError(
        f"{caller} needs a settable float learning rate, but the optimizer "
        "was created with a learning rate schedule object "
        f"({type(value).__name__}), whose value cannot be set. Create the "
        "optimizer with a float `learning_rate` to use this callback."
    )


class Callback:
    """Base class used to build new callbacks.

    Callbacks are passed to `fit()`, `evaluate()` and `predict()` to hook
    into training, evaluation and inference. Subclass it and override the
    methods for the stages of interest. Hooks get a `logs` dict: at the end
    of a training batch or epoch it holds the metric values so far (epoch
    logs also hold the `val_`-prefixed validation results).

    Attributes:
        params: Dict of training parameters (`verbose`, `epochs`, `steps`).
        model: The model being trained.

    Example:

    >>> class StopAtThreshold(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         if (logs or {}).get("loss", 1.0) < 0.01:
    ...             self.model.stop_training = True
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Stores the training parameters dict in `self.params`."""
        self.params = params

    def set_model(self, model):
        """Stores the model in `self.model`."""
        self._model = model

    @property
    def model(self):
        return self._model

    @property
    def adapter(self):
        """A `ModelAdapter` for `self.model`."""
        return ModelAdapter(self._model)

    def on_batch_begin(self, batch, logs=None):
        """Alias of `on_train_batch_begin`, kept for backward compatibility."""

    def on_batch_end(self, batch, logs=None):
        """Alias of `on_train_batch_end`, kept for backward compatibility."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch (training only).

        Args:
            epoch: Integer, 0-based index of the epoch.
            logs: Dict; currently empty.
        """

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch (training only).

        Args:
            epoch: Integer, 0-based index of the epoch.
            logs: Dict of the epoch's metric results, with validation results
                prefixed by `val_`, e.g. `{"loss": 0.2, "val_loss": 0.3}`.
        """

    def on_train_batch_begin(self, batch, logs=None):
        """Called at the start of a training batch in `fit`.

        With `steps_per_execution=N` it is called once every N batches.
        The default implementation calls `on_batch_begin`.

        Args:
            batch: Integer, index of the batch within the epoch.
            logs: Dict; currently empty.
        """
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called at the end of a training batch in `fit`.

        With `steps_per_execution=N` it is called once every N batches.
        The default implementation calls `on_batch_end`.

        Args:
            batch: Integer, index of the batch within the epoch.
            logs: Dict of the metric results aggregated up to this batch.
        """
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called at the start of a batch in `evaluate` (and in validation
        during `fit`).

        Args:
            batch: Integer, index of the batch.
            logs: Dict; currently empty.
        """

    def on_test_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `evaluate` (and in validation
        during `fit`).

        Args:
            batch: Integer, index of the batch.
            logs: Dict of the metric results aggregated up to this batch.
        """

    def on_predict_batch_begin(self, batch, logs=None):
        """Called at the start of a batch in `predict`.

        Args:
            batch: Integer, index of the batch.
            logs: Dict; currently empty.
        """

    def on_predict_batch_end(self, batch, logs=None):
        """Called at the end of a batch in `predict`.

        Args:
            batch: Integer, index of the batch.
            logs: Dict; may hold the batch outputs.
        """

    def on_train_begin(self, logs=None):
        """Called at the start of training.

        Args:
            logs: Dict; currently empty.
        """

    def on_train_end(self, logs=None):
        """Called at the end of training.

        Args:
            logs: Dict; the logs of the last `on_epoch_end` call.
        """

    def on_test_begin(self, logs=None):
        """Called at the start of evaluation or validation.

        Args:
            logs: Dict; currently empty.
        """

    def on_test_end(self, logs=None):
        """Called at the end of evaluation or validation.

        Args:
            logs: Dict; the logs of the last `on_test_batch_end` call.
        """

    def on_predict_begin(self, logs=None):
        """Called at the start of prediction.

        Args:
            logs: Dict; currently empty.
        """

    def on_predict_end(self, logs=None):
        """Called at the end of prediction.

        Args:
            logs: Dict; currently empty.
        """
