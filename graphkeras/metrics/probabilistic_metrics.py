"""Means of probabilistic and hinge losses, used as metrics."""

from graphkeras import losses
from graphkeras.metrics.regression_metrics import _ErrorMetric


class KLDivergence(_ErrorMetric):
    """The mean Kullback-Leibler divergence (see ``losses.kl_divergence``)."""

    _function = staticmethod(losses.kl_divergence)

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(name=name, dtype=dtype)


class Poisson(_ErrorMetric):
    """The mean Poisson loss (see ``losses.poisson``)."""

    _function = staticmethod(losses.poisson)

    def __init__(self, name="poisson", dtype=None):
        super().__init__(name=name, dtype=dtype)


class BinaryCrossentropy(_ErrorMetric):
    """The mean binary crossentropy (see ``losses.binary_crossentropy``)."""

    _function = staticmethod(losses.binary_crossentropy)

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(_ErrorMetric):
    """The mean categorical crossentropy (see ``losses.categorical_crossentropy``)."""

    _function = staticmethod(losses.categorical_crossentropy)

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_ErrorMetric):
    """The mean sparse categorical crossentropy of integer labels."""

    _function = staticmethod(losses.sparse_categorical_crossentropy)

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 axis=-1):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits, axis=axis)


class Hinge(_ErrorMetric):
    """The mean hinge loss (0/1 labels become -1/1)."""

    _function = staticmethod(losses.hinge)

    def __init__(self, name="hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class SquaredHinge(_ErrorMetric):
    """The mean squared hinge loss (0/1 labels become -1/1)."""

    _function = staticmethod(losses.squared_hinge)

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)


class CategoricalHinge(_ErrorMetric):
    """The mean categorical hinge loss."""

    _function = staticmethod(losses.categorical_hinge)

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(name=name, dtype=dtype)
