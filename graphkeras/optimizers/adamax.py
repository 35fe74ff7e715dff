"""Adamax: Adam with the infinity norm."""

from graphkeras import ops
from graphkeras.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2014, section 7.1), as Keras 3 computes it.

    With ``g`` the gradient, ``t = iterations + 1`` and ``m``, ``u`` starting at 0::

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w = w - lr * m / ((1 - beta_1^t) * (u + epsilon))

    Args:
        learning_rate: a float or a schedule. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate. Defaults to 0.9.
        beta_2: decay rate of the weighted infinity norm. Defaults to 0.999.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
        **kwargs: the base optimizer arguments (see ``Optimizer``).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adamax",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def slots(self, vtype):
        return [("momentum", 0.0), ("norm", 0.0)]

    def update(self, param, grad, slots, lr, iteration):
        beta_1_power = ops.power(self.beta_1, ops.add(iteration, 1.0))
        m = ops.add(slots["momentum"],
                    ops.multiply(ops.subtract(grad, slots["momentum"]), 1 - self.beta_1))
        u = ops.maximum(ops.multiply(self.beta_2, slots["norm"]), ops.abs(grad))
        step = ops.divide(ops.multiply(lr, m),
                          ops.multiply(ops.subtract(1.0, beta_1_power),
                                       ops.add(u, self.epsilon)))
        return ops.subtract(param, step), {"momentum": m, "norm": u}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
