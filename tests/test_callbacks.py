"""Tests for graphkeras.callbacks and graphkeras.utils.progbar.

The callbacks are driven by `simulate_fit`, which calls the hooks in the
order Keras 3's `fit` does, on a small fake model that implements the
interface documented in `graphkeras/callbacks/callback.py`.
"""

import csv
import math
import re

import numpy as np
import pytest

import graphkeras.utils.progbar as progbar_module
from graphkeras.callbacks import CSVLogger
from graphkeras.callbacks import Callback
from graphkeras.callbacks import CallbackList
from graphkeras.callbacks import EarlyStopping
from graphkeras.callbacks import History
from graphkeras.callbacks import LambdaCallback
from graphkeras.callbacks import LearningRateScheduler
from graphkeras.callbacks import ModelCheckpoint
from graphkeras.callbacks import ProgbarLogger
from graphkeras.callbacks import ReduceLROnPlateau
from graphkeras.callbacks import TerminateOnNaN
from graphkeras.callbacks import pythonify_logs
from graphkeras.utils.progbar import Progbar

BAR = "\u2501"
B, R, G, W = "\x1b[1m", "\x1b[0m", "\x1b[32m", "\x1b[37m"


# --------------------------------------------------------------------------
# Fakes and the fit simulation


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self._learning_rate = learning_rate

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = value


class ExponentialSchedule:
    """Stands in for a learning rate schedule object."""

    def __call__(self, step):
        return 0.1 * 0.9**step


class FakeModel:
    """Weights are one array filled with the index of the last epoch run."""

    def __init__(self, directions=None, learning_rate=0.1):
        self.weights = [np.full(2, -1.0)]
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.saved = []
        self._directions = directions or {}

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath, overwrite=True):
        self._write(filepath, "model")

    def save_weights(self, filepath, overwrite=True):
        self._write(filepath, "weights")

    def _write(self, filepath, kind):
        with open(filepath, "w") as f:
            f.write(kind)
        self.saved.append((kind, str(filepath)))

    def compiled_metric_directions(self):
        return dict(self._directions)

    @property
    def weight_value(self):
        return float(self.weights[0][0])


def simulate_fit(model, callbacks, epoch_logs, steps=1, verbose=0, batch_logs=None):
    """Runs the hooks as Keras 3's `fit` does, for `len(epoch_logs)` epochs.

    `epoch_logs[e]` is the logs dict of epoch e; `batch_logs(e, step)` gives
    the logs of one batch (by default, the epoch's non-`val_` entries).
    """
    if batch_logs is None:

        def batch_logs(epoch, step):
            logs = epoch_logs[epoch]
            return {k: v for k, v in logs.items() if not k.startswith("val_")}

    callback_list = CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=len(epoch_logs),
        steps=steps,
    )
    model.stop_training = False
    callback_list.on_train_begin()
    training_logs = None
    for epoch in range(len(epoch_logs)):
        callback_list.on_epoch_begin(epoch)
        for step in range(steps):
            callback_list.on_train_batch_begin(step)
            model.weights = [np.full(2, float(epoch))]
            callback_list.on_train_batch_end(step, batch_logs(epoch, step))
            if model.stop_training:
                break
        logs = dict(epoch_logs[epoch])
        callback_list.on_epoch_end(epoch, logs)
        training_logs = logs
        if model.stop_training:
            break
    callback_list.on_train_end(training_logs)
    return model.history


def losses(*values, key="loss"):
    return [{key: v} for v in values]


class FakeClock:
    """Returns `start`, `start + step`, ... on successive calls."""

    def __init__(self, start=1024.0, step=2.0**-9, times=None):
        self.times = list(times) if times is not None else None
        self.now = start - step
        self.step = step

    def __call__(self):
        if self.times is not None:
            return self.times.pop(0)
        self.now += self.step
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "_clock", fake)
    return fake


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# --------------------------------------------------------------------------
# Callback, CallbackList, History


