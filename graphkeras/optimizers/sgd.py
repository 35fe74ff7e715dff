"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from graphkeras import ops
from graphkeras.optimizers.optimizer import Optimizer, typed


class SGD(Optimizer):
    """Gradient descent with momentum (Keras 3's rule).

    With ``g`` the gradient and ``lr`` the learning rate, and the velocity
    ``m`` starting at 0::

        momentum == 0:   w = w - lr * g
        otherwise:       m = momentum * m - lr * g
                         w = w + m                          (nesterov=False)
                         w = w + momentum * m - lr * g      (nesterov=True, new m)

    Args:
        learning_rate: a float or a schedule. Defaults to 0.01.
        momentum: a float in ``[0, 1]``. Defaults to 0.
        nesterov: whether to apply Nesterov momentum.
        **kwargs: the base optimizer arguments (see ``Optimizer``).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) \
                or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: "
                             f"momentum={momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def slots(self, vtype):
        return [("momentum", 0.0)] if self.momentum != 0 else []

    def update(self, param, grad, slots, lr, iteration):
        step = ops.multiply(grad, lr)
        if self.momentum == 0:
            return ops.subtract(param, step), {}
        momentum = typed(self.momentum, param)
        m = ops.subtract(ops.multiply(slots["momentum"], momentum), step)
        if self.nesterov:
            new = ops.add(param, ops.subtract(ops.multiply(m, momentum), step))
        else:
            new = ops.add(param, m)
        return new, {"momentum": m}

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
