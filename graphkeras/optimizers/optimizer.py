"""The optimizer base class: Keras 3's arguments, state and configuration.

An optimizer describes one update step with ``graphkeras.ops`` in ``update``;
the compiler's optimizer pass (``compiler.passes.optimizer``) calls it for
every trainable weight while it builds the train program, and adds what all
optimizers share (gradient clipping, weight decay, gradient accumulation,
the moving average of the weights, constraints). Its learning rate and step
count live in the model's arena, where ``learning_rate`` and ``iterations``
read and write them, so a callback can change the rate between batches
without a recompile.
"""

import itertools
import re
import warnings

import numpy as np

from graphkeras import backend
from graphkeras.ops.dispatch import is_symbolic, lift
from graphkeras.optimizers import schedules as schedules_module

_IDS = itertools.count()

# keys of Keras 2 configs that Keras 3 has no use for
_LEGACY_CONFIG_KEYS = ("is_legacy_optimizer", "jit_compile")

_SCHEDULE_NOT_SETTABLE = (
    "This optimizer was created with a `LearningRateSchedule` object as its "
    "`learning_rate` constructor argument, hence its learning rate is not settable. If "
    "you need the learning rate to be settable, you should instantiate the optimizer "
    "with a float `learning_rate` argument.")


def typed(value, like):
    """``value`` as a NumPy scalar of ``like``'s dtype: Keras's ``ops.cast(value, dtype)``.

    Update rules use it where Keras computes with a hyperparameter cast to the
    weight's dtype (``1 - beta_1`` in float32), rather than with the Python float.
    """
    return np.asarray(value, dtype=like.dtype)


