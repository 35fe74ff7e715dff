"""JAX with ``jax.jit``: a hand-written MLP and Adam step, as a JAX user without Flax would write.

The whole training step (forward with dropout, softmax crossentropy,
``value_and_grad``, the Adam update) is one jitted function whose parameter
and optimizer-state buffers are donated, so XLA can update them in place.
Batches are gathered in NumPy from a per-pass permutation and handed to the
step, as with any NumPy data pipeline. JAX dispatches asynchronously, so
``sync()`` blocks until the last step's loss is ready. Prediction is a jitted
forward pass plus softmax, converted back to NumPy with ``np.asarray``.
"""

import numpy as np

from benchmarks import workloads as wl

LEARNING_RATE, BETA1, BETA2, EPSILON = 1e-3, 0.9, 0.999, 1e-7


def versions():
    import jax
    import jaxlib
    return {"jax": jax.__version__, "jaxlib": jaxlib.__version__,
            "jax_devices": [str(d) for d in jax.devices()]}


def _functions(spec):
    """The jitted ``step`` and ``predict`` functions for ``spec`` (closed over its dropout)."""
    import jax
    import jax.numpy as jnp

    rate = float(spec.dropout)

    def forward(params, x, key, training):
        last = len(params) - 1
        for k, (w, b) in enumerate(params):
            x = x @ w + b
            if k < last:
                x = jax.nn.relu(x)
                if training and rate:
                    key, sub = jax.random.split(key)
                    keep = jax.random.bernoulli(sub, 1.0 - rate, x.shape)
                    x = jnp.where(keep, x / (1.0 - rate), 0.0)
        return x

    def loss_fn(params, x, y, key):
        logp = jax.nn.log_softmax(forward(params, x, key, True))
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    def step(params, m, v, t, x, y, key):
        key, sub = jax.random.split(key)
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y, sub)
        t = t + 1
        m = jax.tree_util.tree_map(lambda a, g: BETA1 * a + (1 - BETA1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda a, g: BETA2 * a + (1 - BETA2) * g * g, v, grads)
        lr = LEARNING_RATE * jnp.sqrt(1 - BETA2 ** t) / (1 - BETA1 ** t)
        params = jax.tree_util.tree_map(lambda p, a, b: p - lr * a / (jnp.sqrt(b) + EPSILON),
                                        params, m, v)
        return params, m, v, t, key, loss

    def predict(params, x):
        return jax.nn.softmax(forward(params, x, None, False))

    return jax.jit(step, donate_argnums=(0, 1, 2)), jax.jit(predict)


class Runner:
    """One workload's JAX parameters, Adam state and data."""

    def __init__(self, workload):
        import jax
        import jax.numpy as jnp

        self.jax = jax
        self.workload = workload
        self.notes = ["hand-written jitted step (forward, grad, Adam), donated buffers"]
        spec = workload.model
        rng = np.random.default_rng(0)
        params = []
        for fan_in, fan_out in spec.layers:
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            w = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
            params.append((jnp.asarray(w), jnp.zeros((fan_out,), jnp.float32)))
        self.params = params
        self.m = jax.tree_util.tree_map(jnp.zeros_like, params)
        self.v = jax.tree_util.tree_map(jnp.zeros_like, params)
        self.t = jnp.zeros((), jnp.float32)
        self.key = jax.random.PRNGKey(0)
        self.step, self.predict = _functions(spec)
        self.loss = None
        if workload.kind == "predict1":
            self.x1 = wl.one_sample(workload)
        else:
            self.x, y = wl.data(workload)
            self.y = y.astype(np.int32)

    def train_steps(self, n):
        batch = self.workload.batch
        order = np.random.permutation(n * batch)
        params, m, v, t, key = self.params, self.m, self.v, self.t, self.key
        for step in range(n):
            index = order[step * batch:(step + 1) * batch]
            params, m, v, t, key, self.loss = self.step(params, m, v, t, self.x[index],
                                                        self.y[index], key)
        self.params, self.m, self.v, self.t, self.key = params, m, v, t, key

    def predict_one(self):
        return np.asarray(self.predict(self.params, self.x1))

    def sync(self):
        if self.loss is not None:
            self.loss.block_until_ready()
        self.jax.block_until_ready(self.params)


def build(workload):
    return Runner(workload)
