"""Time from process start to the end of the first ``fit`` call, in fresh processes.

This is what a user waits for before training starts: interpreter start,
imports, building the model and the whole first ``fit`` call (which is where
graphkeras compiles its train program, JAX and Keras trace and compile, and
``torch.compile`` runs Inductor). Each measurement is a new process running
``python -m benchmarks.compile_time --child FRAMEWORK``; the parent passes its
clock reading just before starting the process, and the child reports:

- ``import``: process start to the framework imported;
- ``build``: building and compiling (``model.compile``) the model;
- ``first_fit``: the first ``fit`` call, over the ``compile`` workload's few batches;
- ``total``: process start to the end of that call, the number compared.

Variants: ``graphkeras cold`` uses a fresh, empty ``GRAPHKERAS_CACHE_DIR`` and
``graphkeras warm`` the same directory again (the compile cache a second run
finds); ``torch-compile`` likewise with ``TORCHINDUCTOR_CACHE_DIR``. Keras 3,
JAX and eager PyTorch keep no compile cache across processes by default, so
they have one variant each. ``graphkeras cold+kernels`` (once per run, in full
runs) also starts with an empty ``NUMBA_CACHE_DIR``, so graphkeras's kernel
library compiles too: the very first run on a new machine.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from benchmarks import timing

MARK = "COMPILE_TIME_RESULT "


def _child(name):
    """In the fresh process: import, build and fit once, then print the phase times."""
    t0 = float(os.environ["BENCH_T0"])
    from benchmarks.frameworks import Adapter
    from benchmarks.workloads import WORKLOADS
    workload = WORKLOADS["compile"]
    adapter = Adapter(name)
    adapter.versions()
    t_import = time.time()
    runner = adapter.build(workload)
    t_build = time.time()
    runner.train_steps(workload.max_steps)
    runner.sync()
    t_fit = time.time()
    result = {"import": t_import - t0, "build": t_build - t_import,
              "first_fit": t_fit - t_build, "total": t_fit - t0, "notes": runner.notes}
    sys.stdout.write(MARK + json.dumps(result) + "\n")
    sys.stdout.flush()


class Variant:
    """One way of starting a framework: its name in the report and its environment."""

    def __init__(self, framework, label, cache_var=None):
        self.framework = framework
        self.label = label
        self.cache_var = cache_var
        self.key = f"{framework} {label}".strip()


def variants(frameworks):
    """The variants for the available ``frameworks``, in the order a round runs them."""
    out = []
    for name in frameworks:
        if name == "graphkeras":
            out.append([Variant(name, "cold", "GRAPHKERAS_CACHE_DIR"),
                        Variant(name, "warm", "GRAPHKERAS_CACHE_DIR")])
        elif name == "torch-compile":
            out.append([Variant(name, "cold", "TORCHINDUCTOR_CACHE_DIR"),
                        Variant(name, "warm", "TORCHINDUCTOR_CACHE_DIR")])
        else:
            out.append([Variant(name, "")])
    return out


def run_child(root, framework, env_updates, quiet=None, timeout=900):
    """Start a fresh process for ``framework`` with ``env_updates``; its phase times (or error).

    With ``quiet``, waits for a quiet machine first and records the foreign load
    (cores other processes kept busy) while the child ran.
    """
    if quiet is not None and quiet.max_wait > 0:
        quiet.wait()
    busy0 = timing.busy_seconds()
    child0 = _children_cpu()
    env = dict(os.environ)
    env.update(env_updates)
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p])
    env["BENCH_T0"] = repr(time.time())
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.compile_time", "--child",
                               framework], cwd=root, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    wall = time.perf_counter() - start
    busy1 = timing.busy_seconds()
    foreign = None
    if busy0 is not None and wall > 0:
        foreign = max(0.0, (busy1 - busy0 - (_children_cpu() - child0)) / wall)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARK):
            result = json.loads(line[len(MARK):])
            result["process_exit"] = wall
            result["foreign_load"] = foreign
            return result
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
    return {"error": f"exit code {proc.returncode}: " + " | ".join(tail)}


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(root, frameworks, rounds, full, quiet=None, log=print):
    """``{variant key: [result, ...]}`` over ``rounds`` rounds of fresh processes.

    Before the rounds, each framework is imported once in a throw-away process
    so that every timed process finds its library files in the OS page cache.
    """
    groups = variants(frameworks)
    results = {v.key: [] for group in groups for v in group}
    for name in frameworks:
        subprocess.run([sys.executable, "-c", _import_snippet(name)], cwd=root,
                       env=dict(os.environ, PYTHONPATH=root), capture_output=True)
    scratch = tempfile.mkdtemp(prefix="bench-compile-")
    try:
        if full and "graphkeras" in frameworks:
            results["graphkeras cold+kernels"] = [run_child(root, "graphkeras", {
                "GRAPHKERAS_CACHE_DIR": tempfile.mkdtemp(dir=scratch),
                "NUMBA_CACHE_DIR": tempfile.mkdtemp(dir=scratch)}, quiet)]
            log(f"  graphkeras cold+kernels: {_text(results['graphkeras cold+kernels'][0])}")
        for r in range(rounds):
            order = groups[r % len(groups):] + groups[:r % len(groups)]
            for group in order:
                cache = tempfile.mkdtemp(dir=scratch)
                for variant in group:
                    env = {variant.cache_var: cache} if variant.cache_var else {}
                    result = run_child(root, variant.framework, env, quiet)
                    results[variant.key].append(result)
                    log(f"  round {r + 1}/{rounds} {variant.key}: {_text(result)}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def _import_snippet(name):
    return ("from benchmarks.frameworks import Adapter; "
            f"Adapter({name!r}).versions()")


def _text(result):
    if "error" in result:
        return "error: " + result["error"][:200]
    return (f"total {result['total']:.2f} s (import {result['import']:.2f}, build "
            f"{result['build']:.2f}, first fit {result['first_fit']:.2f})")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        sys.exit("usage: python -m benchmarks.compile_time --child FRAMEWORK "
                 "(the runner starts these; run `python -m benchmarks` instead)")