def test_callback_batch_aliases_and_params():
    calls = []

    class Recorder(Callback):
        def on_batch_begin(self, batch, logs=None):
            calls.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("end", batch, logs))

    model = FakeModel()
    recorder = Recorder()
    CallbackList([recorder], model=model, verbose=0, epochs=1, steps=2)
    assert recorder.model is model
    assert recorder.params == {"verbose": 0, "epochs": 1, "steps": 2}
    recorder.on_train_batch_begin(3)
    recorder.on_train_batch_end(3, {"loss": 1.0})
    assert calls == [("begin", 3), ("end", 3, {"loss": 1.0})]


def test_callback_list_adds_history_and_progbar_once():
    history = History()
    callbacks = CallbackList([[history]], add_history=True, add_progbar=True)
    assert callbacks.callbacks[0] is history
    assert sum(isinstance(c, History) for c in callbacks) == 1
    assert isinstance(callbacks.callbacks[-1], ProgbarLogger)
    assert len(CallbackList([], add_history=True, add_progbar=False)) == 1
    with pytest.raises(TypeError, match="Callback"):
        CallbackList(["not a callback"])


def test_callback_list_pythonifies_batch_logs():
    seen = []
    callback = LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs))
    callbacks = CallbackList([callback], model=FakeModel())
    callbacks.on_train_batch_end(0, {"loss": np.float32(0.5), "acc": np.int64(1)})
    assert seen == [{"acc": 1.0, "loss": 0.5}]
    assert list(seen[0]) == ["acc", "loss"]
    assert type(seen[0]["loss"]) is float
    nested = pythonify_logs({"b": {"x": 1}, "a": "text"})
    assert nested == {"a": "text", "x": 1.0}


def test_history_contents():
    model = FakeModel()
    logs = [
        {"accuracy": 0.5, "loss": 1.0, "val_accuracy": 0.4, "val_loss": 1.2},
        {"accuracy": 0.6, "loss": 0.8, "val_accuracy": 0.5, "val_loss": 1.1},
    ]
    history = simulate_fit(model, [], logs, steps=3)
    assert isinstance(history, History)
    assert history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["loss"] == [1.0, 0.8]
    assert history.history["val_accuracy"] == [0.4, 0.5]


# --------------------------------------------------------------------------
# EarlyStopping


def test_early_stopping_reference_example():
    model = FakeModel()
    stopper = EarlyStopping(monitor="loss", patience=2)
    history = simulate_fit(model, [stopper], losses(1.0, 1.1, 1.2, 1.3, 1.4))
    assert history.epoch == [0, 1, 2]
    assert stopper.stopped_epoch == 2
    assert stopper.best == 1.0
    assert model.stop_training is True


def test_early_stopping_patience_zero_stops_at_first_non_improvement():
    stopper = EarlyStopping(monitor="loss")
    history = simulate_fit(FakeModel(), [stopper], losses(1.0, 0.9, 0.95, 0.8))
    assert history.epoch == [0, 1, 2]


def test_early_stopping_min_delta():
    values = losses(1.0, 0.95, 0.85, 0.8)
    plain = EarlyStopping(monitor="loss", patience=1)
    assert simulate_fit(FakeModel(), [plain], values).epoch == [0, 1, 2, 3]
    strict = EarlyStopping(monitor="loss", patience=1, min_delta=-0.1)
    assert strict.min_delta == 0.1  # stored as an absolute value
    assert simulate_fit(FakeModel(), [strict], values).epoch == [0, 1]


def test_early_stopping_baseline_blocks_wait_reset():
    # Improvements that do not beat the baseline leave the counter running.
    values = losses(1.0, 0.9, 0.95, 0.94)
    with_baseline = EarlyStopping(monitor="loss", patience=2, baseline=0.5)
    assert simulate_fit(FakeModel(), [with_baseline], values).epoch == [0, 1, 2]
    without = EarlyStopping(monitor="loss", patience=2)
    assert simulate_fit(FakeModel(), [without], values).epoch == [0, 1, 2, 3]


def test_early_stopping_baseline_beaten_resets_wait():
    values = losses(1.0, 0.9, 0.91, 0.92, 0.93)
    stopper = EarlyStopping(monitor="loss", patience=2, baseline=0.95)
    history = simulate_fit(FakeModel(), [stopper], values)
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.best == 0.9