class Optimizer:
    """Base class of the optimizers; holds the arguments every Keras 3 optimizer takes.

    Args:
        learning_rate: a float, or a ``graphkeras.optimizers.schedules``
            ``LearningRateSchedule`` evaluated in the compiled program at every
            step. ``lr`` is accepted as its Keras 2 spelling.
        weight_decay: decoupled weight decay: before each update,
            ``w = w - w * weight_decay * learning_rate``.
        clipnorm: rescale each gradient to an L2 norm of at most this value.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: rescale all gradients together so that their global
            L2 norm is at most this value. Only one of the three clip
            arguments can be set.
        use_ema: keep an exponential moving average of the weights:
            ``average = ema_momentum * average + (1 - ema_momentum) * w`` after
            each step (the first step copies ``w``). ``fit`` ends by writing the
            averages into the weights (``finalize_variable_values``).
        ema_momentum: the momentum of that average, in ``[0, 1]``.
        ema_overwrite_frequency: with ``use_ema``, also write the averages into
            the weights every this many updates (an int >= 1, or None).
        loss_scale_factor: Keras multiplies the loss by this factor and divides
            the gradients by it (against underflow in mixed precision). Programs
            here compute in one float type, so the pair cancels and the value is
            only kept in the config.
        gradient_accumulation_steps: an int >= 2: update only every this many
            steps, with the mean of the gradients of those steps. Schedules see
            every step; ``iterations`` counts updates.
        name: the optimizer's name.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          stacklevel=3)
            learning_rate = kwargs.pop("lr")
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.",
                          stacklevel=3)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        clip_args = {"clipnorm": clipnorm, "clipvalue": clipvalue,
                     "global_clipnorm": global_clipnorm}
        if sum(v is not None for v in clip_args.values()) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}")
        if gradient_accumulation_steps and (
                not isinstance(gradient_accumulation_steps, (int, np.integer))
                or gradient_accumulation_steps < 2):
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                             f"Received: gradient_accumulation_steps="
                             f"{gradient_accumulation_steps}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (
                    not isinstance(ema_overwrite_frequency, (int, np.integer))
                    or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency="
                                 f"{ema_overwrite_frequency}")
        self._learning_rate = self._checked_rate(learning_rate)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps or None
        self.name = name or backend.unique_name(backend.snake_case(type(self).__name__))
        self.state_prefix = f"{self.name}#{next(_IDS)}"
        self._exclude_keys = set()
        self._exclude_pattern = None
        self._arena = None

    @staticmethod
    def _checked_rate(value):
        if isinstance(value, schedules_module.LearningRateSchedule):
            return value
        if callable(value):
            raise NotImplementedError(
                "A callable `learning_rate` is re-evaluated in Python before every step in "
                "Keras, which a compiled program cannot do. Subclass "
                "`graphkeras.optimizers.schedules.LearningRateSchedule` (its `__call__(step)` "
                "written with `graphkeras.ops`) or pass a float.")
        if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)) or value < 0:
            raise ValueError("Argument `learning_rate` should be a non-negative float or an "
                             "instance of LearningRateSchedule. Received instead: "
                             f"learning_rate={value!r}")
        return float(value)

    # -- the compiler protocol (see compiler.passes.optimizer) ----------------------------

    @property
    def initial_learning_rate(self):
        """The value the program's learning-rate state starts from."""
        if isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            return float(self._learning_rate(0))
        return self._learning_rate

    def learning_rate_value(self, lr, iteration):
        """The step's learning rate: the state ``lr``, or the schedule at ``iteration``."""
        schedule = self._learning_rate
        if not isinstance(schedule, schedules_module.LearningRateSchedule):
            return lr
        value = schedule(iteration)
        if not is_symbolic(value):
            value = lift(iteration.graph, value, iteration.dtype)
        return value

    def slots(self, vtype):
        """``[(name, initial value)]`` of the per-weight slot variables."""
        return []

    def global_slots(self, dtype):
        """``[(name, initial value)]`` of scalar state kept once for all weights."""
        return []

    def update_globals(self, values, iteration):
        """The new values of the global slots for this step (``{name: value}``)."""
        return {}

    def update(self, param, grad, slots, lr, iteration):
        """Emit one weight's update: ``(new weight, {slot name: new value})``.

        ``iteration`` counts the updates already made (Keras's ``iterations``),
        so the 1-based step number of Adam-like rules is ``iteration + 1``.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement `update`.")

    def use_weight_decay(self, key):
        """Whether the weight with variable key ``key`` is decayed (see
        ``exclude_from_weight_decay``)."""
        if key in self._exclude_keys:
            return False
        if self._exclude_pattern is not None:
            name = key.rsplit("#", 1)[0].rsplit("/", 1)[-1]
            return self._exclude_pattern.search(name) is None
        return True

    # -- Keras API --------------------------------------------------------------------------

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt weights from weight decay, before the optimizer is first used.

        Args:
            var_list: variables to exempt.
            var_names: strings; a variable whose name contains any of them is exempt
                (for example ``["bias"]``).
        """
        if self._arena is not None:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before "
                             "the optimizer is built.")
        self._exclude_keys = {v.key for v in var_list or []}
        self._exclude_pattern = (re.compile("|".join(sorted(set(var_names))))
                                 if var_names else None)

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, write the moving averages into the variables ``var_list``."""
        if not self.use_ema:
            return
        for var in var_list:
            average = self._state(f"{var.key}/average")
            if average is not None:
                var.assign(np.array(average))

    def _bind(self, arena):
        self._arena = arena

    def _state(self, name):
        key = f"{self.state_prefix}/{name}"
        if self._arena is not None and self._arena.has(key):
            return self._arena.view(key)
        return getattr(self, "_pending", {}).get(key)  # state restored before the program

    @property
    def iterations(self):
        """The number of updates made (steps divided by ``gradient_accumulation_steps``)."""
        if self.gradient_accumulation_steps:
            live = self._state("update_count")
        else:
            live = self._state("iterations")
        return int(live) if live is not None else 0

    def _steps_run(self):
        live = self._state("iterations")
        return int(live) if live is not None else 0

    @property
    def learning_rate(self):
        """The current rate: the float in force, or the schedule's value at this step."""
        if isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            return float(self._learning_rate(self._steps_run()))
        live = self._state("learning_rate")
        return float(live) if live is not None else self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules_module.LearningRateSchedule):
            if self._arena is not None:
                raise NotImplementedError(
                    "Replacing the learning rate with a schedule after the optimizer was "
                    "compiled into a model's train program is not supported; pass the "
                    "schedule when creating the optimizer.")
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            raise TypeError(_SCHEDULE_NOT_SETTABLE)
        self._learning_rate = self._checked_rate(value)
        live = self._state("learning_rate")
        if live is not None:
            live[...] = self._learning_rate

    lr = learning_rate

    def get_config(self):
        rate = self._learning_rate
        if isinstance(rate, schedules_module.LearningRateSchedule):
            rate = schedules_module.serialize(rate)
        else:
            rate = self.learning_rate
        return {"name": self.name, "learning_rate": rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in _LEGACY_CONFIG_KEYS:
            config.pop(key, None)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_module.deserialize(
                config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"

    # -- state as Keras variables (saving; see graphkeras.saving) ---------------------------

    #: How Keras 3 creates this optimizer's slots: a tuple of groups, each a tuple
    #: of slot names created together (interleaved weight by weight); groups
    #: follow each other. None: the table below by class, else one group of all
    #: slots (most Keras optimizers create all their slots in one call).
    keras_slot_groups = None

    def build(self, var_list):
        """Record the trainable variables this optimizer updates, in Keras's order.

        Files store optimizer state positionally by these variables; building
        does not create state (the train program does), it only fixes the order.
        """
        self._var_list = list(var_list)

    def _slot_groups(self, names):
        groups = self.keras_slot_groups
        if groups is None:
            for klass in type(self).__mro__:
                if klass.__name__ in _KERAS_SLOT_GROUPS:
                    groups = _KERAS_SLOT_GROUPS[klass.__name__]
                    break
        if groups is None:
            return [list(names)]
        out = [[n for n in group if n in names] for group in groups]
        listed = {n for group in out for n in group}
        out.append([n for n in names if n not in listed])
        return [group for group in out if group]

    def _state_entries(self):
        """``[(keras name, arena key, shape, initial, is_counter)]`` in Keras's order."""
        from compiler.types import TensorType
        var_list = getattr(self, "_var_list", None) or []
        prefix, name = self.state_prefix, self.name
        entries = [(f"{name}/iteration", f"{prefix}/iterations", (), 0.0, True)]
        if not isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            entries.append((f"{name}/learning_rate", f"{prefix}/learning_rate", (),
                            float(self._learning_rate), False))

        def per_variable(slot, init):
            return [(f"{name}/{v.path.replace('/', '_')}_{slot}",
                     f"{prefix}/{v.key}/{slot}", tuple(v.shape), init, False)
                    for v in var_list]

        if self.use_ema:
            entries += per_variable("average", 0.0)
        if self.gradient_accumulation_steps:
            entries += per_variable("gradient_accumulator", 0.0)
        if var_list:
            first = var_list[0]
            slots = dict(self.slots(TensorType(tuple(first.shape), first.dtype)))
            for group in self._slot_groups(list(slots)):
                for v in var_list:
                    vslots = dict(self.slots(TensorType(tuple(v.shape), v.dtype)))
                    for slot in group:
                        entries.append((f"{name}/{v.path.replace('/', '_')}_{slot}",
                                        f"{prefix}/{v.key}/{slot}", tuple(v.shape),
                                        vslots.get(slot, 0.0), False))
            for gname, init in self.global_slots(first.dtype):
                entries.append((f"{name}/{gname}", f"{prefix}/{gname}", (), init, False))
        return entries

    @property
    def variables(self):
        """The optimizer's state as Keras 3 lists it: ``iterations``, ``learning_rate``,
        then per trainable weight its slots (see ``keras_slot_groups``)."""
        return [_StateVariable(self, *entry) for entry in self._state_entries()]

    def get_weights(self):
        """The values of ``variables`` as NumPy arrays (``iterations`` as an int64)."""
        return [v.numpy() for v in self.variables]

    def set_weights(self, weights):
        """Set the state from arrays in ``variables`` order.

        Before the train program exists the values are kept and become the
        state's initial values when the program is built (``_pending_state``).
        """
        variables = self.variables
        if len(weights) != len(variables):
            raise ValueError(f"Optimizer {self.name!r} has {len(variables)} variables, but "
                             f"{len(weights)} values were given.")
        values = [np.asarray(w) for w in weights]
        for var, value in zip(variables, values):
            if tuple(value.shape) != var.shape:
                raise ValueError(f"Optimizer variable {var.path!r} has shape {var.shape}; "
                                 f"the value given has shape {tuple(value.shape)}.")
        for var, value in zip(variables, values):
            var.assign(value)

    def _pending_state(self):
        """``{arena key: (value, None)}`` for state set before the train program existed."""
        pending = getattr(self, "_pending", {})
        return {k: (v, None) for k, v in pending.items()
                if self._arena is None or not self._arena.has(k)}

    def _write_state(self, key, value):
        if self._arena is not None and self._arena.has(key):
            self._arena.view(key)[...] = value
            getattr(self, "_pending", {}).pop(key, None)
        else:
            if not hasattr(self, "_pending"):
                self._pending = {}
            self._pending[key] = np.array(value, dtype=np.float64)

    def _read_state(self, key, initial, shape):
        if self._arena is not None and self._arena.has(key):
            return np.array(self._arena.view(key))
        pending = getattr(self, "_pending", {})
        if key in pending:
            return np.array(pending[key])
        return np.full(shape, initial)


# slot creation groups of Keras 3's optimizers whose slots are not all created at once
_KERAS_SLOT_GROUPS = {
    "Adam": (("momentum", "velocity"), ("velocity_hat",)),
    "RMSprop": (("velocity",), ("momentum",), ("average_gradient",)),
}


class _StateVariable:
    """One entry of ``Optimizer.variables``: a view of optimizer state by its Keras name."""

    def __init__(self, optimizer, path, key, shape, initial, is_counter):
        self._optimizer = optimizer
        self.path = self.name = path
        self.key = key
        self.shape = tuple(shape)
        self._initial = initial
        self._is_counter = is_counter

    @property
    def dtype(self):
        return "int64" if self._is_counter else "float32"

    def numpy(self):
        value = self._optimizer._read_state(self.key, self._initial, self.shape)
        if self._is_counter:
            return np.asarray(np.rint(value), dtype=np.int64)
        dtype = (self._optimizer._arena.dtype if self._optimizer._arena is not None
                 else np.float32)
        return np.asarray(value, dtype=dtype)

    def assign(self, value):
        opt = self._optimizer
        value = np.asarray(value, dtype=np.float64).reshape(self.shape)
        opt._write_state(self.key, value)
        if self.key.endswith("/learning_rate") and self.shape == ():
            opt._learning_rate = float(value)
        if self._is_counter and opt.gradient_accumulation_steps:
            steps = opt.gradient_accumulation_steps
            opt._write_state(f"{opt.state_prefix}/accumulation_phase", value % steps)
            opt._write_state(f"{opt.state_prefix}/update_count", value // steps)

    def __repr__(self):
        return f"<OptimizerVariable path={self.path}, shape={self.shape}>"
