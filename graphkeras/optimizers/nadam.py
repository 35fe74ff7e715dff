"""Nadam: Adam with Nesterov momentum."""

from graphkeras import ops
from graphkeras.optimizers.optimizer import Optimizer, typed


class Nadam(Optimizer):
    """Nadam (Dozat, 2015) with Keras 3's momentum schedule.

    With ``g`` the gradient, ``t = iterations + 1`` and ``m``, ``v`` starting at 0,
    the momentum coefficient of step ``t`` is ``u_t = beta_1 * (1 - 0.5 * 0.96^t)``
    and ``prod_t = u_1 * u_2 * ... * u_t`` is their running product, kept once
    for all weights and advanced before the weights are updated::

        m = m + (g - m) * (1 - beta_1)
        v = v + (g^2 - v) * (1 - beta_2)
        m_hat = u_{t+1} * m / (1 - prod_t * u_{t+1}) + (1 - u_t) * g / (1 - prod_t)
        v_hat = v / (1 - beta_2^t)
        w = w - lr * m_hat / (sqrt(v_hat) + epsilon)

    Args:
        learning_rate: a float or a schedule. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate. Defaults to 0.9.
        beta_2: decay rate of the second-moment estimate. Defaults to 0.999.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
        **kwargs: the base optimizer arguments (see ``Optimizer``).
    """

    _DECAY = 0.96

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="nadam",
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

    def global_slots(self, dtype):
        return [("u_product", 1.0)]

    def update_globals(self, values, iteration):
        # prod_t = prod_{t-1} * beta_1 * (1 - 0.5 * 0.96^t)
        product = values["u_product"]
        t = ops.add(iteration, 1.0)
        factor = ops.subtract(1.0, ops.multiply(0.5, ops.power(self._DECAY, t)))
        return {"u_product": ops.multiply(ops.multiply(product, self.beta_1), factor)}

    def _momentum_at(self, beta_1, step):
        """``u_step = beta_1 * (1 - 0.5 * 0.96^step)``."""
        return ops.multiply(beta_1, ops.subtract(
            1.0, ops.multiply(0.5, ops.power(self._DECAY, step))))

    def update(self, param, grad, slots, lr, iteration):
        beta_1, beta_2 = typed(self.beta_1, param), typed(self.beta_2, param)
        t = ops.add(iteration, 1.0)
        u_t = self._momentum_at(beta_1, t)
        u_next = self._momentum_at(beta_1, ops.add(iteration, 2.0))
        product = slots["u_product"]
        product_next = ops.multiply(product, u_next)

        m = ops.add(slots["momentum"],
                    ops.multiply(ops.subtract(grad, slots["momentum"]), 1 - beta_1))
        v = ops.add(slots["velocity"], ops.multiply(
            ops.subtract(ops.square(grad), slots["velocity"]), 1 - beta_2))
        m_hat = ops.add(
            ops.divide(ops.multiply(u_next, m), ops.subtract(1.0, product_next)),
            ops.divide(ops.multiply(ops.subtract(1.0, u_t), grad),
                       ops.subtract(1.0, product)))
        v_hat = ops.divide(v, ops.subtract(1.0, ops.power(beta_2, t)))

        step = ops.divide(ops.multiply(m_hat, lr), ops.add(ops.sqrt(v_hat), self.epsilon))
        return ops.subtract(param, step), {"momentum": m, "velocity": v}

    def slots(self, vtype):
        return [("momentum", 0.0), ("velocity", 0.0)]

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