def test_early_stopping_modes():
    accuracy = losses(0.5, 0.6, 0.55, 0.54, key="val_accuracy")
    model = FakeModel(directions={"accuracy": "up"})
    auto = EarlyStopping(monitor="val_accuracy", patience=1)
    assert simulate_fit(model, [auto], accuracy).epoch == [0, 1, 2]
    assert auto.best == 0.6
    explicit_max = EarlyStopping(monitor="val_accuracy", patience=1, mode="max")
    assert simulate_fit(FakeModel(), [explicit_max], accuracy).epoch == [0, 1, 2]
    explicit_min = EarlyStopping(monitor="val_accuracy", patience=1, mode="min")
    assert simulate_fit(FakeModel(), [explicit_min], accuracy).epoch == [0, 1]
    mae = losses(0.5, 0.6, 0.7, key="mae")
    down = EarlyStopping(monitor="mae", patience=1)
    model = FakeModel(directions={"mae": "down"})
    assert simulate_fit(model, [down], mae).epoch == [0, 1]


def test_early_stopping_auto_mode_unknown_metric_raises():
    stopper = EarlyStopping(monitor="val_custom")
    with pytest.raises(ValueError, match="mode='min'"):
        simulate_fit(FakeModel(), [stopper], losses(1.0, key="val_custom"))


def test_early_stopping_unknown_mode_warns_and_uses_auto():
    with pytest.warns(UserWarning, match="mode"):
        stopper = EarlyStopping(monitor="loss", mode="lowest")
    assert stopper.mode == "auto"


def test_early_stopping_missing_monitor_warns():
    stopper = EarlyStopping(patience=0)  # monitors val_loss
    with pytest.warns(UserWarning, match="val_loss.*Available metrics are: loss"):
        history = simulate_fit(FakeModel(), [stopper], losses(1.0, 2.0))
    assert history.epoch == [0, 1]


def test_early_stopping_restore_best_weights_after_early_stop(capsys):
    model = FakeModel()
    stopper = EarlyStopping(
        monitor="loss", patience=2, restore_best_weights=True, verbose=1
    )
    history = simulate_fit(model, [stopper], losses(1.0, 0.5, 0.7, 0.8, 0.9))
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.best_epoch == 1
    assert model.weight_value == 1.0
    assert capsys.readouterr().out == (
        "Epoch 4: early stopping\n"
        "Restoring model weights from the end of the best epoch: 2.\n"
    )


def test_early_stopping_restore_best_weights_without_early_stop():
    # Keras 3 restores the best weights even when training ran to the end.
    model = FakeModel()
    stopper = EarlyStopping(monitor="loss", patience=5, restore_best_weights=True)
    history = simulate_fit(model, [stopper], losses(1.0, 0.5, 0.7))
    assert history.epoch == [0, 1, 2]
    assert stopper.stopped_epoch == 0
    assert model.weight_value == 1.0


def test_early_stopping_without_restore_keeps_last_weights(capsys):
    model = FakeModel()
    stopper = EarlyStopping(monitor="loss", patience=1)
    simulate_fit(model, [stopper], losses(1.0, 0.5, 0.7))
    assert model.weight_value == 2.0
    assert capsys.readouterr().out == ""  # verbose=0


def test_early_stopping_start_from_epoch():
    values = losses(1.0, 2.0, 3.0, 4.0, 5.0)
    warm = EarlyStopping(monitor="loss", patience=1, start_from_epoch=2)
    assert simulate_fit(FakeModel(), [warm], values).epoch == [0, 1, 2, 3]
    assert warm.best == 3.0
    cold = EarlyStopping(monitor="loss", patience=1)
    assert simulate_fit(FakeModel(), [cold], values).epoch == [0, 1]


def test_early_stopping_instance_is_reusable():
    stopper = EarlyStopping(monitor="loss", patience=1)
    model = FakeModel()
    assert simulate_fit(model, [stopper], losses(1.0, 2.0, 3.0)).epoch == [0, 1]
    assert simulate_fit(model, [stopper], losses(5.0, 4.0, 6.0)).epoch == [0, 1, 2]
    assert stopper.best == 4.0


# --------------------------------------------------------------------------
# ReduceLROnPlateau


