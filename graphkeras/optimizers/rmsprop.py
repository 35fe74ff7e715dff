"""RMSprop: gradients divided by a running root mean square."""

from graphkeras import ops
from graphkeras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop with Keras 3's rule (epsilon inside the square root).

    With ``g`` the gradient and every slot starting at 0::

        v = rho * v + (1 - rho) * g^2
        a = rho * a + (1 - rho) * g            (centered only)
        denominator = v - a^2 + epsilon        (centered), else v + epsilon
        increment = lr * g / sqrt(denominator)
        mom = momentum * mom + increment; w = w - mom     (momentum > 0)
        w = w - increment                                 (otherwise)

    Args:
        learning_rate: a float or a schedule. Defaults to 0.001.
        rho: decay rate of the mean square. Defaults to 0.9.
        momentum: momentum of the increments. Defaults to 0.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
        centered: whether to divide by the variance (mean square minus squared
            mean) rather than the mean square.
        **kwargs: the base optimizer arguments (see ``Optimizer``).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.rho, self.momentum, self.epsilon = rho, momentum, epsilon
        self.centered = bool(centered)

    def slots(self, vtype):
        names = [("velocity", 0.0)]
        if self.momentum > 0:
            names.append(("momentum", 0.0))
        if self.centered:
            names.append(("average_gradient", 0.0))
        return names

    def update(self, param, grad, slots, lr, iteration):
        rho = self.rho
        v = ops.add(ops.multiply(rho, slots["velocity"]),
                    ops.multiply(1 - rho, ops.square(grad)))
        new_slots = {"velocity": v}
        if self.centered:
            a = ops.add(ops.multiply(rho, slots["average_gradient"]),
                        ops.multiply(1 - rho, grad))
            new_slots["average_gradient"] = a
            denominator = ops.add(ops.subtract(v, ops.square(a)), self.epsilon)
        else:
            denominator = ops.add(v, self.epsilon)
        increment = ops.divide(ops.multiply(lr, grad), ops.sqrt(denominator))
        if self.momentum > 0:
            mom = ops.add(ops.multiply(self.momentum, slots["momentum"]), increment)
            new_slots["momentum"] = mom
            return ops.subtract(param, mom), new_slots
        return ops.subtract(param, increment), new_slots

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
