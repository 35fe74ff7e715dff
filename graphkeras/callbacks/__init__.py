"""Keras 3 compatible training callbacks.

The training loop drives these through a `CallbackList`; callbacks reach the
model only through `ModelAdapter` (see `graphkeras.callbacks.callback`).
"""

from graphkeras.callbacks.callback import Callback
from graphkeras.callbacks.callback import ModelAdapter
from graphkeras.callbacks.callback_list import CallbackList
from graphkeras.callbacks.callback_list import pythonify_logs
from graphkeras.callbacks.csv_logger import CSVLogger
from graphkeras.callbacks.early_stopping import EarlyStopping
from graphkeras.callbacks.history import History
from graphkeras.callbacks.lambda_callback import LambdaCallback
from graphkeras.callbacks.learning_rate_scheduler import LearningRateScheduler
from graphkeras.callbacks.model_checkpoint import ModelCheckpoint
from graphkeras.callbacks.monitor import MonitorCallback
from graphkeras.callbacks.progbar_logger import ProgbarLogger
from graphkeras.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from graphkeras.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelAdapter",
    "ModelCheckpoint",
    "MonitorCallback",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "pythonify_logs",
]
