"""Adadelta: steps scaled by running averages of squared gradients and squared steps."""

from graphkeras import ops
from graphkeras.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012) with a learning rate, as Keras 3 computes it.

    With ``g`` the gradient, ``rms(x) = sqrt(x + epsilon)`` and both
    accumulators starting at 0::

        accumulated_grad = rho * accumulated_grad + (1 - rho) * g^2
        delta = -rms(accumulated_delta_var) * g / rms(accumulated_grad)
        accumulated_delta_var = rho * accumulated_delta_var + (1 - rho) * delta^2
        w = w + lr * delta

    The first steps are tiny (about ``lr * sqrt(epsilon)``); the paper's form
    uses ``learning_rate=1.0``.

    Args:
        learning_rate: a float or a schedule. Defaults to 0.001.
        rho: the decay rate of both averages. Defaults to 0.95.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
        **kwargs: the base optimizer arguments (see ``Optimizer``).
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adadelta", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def slots(self, vtype):
        return [("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0)]

    def _rms(self, x):
        return ops.sqrt(ops.add(x, self.epsilon))

    def update(self, param, grad, slots, lr, iteration):
        rho = self.rho
        accumulated_grad = ops.add(ops.multiply(rho, slots["accumulated_grad"]),
                                   ops.multiply(1 - rho, ops.square(grad)))
        delta = ops.negative(ops.divide(
            ops.multiply(self._rms(slots["accumulated_delta_var"]), grad),
            self._rms(accumulated_grad)))
        accumulated_delta_var = ops.add(ops.multiply(rho, slots["accumulated_delta_var"]),
                                        ops.multiply(1 - rho, ops.square(delta)))
        new = ops.add(param, ops.multiply(lr, delta))
        return new, {"accumulated_grad": accumulated_grad,
                     "accumulated_delta_var": accumulated_delta_var}

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
