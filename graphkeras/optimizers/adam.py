"""Adam: adaptive moment estimation."""

from graphkeras import ops
from graphkeras.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, with Keras's placement of epsilon.

    With ``g`` the gradient, ``t = iterations + 1`` and ``m``, ``v`` starting at 0::

        m = m + (g - m) * (1 - beta_1)
        v = v + (g^2 - v) * (1 - beta_2)
        v_hat = max(v_hat, v)                  (amsgrad only; then v_hat replaces v)
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w = w - alpha * m / (sqrt(v) + epsilon)

    Epsilon is added to the square root of the *uncorrected* ``v`` ("epsilon hat"
    in the paper), as Keras does.

    Args:
        learning_rate: a float or a schedule. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate. Defaults to 0.9.
        beta_2: decay rate of the second-moment estimate. Defaults to 0.999.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
        amsgrad: whether to use the AMSGrad variant (running maximum of ``v``).
        **kwargs: the base optimizer arguments (see ``Optimizer``).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adam", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.amsgrad = bool(amsgrad)

    def slots(self, vtype):
        names = [("momentum", 0.0), ("velocity", 0.0)]
        return names + [("velocity_hat", 0.0)] if self.amsgrad else names

    def update(self, param, grad, slots, lr, iteration):
        t = ops.add(iteration, 1.0)
        beta_1_power = ops.power(self.beta_1, t)
        beta_2_power = ops.power(self.beta_2, t)
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1.0, beta_2_power))),
                           ops.subtract(1.0, beta_1_power))

        m, v = slots["momentum"], slots["velocity"]
        m = ops.add(m, ops.multiply(ops.subtract(grad, m), 1 - self.beta_1))
        v = ops.add(v, ops.multiply(ops.subtract(ops.square(grad), v), 1 - self.beta_2))
        new_slots = {"momentum": m, "velocity": v}
        if self.amsgrad:
            v = ops.maximum(slots["velocity_hat"], v)
            new_slots["velocity_hat"] = v

        step = ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), self.epsilon))
        return ops.subtract(param, step), new_slots

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