def test_reduce_lr_factor_and_logs():
    model = FakeModel(learning_rate=0.1)
    reduce_lr = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    history = simulate_fit(model, [reduce_lr], losses(1.0, 1.0, 1.0))
    assert history.history["learning_rate"] == [0.1, 0.1, 0.05]
    assert model.optimizer.learning_rate == pytest.approx(0.025)


def test_reduce_lr_cooldown():
    model = FakeModel(learning_rate=0.1)
    reduce_lr = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, cooldown=2)
    history = simulate_fit(model, [reduce_lr], losses(1.0, 1.0, 1.0, 1.0, 1.0))
    # Reduced at the end of epochs 1 and 3; epoch 2 is in cooldown.
    assert history.history["learning_rate"] == [0.1, 0.1, 0.05, 0.05, 0.025]
    assert model.optimizer.learning_rate == pytest.approx(0.025)


def test_reduce_lr_min_lr_and_float32_guard():
    model = FakeModel(learning_rate=0.1)
    reduce_lr = ReduceLROnPlateau(monitor="loss", factor=0.1, patience=1, min_lr=0.05)
    simulate_fit(model, [reduce_lr], losses(1.0, 1.0, 1.0, 1.0))
    # 0.1 -> max(0.01, 0.05); then 0.05 > float32(0.05) is false: no change.
    assert model.optimizer.learning_rate == 0.05


def test_reduce_lr_min_delta_and_improvement_resets_wait(capsys):
    model = FakeModel(learning_rate=0.1)
    reduce_lr = ReduceLROnPlateau(monitor="loss", patience=2, factor=0.5, verbose=1)
    simulate_fit(model, [reduce_lr], losses(1.0, 0.99995, 0.5, 0.49999, 0.49998))
    # 0.99995 is within min_delta=1e-4; 0.5 improves; then two plateaus.
    assert model.optimizer.learning_rate == 0.05
    assert capsys.readouterr().out == (
        "\nEpoch 5: ReduceLROnPlateau reducing learning rate to 0.05.\n"
    )


def test_reduce_lr_argument_errors_and_k2_epsilon():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="epsilon"):
        reduce_lr = ReduceLROnPlateau(epsilon=0.01)
    assert reduce_lr.min_delta == 0.01


def test_reduce_lr_rejects_schedule_learning_rate():
    model = FakeModel()
    model.optimizer.learning_rate = ExponentialSchedule()
    reduce_lr = ReduceLROnPlateau(monitor="loss", patience=0)
    with pytest.raises(TypeError, match="schedule"):
        simulate_fit(model, [reduce_lr], losses(1.0, 1.0))


def test_reduce_lr_missing_monitor_warns_but_logs_lr():
    model = FakeModel(learning_rate=0.1)
    reduce_lr = ReduceLROnPlateau()  # val_loss
    with pytest.warns(UserWarning, match="Learning rate reduction"):
        history = simulate_fit(model, [reduce_lr], losses(1.0))
    assert history.history["learning_rate"] == [0.1]


# --------------------------------------------------------------------------
# LearningRateScheduler


def test_learning_rate_scheduler_two_argument_signature(capsys):
    model = FakeModel(learning_rate=0.1)
    scheduler = LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1)
    history = simulate_fit(model, [scheduler], losses(1.0, 1.0, 1.0))
    assert history.history["learning_rate"] == [0.05, 0.025, 0.0125]
    assert model.optimizer.learning_rate == 0.0125
    assert capsys.readouterr().out.startswith(
        "\nEpoch 1: LearningRateScheduler setting learning rate to 0.05.\n"
    )


def test_learning_rate_scheduler_one_argument_signature():
    model = FakeModel(learning_rate=0.1)
    scheduler = LearningRateScheduler(lambda epoch: 1.0 / (epoch + 1))
    history = simulate_fit(model, [scheduler], losses(1.0, 1.0))
    assert history.history["learning_rate"] == [1.0, 0.5]
    np32 = LearningRateScheduler(lambda epoch: np.float32(0.5))
    simulate_fit(model, [np32], losses(1.0))
    assert model.optimizer.learning_rate == 0.5


