"""The machine's single-call sgemm rate, measured with NumPy in the same run as the frameworks.

Two numbers put every framework's FLOP rate in context:

- ``gflops_square(2048)``: one 2048x2048x2048 float32 ``np.dot`` (the
  machine's practical peak for one BLAS call, with NumPy's default threads);
- the *BLAS floor* of a workload: the matmuls one training step (or one
  single-sample prediction) needs, each done as one ``np.dot`` call with the
  operand layouts a step uses (``X @ W``, ``X.T @ dY``, ``dY @ W.T``). No
  framework can do a step faster than the sum of those calls (short of a better
  BLAS), so ``framework rate / floor rate`` is the share of the machine's
  matmul speed a framework achieves; the rest is its own overhead.

``BlasFloor`` answers the same commands as a framework worker, so the floor
is timed in the same rounds, alternating with the frameworks.
"""

import os
import time

import numpy as np


def _operands(m, k, n, what, rng):
    """Arrays whose product has the step's layout: (m,k) @ (k,n), possibly via ``.T`` views."""
    if what == "X.T@dY":          # X (k, m) stored row-major, used transposed
        a = rng.random((k, m), dtype=np.float32).T
        b = rng.random((k, n), dtype=np.float32)
    elif what == "dY@W.T":        # W (n, k) stored row-major, used transposed
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((n, k), dtype=np.float32).T
    else:
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((k, n), dtype=np.float32)
    return a, b, np.empty((m, n), dtype=np.float32)


def single_call_seconds(m, k, n, what="X@W", repeats=7):
    """The median time of one ``np.dot(a, b, out=c)`` of shape (m,k)x(k,n)."""
    rng = np.random.default_rng(0)
    a, b, c = _operands(m, k, n, what, rng)
    np.dot(a, b, out=c)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.dot(a, b, out=c)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def gflops_square(size=2048, repeats=5):
    """GFLOP/s of one size x size x size sgemm call (median of ``repeats``)."""
    return 2.0 * size ** 3 / single_call_seconds(size, size, size, repeats=repeats) / 1e9


class BlasFloor:
    """The matmuls of one step of a workload, as back-to-back NumPy calls; a timing participant."""

    name = "sgemm"

    def __init__(self):
        self.pid = os.getpid()
        self.log_path = None
        self.calls = []
        self.workload = None

    def call(self, msg):
        cmd = msg["cmd"]
        if cmd == "build":
            from benchmarks.workloads import WORKLOADS
            self.workload = WORKLOADS[msg["workload"]]
            rng = np.random.default_rng(0)
            self.calls = [_operands(m, k, n, what, rng)
                          for m, k, n, what in self.workload.matmul_shapes()]
            return {"ok": True, "notes": ["NumPy np.dot, one call per matmul of a step"],
                    "seconds": 0.0}
        if cmd in ("train", "predict"):
            n = int(msg["n"])
            calls = self.calls
            cpu, start = time.process_time(), time.perf_counter()
            for _ in range(n):
                for a, b, c in calls:
                    np.dot(a, b, out=c)
            return {"ok": True, "seconds": time.perf_counter() - start,
                    "cpu": time.process_time() - cpu}
        if cmd == "drop":
            self.calls = []
            return {"ok": True}
        return {"ok": True}

    def close(self):
        self.calls = []


def blas_info():
    """The BLAS libraries loaded in this process (via threadpoolctl when installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [{k: v for k, v in lib.items() if k in ("internal_api", "version", "num_threads",
                                                     "architecture", "filepath", "prefix")}
            for lib in threadpool_info()]
