"""Adagrad: per-parameter rates that shrink with the sum of squared gradients."""

from graphkeras import ops
from graphkeras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad with Keras 3's rule (epsilon inside the square root).

    With ``g`` the gradient and the accumulator starting at
    ``initial_accumulator_value``::

        accumulator = accumulator + g^2
        w = w - lr * g / sqrt(accumulator + epsilon)

    Args:
        learning_rate: a float or a schedule. Defaults to 0.001.
        initial_accumulator_value: the accumulators' starting value (>= 0).
            Defaults to 0.1.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
        **kwargs: the base optimizer arguments (see ``Optimizer``).
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def slots(self, vtype):
        return [("accumulator", float(self.initial_accumulator_value))]

    def update(self, param, grad, slots, lr, iteration):
        accumulator = ops.add(slots["accumulator"], ops.square(grad))
        step = ops.divide(ops.multiply(lr, grad),
                          ops.sqrt(ops.add(accumulator, self.epsilon)))
        return ops.subtract(param, step), {"accumulator": accumulator}

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