def test_learning_rate_scheduler_errors():
    with pytest.raises(ValueError, match="should be a float"):
        simulate_fit(FakeModel(), [LearningRateScheduler(lambda e, lr: 1)], losses(1.0))
    model = FakeModel()
    model.optimizer.learning_rate = ExponentialSchedule()
    with pytest.raises(TypeError, match="schedule"):
        simulate_fit(model, [LearningRateScheduler(lambda e, lr: lr)], losses(1.0))
    model = FakeModel()
    model.optimizer = object()
    with pytest.raises(ValueError, match="learning_rate"):
        simulate_fit(model, [LearningRateScheduler(lambda e, lr: lr)], losses(1.0))


def test_learning_rate_scheduler_keeps_inner_type_error():
    def broken(epoch, lr):
        raise TypeError("bug inside the schedule")

    with pytest.raises(TypeError, match="bug inside"):
        simulate_fit(FakeModel(), [LearningRateScheduler(broken)], losses(1.0))


# --------------------------------------------------------------------------
# ModelCheckpoint


def test_checkpoint_template_is_one_based_and_creates_directories(tmp_path, capsys):
    model = FakeModel()
    template = str(tmp_path / "a" / "b" / "{epoch:02d}-{loss:.2f}.keras")
    checkpoint = ModelCheckpoint(template, verbose=1)
    simulate_fit(model, [checkpoint], losses(1.0, 0.5))
    names = sorted(p.name for p in (tmp_path / "a" / "b").iterdir())
    assert names == ["01-1.00.keras", "02-0.50.keras"]
    assert [kind for kind, _ in model.saved] == ["model", "model"]
    path = str(tmp_path / "a" / "b" / "01-1.00.keras")
    assert capsys.readouterr().out.startswith(
        f"\nEpoch 1: saving model to {path}\n"
        f"\nEpoch 1: finished saving model to {path}\n"
    )


