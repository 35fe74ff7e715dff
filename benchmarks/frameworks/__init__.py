"""The framework adapters, one module each, all with the same small interface.

An adapter module provides:

- ``versions() -> dict``: imports the framework (raising ``ImportError`` when it
  is not installed) and returns the versions worth reporting;
- ``build(workload) -> runner``: the workload's model, optimizer and data, where
  ``runner`` has ``train_steps(n)`` (``n`` training steps of ``workload.batch``
  rows, one shuffled pass over the first ``n * batch`` rows), ``predict_one()``
  (one prediction of one sample, NumPy in and NumPy out), ``sync()`` (wait until
  queued work is done, for frameworks that dispatch asynchronously) and
  ``notes`` (anything the report must say about how the workload was run).

Adapters are imported lazily, by name, so that the runner can skip a framework
that is not installed and say so instead of failing.
"""

import importlib

# name -> (module, keyword arguments for its build())
FRAMEWORKS = {
    "graphkeras": ("benchmarks.frameworks.graphkeras_fw", {}),
    "torch": ("benchmarks.frameworks.torch_fw", {"compiled": False}),
    "torch-compile": ("benchmarks.frameworks.torch_fw", {"compiled": True}),
    "jax": ("benchmarks.frameworks.jax_fw", {}),
    "keras": ("benchmarks.frameworks.keras_fw", {}),
}

SUBJECT = "graphkeras"
PEERS = [name for name in FRAMEWORKS if name != SUBJECT]


class Adapter:
    """A framework by name: ``versions()`` and ``build(workload)`` of its module."""

    def __init__(self, name):
        if name not in FRAMEWORKS:
            raise KeyError(f"unknown framework {name!r}; known: {', '.join(FRAMEWORKS)}")
        self.name = name
        module, self.options = FRAMEWORKS[name]
        self.module = importlib.import_module(module)

    def versions(self):
        return self.module.versions(**self.options)

    def build(self, workload):
        return self.module.build(workload, **self.options)
