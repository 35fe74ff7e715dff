"""Optimizers with Keras 3's update rules and defaults.

An optimizer describes its update with ``graphkeras.ops`` in ``update``; the
compiler's optimizer pass (``compiler.passes.optimizer``) calls it for every
trainable weight, so the whole step is part of the compiled train program.
Its learning rate and iteration count live in the model's arena, where
``learning_rate`` reads and writes them, so a callback can change the rate
between batches without a recompile.
"""

import itertools

from graphkeras import ops

_IDS = itertools.count()
_ARG_NAMES = ("clipnorm", "clipvalue", "global_clipnorm", "weight_decay", "name")


class Optimizer:
    """Base class.

    Args:
        learning_rate: a float (``lr`` is accepted as its Keras 2 spelling).
        clipnorm: rescale each gradient to at most this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: rescale all gradients together to at most this norm.
        weight_decay: decoupled weight decay, applied before the update.
        name: the optimizer's name.
    """

    def __init__(self, learning_rate=0.001, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, weight_decay=None, name=None, **kwargs):
        if "lr" in kwargs:
            learning_rate = kwargs.pop("lr")
        kwargs.pop("decay", None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        given = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set. Received: {given}")
        self._check_rate(learning_rate)
        self._learning_rate = float(learning_rate)
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.weight_decay = weight_decay
        self.name = name or type(self).__name__.lower()
        self.state_prefix = f"{self.name}#{next(_IDS)}"
        self._arena = None

    @staticmethod
    def _check_rate(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"Argument `learning_rate` must be a non-negative float; "
                             f"received learning_rate={value!r}.")

    # -- compiler protocol ------------------------------------------------------------

    @property
    def initial_learning_rate(self):
        return self._learning_rate

    def learning_rate_value(self, lr, iteration):
        return lr

    def slots(self, vtype):
        """``[(name, initial value)]`` of the per-weight slot variables."""
        return []

    def update(self, param, grad, slots, lr, iteration):
        raise NotImplementedError(f"{type(self).__name__} does not implement `update`.")

    # -- state ----------------------------------------------------------------------------

    def _bind(self, arena):
        self._arena = arena

    def _state(self, name):
        key = f"{self.state_prefix}/{name}"
        if self._arena is not None and self._arena.has(key):
            return self._arena.view(key)
        return None

    @property
    def learning_rate(self):
        live = self._state("learning_rate")
        return float(live) if live is not None else self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._check_rate(value)
        self._learning_rate = float(value)
        live = self._state("learning_rate")
        if live is not None:
            live[...] = value

    lr = learning_rate

    @property
    def iterations(self):
        live = self._state("iterations")
        return int(live) if live is not None else 0

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    ``m = momentum * m - lr * g``; ``w += m`` (or ``w += momentum * m - lr * g``
    with Nesterov); without momentum ``w -= lr * g``.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]; received "
                             f"momentum={momentum!r}.")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def slots(self, vtype):
        return [("momentum", 0.0)] if self.momentum else []

    def update(self, param, grad, slots, lr, iteration):
        step = ops.multiply(grad, lr)
        if not self.momentum:
            return ops.subtract(param, step), {}
        m = ops.subtract(ops.multiply(slots["momentum"], self.momentum), step)
        if self.nesterov:
            new = ops.add(param, ops.subtract(ops.multiply(m, self.momentum), step))
        else:
            new = ops.add(param, m)
        return new, {"momentum": m}

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config


class Adam(Optimizer):
    """Adam, with Keras's epsilon placement (added to the square root of uncorrected v).

    ``m += (g - m)(1 - beta_1)``; ``v += (g^2 - v)(1 - beta_2)``;
    ``w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="adam", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)

    def slots(self, vtype):
        names = [("momentum", 0.0), ("velocity", 0.0)]
        return names + [("velocity_hat", 0.0)] if self.amsgrad else names

    def update(self, param, grad, slots, lr, iteration):
        t = ops.add(iteration, 1.0)
        alpha = ops.divide(
            ops.multiply(lr, ops.sqrt(ops.subtract(1.0, ops.power(self.beta_2, t)))),
            ops.subtract(1.0, ops.power(self.beta_1, t)))
        m = ops.add(slots["momentum"], ops.multiply(ops.subtract(grad, slots["momentum"]),
                                                    1.0 - self.beta_1))
        v = ops.add(slots["velocity"], ops.multiply(
            ops.subtract(ops.square(grad), slots["velocity"]), 1.0 - self.beta_2))
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


class RMSprop(Optimizer):
    """RMSprop with Keras 3's rule (epsilon inside the square root).

    ``v = rho v + (1 - rho) g^2``; centered: ``a = rho a + (1 - rho) g`` and the
    denominator is ``v - a^2 + epsilon``; ``inc = lr g / sqrt(den)``; with
    momentum ``mom = momentum mom + inc; w -= mom``, else ``w -= inc``.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, name="rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)

    def slots(self, vtype):
        names = [("velocity", 0.0)]
        if self.momentum:
            names.append(("momentum", 0.0))
        if self.centered:
            names.append(("average_gradient", 0.0))
        return names

    def update(self, param, grad, slots, lr, iteration):
        v = ops.add(ops.multiply(slots["velocity"], self.rho),
                    ops.multiply(ops.square(grad), 1.0 - self.rho))
        new_slots = {"velocity": v}
        den = v
        if self.centered:
            a = ops.add(ops.multiply(slots["average_gradient"], self.rho),
                        ops.multiply(grad, 1.0 - self.rho))
            new_slots["average_gradient"] = a
            den = ops.subtract(v, ops.square(a))
        inc = ops.divide(ops.multiply(grad, lr), ops.sqrt(ops.add(den, self.epsilon)))
        if self.momentum:
            mom = ops.add(ops.multiply(slots["momentum"], self.momentum), inc)
            new_slots["momentum"] = mom
            return ops.subtract(param, mom), new_slots
        return ops.subtract(param, inc), new_slots

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier):
    """An optimizer from a name (``"adam"``, ``"sgd"``), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. "
                             f"Known optimizers: {sorted(_BY_NAME)}.")
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        name = identifier["class_name"].replace("Custom>", "")
        cls = _BY_NAME.get(name.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer class: {identifier['class_name']!r}.")
        return cls.from_config(identifier.get("config", {}))
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}.")