def test_checkpoint_missing_template_key_raises_key_error(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "{epoch}-{val_acc:.2f}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        simulate_fit(FakeModel(), [checkpoint], losses(1.0))


def test_checkpoint_save_best_only(tmp_path, capsys):
    model = FakeModel()
    path = str(tmp_path / "best.keras")
    checkpoint = ModelCheckpoint(path, monitor="loss", save_best_only=True, verbose=1)
    simulate_fit(model, [checkpoint], losses(1.0, 1.2, 0.8))
    assert len(model.saved) == 2  # epochs 1 and 3
    out = capsys.readouterr().out
    assert f"\nEpoch 1: loss improved from None to 1.00000, saving model to {path}\n" in out
    assert "\nEpoch 2: loss did not improve from 1.00000\n" in out
    assert "\nEpoch 3: loss improved from 1.00000 to 0.80000" in out


def test_checkpoint_save_best_only_max_mode_and_threshold(tmp_path):
    model = FakeModel(directions={"accuracy": "up"})
    checkpoint = ModelCheckpoint(
        str(tmp_path / "m{epoch}.keras"),
        monitor="val_accuracy",
        save_best_only=True,
        initial_value_threshold=0.55,
    )
    simulate_fit(model, [checkpoint], losses(0.5, 0.6, 0.58, 0.7, key="val_accuracy"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m2.keras", "m4.keras"]


def test_checkpoint_save_best_only_missing_monitor_saves_anyway(tmp_path):
    model = FakeModel()
    checkpoint = ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True)
    with pytest.warns(UserWarning, match="val_loss"):
        simulate_fit(model, [checkpoint], losses(1.0))
    assert len(model.saved) == 1


def test_checkpoint_save_weights_only(tmp_path):
    model = FakeModel()
    path = tmp_path / "w.weights.h5"  # PathLike is accepted
    simulate_fit(model, [ModelCheckpoint(path, save_weights_only=True)], losses(1.0))
    assert model.saved == [("weights", str(path))]


def test_checkpoint_save_freq_in_batches(tmp_path):
    model = FakeModel()
    template = str(tmp_path / "{epoch}-{batch}.keras")
    checkpoint = ModelCheckpoint(template, save_freq=2)
    simulate_fit(model, [checkpoint], losses(1.0, 0.9), steps=3)
    names = [p.rsplit("/", 1)[1] for _, p in model.saved]
    assert names == ["1-2.keras", "2-1.keras", "2-3.keras"]


@pytest.mark.parametrize(
    "path, weights_only",
    [("model.h5.txt", False), ("model", False), ("model.h5", True), ("m.keras", True)],
)
def test_checkpoint_extension_errors(path, weights_only):
    with pytest.raises(ValueError, match="must end in"):
        ModelCheckpoint(path, save_weights_only=weights_only)


def test_checkpoint_accepted_extensions_and_save_freq_errors():
    ModelCheckpoint("m.keras")
    ModelCheckpoint("m.h5")
    ModelCheckpoint("m.weights.h5")  # ends in .h5, so a full model is allowed
    for bad in ("batch", 0, 1.5):
        with pytest.raises(ValueError, match="save_freq"):
            ModelCheckpoint("m.keras", save_freq=bad)


def test_checkpoint_existing_directory_is_an_error(tmp_path):
    (tmp_path / "dir.keras").mkdir()
    checkpoint = ModelCheckpoint(str(tmp_path / "dir.keras"))
    with pytest.raises(IsADirectoryError, match="non-directory"):
        simulate_fit(FakeModel(), [checkpoint], losses(1.0))


# --------------------------------------------------------------------------
# CSVLogger


def test_csv_logger_header_rows_and_na(tmp_path):
    path = tmp_path / "log.csv"
    logs = [{"val_loss": 2.0, "loss": 1.0}, {"loss": 0.5}]
    simulate_fit(FakeModel(), [CSVLogger(path)], logs)
    assert path.read_bytes() == b"epoch,loss,val_loss\r\n0,1.0,2.0\r\n1,0.5,NA\r\n"


def test_csv_logger_append_and_overwrite(tmp_path):
    path = str(tmp_path / "log.csv")
    simulate_fit(FakeModel(), [CSVLogger(path, separator=";")], losses(1.0))
    simulate_fit(FakeModel(), [CSVLogger(path, separator=";", append=True)], losses(0.5))
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows == [["epoch", "loss"], ["0", "1.0"], ["0", "0.5"]]
    simulate_fit(FakeModel(), [CSVLogger(path)], losses(0.25))
    with open(path, newline="") as f:
        assert f.read() == "epoch,loss\r\n0,0.25\r\n"


def test_csv_logger_append_to_missing_file_writes_header(tmp_path):
    path = tmp_path / "new.csv"
    simulate_fit(FakeModel(), [CSVLogger(path, append=True)], losses(1.0))
    assert path.read_text().splitlines()[0] == "epoch,loss"


def test_csv_logger_flushes_each_epoch(tmp_path):
    path = tmp_path / "log.csv"
    seen = []
    peek = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(path.read_text()))
    simulate_fit(FakeModel(), [CSVLogger(path), peek], losses(1.0))
    assert seen == ["epoch,loss\n0,1.0\n"]


# --------------------------------------------------------------------------
# TerminateOnNaN, LambdaCallback


def test_terminate_on_nan_stops_training(capsys):
    model = FakeModel()
    logs = losses(1.0, math.nan, 0.5)
    history = simulate_fit(model, [TerminateOnNaN()], logs, steps=3)
    assert history.epoch == [0, 1]
    assert capsys.readouterr().out == "Batch 0: Invalid loss, terminating training\n"


def test_terminate_on_nan_inf_and_raise_error():
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        simulate_fit(FakeModel(), [TerminateOnNaN(raise_error=True)], losses(math.inf))


def test_lambda_callback_calls_functions_with_keras_arguments():
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append(("train_begin", logs)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["loss"])),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch)),
        on_train_end=lambda logs: calls.append(("train_end", logs["loss"])),
    )
    simulate_fit(FakeModel(), [callback], losses(1.0, 0.5), steps=2)
    assert calls == [
        ("train_begin", {}),
        ("batch_end", 0),
        ("batch_end", 1),
        ("epoch_end", 0, 1.0),
        ("batch_end", 0),
        ("batch_end", 1),
        ("epoch_end", 1, 0.5),
        ("train_end", 0.5),
    ]


def test_lambda_callback_keras2_batch_names_and_unknown_names():
    batches = []
    callback = LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    simulate_fit(FakeModel(), [callback], losses(1.0), steps=2)
    assert batches == [0, 1]
    with pytest.warns(UserWarning, match="not a callback hook"):
        LambdaCallback(on_epoch_finish=lambda epoch, logs: None)


# --------------------------------------------------------------------------
# Progbar and ProgbarLogger


def test_progbar_verbose_1_exact_output(monkeypatch, capsys):
    clock = FakeClock(times=[1024.0, 1025.0, 1026.5, 1028.0])
    monkeypatch.setattr(progbar_module, "_clock", clock)
    bar = Progbar(target=3)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 0.5)])
    bar.update(3, [("loss", 0.25)])
    first = f"{B}1/3{R} {G}{BAR * 6}{R}{W}{BAR * 14}{R} {B}2s{R} 1s/step - loss: 1.0000"
    # Running average of the logged values: (1.0 + 0.5) / 2.
    second = f"{B}2/3{R} {G}{BAR * 13}{R}{W}{BAR * 7}{R} {B}1s{R} 2s/step - loss: 0.7500"
    final = f"{B}3/3{R} {G}{BAR * 20}{R}{W}{R} {B}4s{R} 2s/step - loss: 0.2500\n"
    back = "\b" * 50 + "\r"
    assert capsys.readouterr().out == "\r" + first + back + second + back + final


def test_progbar_pads_shorter_line_and_formats_small_values(monkeypatch, capsys):
    clock = FakeClock(times=[1024.0, 1025.0, 1026.0])
    monkeypatch.setattr(progbar_module, "_clock", clock)
    bar = Progbar(target=2)
    bar.update(1, [("loss", 123456.0), ("lr", 0.0001)])
    bar.update(2, [("loss", 1.0), ("lr", -0.0001)])
    _, first, final = capsys.readouterr().out.split("\r")
    # The first line is 72 columns wide, the final one 68: 4 spaces pad it.
    assert strip_ansi(first) == (
        f"1/2 {BAR * 10}{BAR * 10} 1s 1s/step - loss: 123456.0000 - lr: 1.0000e-04"
        + "\b" * 72
    )
    assert strip_ansi(final) == (
        f"2/2 {BAR * 20} 2s 1s/step - loss: 1.0000 - lr: -1.0000e-04" + " " * 4 + "\n"
    )


def test_progbar_throttles_and_non_dynamic_display(monkeypatch, capsys):
    clock = FakeClock(times=[1024.0, 1024.01, 1024.02, 1024.03])
    monkeypatch.setattr(progbar_module, "_clock", clock)
    bar = Progbar(target=3)
    bar._dynamic_display = False
    bar.update(1)
    bar.update(2)  # within `interval` of the previous draw: not shown
    bar.update(3)
    out = capsys.readouterr().out
    assert out.count("\n") == 3  # one leading "\n" per draw, plus the final one
    assert "2/3" not in out


def test_progbar_unknown_target_and_time_formats():
    assert progbar_module._format_duration(3725) == "1:02:05"
    assert progbar_module._format_duration(125.7) == "2:05"
    assert progbar_module._format_duration(59.9) == "59s"
    fmt = progbar_module._format_time_per_unit
    assert fmt(0, "step") == " 0s/step"
    assert fmt(2.4, "step") == " 2s/step"
    assert fmt(0.0123, "step") == " 12ms/step"
    assert fmt(0.0005, "sample") == " 500us/sample"


def test_progbar_unknown_target_line(monkeypatch, capsys):
    monkeypatch.setattr(progbar_module, "_clock", FakeClock(times=[1024.0, 1025.0]))
    Progbar(target=None).update(5, [("loss", 0.5)])
    assert capsys.readouterr().out == f"\r      5/Unknown {B}1s{R} 200ms/step - loss: 0.5000"


def test_progbar_rejects_both_metric_lists():
    with pytest.raises(ValueError, match="stateful_metrics"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


def test_progbar_logger_verbose_1_in_fit(clock, capsys):
    epoch_logs = [
        {"accuracy": 0.55, "loss": 0.6669, "val_accuracy": 0.65, "val_loss": 0.6333}
    ]
    simulate_fit(
        FakeModel(),
        [],
        epoch_logs,
        steps=3,
        verbose=1,
        batch_logs=lambda epoch, step: {"loss": 0.7, "accuracy": 0.5},
    )
    first = (
        f"{B}1/3{R} {G}{BAR * 6}{R}{W}{BAR * 14}{R} {B}0s{R} 2ms/step"
        " - accuracy: 0.5000 - loss: 0.7000"
    )
    final = (
        f"{B}3/3{R} {G}{BAR * 20}{R}{W}{R} {B}0s{R} 3ms/step"
        " - accuracy: 0.5500 - loss: 0.6669 - val_accuracy: 0.6500"
        " - val_loss: 0.6333\n"
    )
    out = capsys.readouterr().out
    assert out == "\r" + first + "\b" * 70 + "\r" + final
    assert strip_ansi(final) == (
        f"3/3 {BAR * 20} 0s 3ms/step - accuracy: 0.5500 - loss: 0.6669"
        " - val_accuracy: 0.6500 - val_loss: 0.6333\n"
    )


def test_progbar_logger_verbose_2_in_fit(clock, capsys):
    clock.step = 3 * 2.0**-9  # 1.95 ms per step over 3 steps
    logs = {"accuracy": 0.5625, "loss": 0.6656, "val_accuracy": 0.65, "val_loss": 0.6328}
    simulate_fit(FakeModel(), [], [logs, logs], steps=3, verbose=2)
    line = (
        "3/3 - 0s - 2ms/step - accuracy: 0.5625 - loss: 0.6656"
        " - val_accuracy: 0.6500 - val_loss: 0.6328\n"
    )
    assert capsys.readouterr().out == "Epoch 1/2\n" + line + "Epoch 2/2\n" + line


def test_progbar_verbose_2_negative_values_use_scientific_notation(clock, capsys):
    # Keras compares the signed value with 1e-3 on the verbose=2 line.
    simulate_fit(FakeModel(), [], [{"loss": -0.5}], verbose=2)
    assert capsys.readouterr().out.endswith(" - loss: -5.0000e-01\n")


def test_progbar_logger_evaluate_and_predict(clock, capsys):
    logger = ProgbarLogger()
    callbacks = CallbackList([logger], model=FakeModel(), verbose=1, epochs=1, steps=2)
    callbacks.on_test_begin()
    callbacks.on_test_batch_end(0, {"loss": 1.0})
    callbacks.on_test_batch_end(1, {"loss": 0.5})
    callbacks.on_test_end({"loss": 0.75})
    out = strip_ansi(capsys.readouterr().out)
    # The first step is left out of the estimate: (t_end - t_step1) / 1.
    assert out.endswith(f"2/2 {BAR * 20} 0s 4ms/step - loss: 0.7500\n")
    callbacks.on_predict_begin()
    callbacks.on_predict_batch_end(0, {"outputs": np.zeros(3)})
    callbacks.on_predict_batch_end(1, {"outputs": np.zeros(3)})
    callbacks.on_predict_end()
    out = strip_ansi(capsys.readouterr().out)
    assert out.endswith(f"2/2 {BAR * 20} 0s 4ms/step\n")


def test_progbar_logger_silent_validation_and_unknown_steps(clock, capsys):
    logger = ProgbarLogger()
    callbacks = CallbackList(
        [logger], model=FakeModel(), verbose=1, epochs=1, steps=None
    )
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": 1.0})
    callbacks.on_test_begin()
    callbacks.on_test_batch_end(0, {"loss": 9.0})
    callbacks.on_test_end({"loss": 9.0})
    callbacks.on_epoch_end(0, {"loss": 1.0, "val_loss": 9.0})
    out = strip_ansi(capsys.readouterr().out)
    assert out.count("9.0000") == 1  # only as val_loss at epoch end
    assert logger.target == 1
    assert out.startswith("\r      1/Unknown 0s 2ms/step - loss: 1.0000\b")
    assert out.endswith(f"1/1 {BAR * 20} 0s 4ms/step - loss: 1.0000 - val_loss: 9.0000\n")
