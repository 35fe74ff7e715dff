"""Warm-up, calibration and rounds, with the frameworks taking turns within each round.

Everything measured here is a *participant*: a framework worker (see
``benchmarks.worker``) or the in-process sgemm floor (``benchmarks.sgemm``),
all answering the same ``build``/``train``/``predict`` commands. For one
workload:

1. every participant builds the workload, one after the other;
2. warm-up: each runs a few steps or calls (this is where JIT compilers and
   ``torch.compile`` do their work, so it is never timed), and training goes on
   for the workload's ``warmup_steps`` (see ``benchmarks.workloads``);
3. calibration: each participant finds how many steps (calls) fill
   ``min_time`` seconds, doubling from one; that count is then fixed;
4. rounds: in each round every participant runs its count once, in an order
   rotated by one each round, so a slow phase of the machine (this is a shared
   2-core box) hits every framework alike rather than one of them.

The result per participant is the list of per-round rates; the report takes
medians. Around each timed chunk, ``/proc/stat`` gives how busy the machine's
cores were; minus the worker's own CPU time, that is the *foreign load* (in
cores) other processes put on the machine during the measurement.

Foreign load matters enormously on a 2-core machine shared with other jobs:
a library running two BLAS threads waits a scheduler time slice whenever one
of its threads finds its core taken, which was measured here to make a
graphkeras or PyTorch training step 5-10x slower, while a single-threaded
one barely notices. Such numbers say nothing about the frameworks, so before
each timed chunk the runner waits (up to ``Quiet.max_wait`` seconds) for the
machine to be quiet, and a chunk during which other processes kept more than
``Quiet.disturbed`` cores busy is run again (up to ``Quiet.retries`` times).
The report shows the remaining foreign load so noisy numbers can be recognised.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

PAUSE = 0.05   # seconds between two timed chunks: lets spinning thread pools go to sleep


class WorkerError(RuntimeError):
    """A worker answered a command with an error, or died."""


class SubprocessParticipant:
    """A framework in a worker process of its own (``python -m benchmarks.worker NAME``)."""

    def __init__(self, name, root, log_path, env=None):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "w")
        full_env = dict(os.environ if env is None else env)
        full_env["PYTHONPATH"] = os.pathsep.join(
            [root] + [p for p in full_env.get("PYTHONPATH", "").split(os.pathsep) if p])
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmarks.worker", name],
                                     cwd=root, env=full_env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._log, text=True,
                                     bufsize=1)
        self.pid = self.proc.pid

    def call(self, msg):
        try:
            self.proc.stdin.write(json.dumps(msg) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError) as err:
            raise WorkerError(f"{self.name}: worker died ({err}); see {self.log_path}") from None
        if not line:
            code = self.proc.wait()
            raise WorkerError(f"{self.name}: worker exited with code {code} during "
                              f"{msg.get('cmd')}; see {self.log_path}")
        answer = json.loads(line)
        if not answer.get("ok"):
            raise WorkerError(f"{self.name}: {msg.get('cmd')} failed: {answer.get('error')}\n"
                              f"{answer.get('traceback', '')}")
        return answer

    def close(self):
        if self.proc.poll() is None:
            try:
                self.call({"cmd": "quit"})
            except WorkerError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class InProcessParticipant:
    """A framework served in the runner's own process (``--in-process``)."""

    def __init__(self, name):
        from benchmarks.worker import Server
        self.name = name
        self.pid = os.getpid()
        self.log_path = None
        self._server = Server(name)

    def call(self, msg):
        answer = self._server.handle(msg)
        if not answer.get("ok"):
            raise WorkerError(f"{self.name}: {msg.get('cmd')} failed: {answer.get('error')}\n"
                              f"{answer.get('traceback', '')}")
        return answer

    def close(self):
        self._server.handle({"cmd": "drop"})


# -- machine load -------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_seconds():
    """CPU seconds all cores spent busy since boot (None where /proc/stat is missing)."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields] + [0] * 10
    # user nice system idle iowait irq softirq steal guest guest_nice: guest time is already
    # in user, and steal is time the hypervisor gave to someone else, not work done here
    return (sum(values[0:3]) + sum(values[5:7])) / _TICK


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


# -- measuring ------------------------------------------------------------------------------

@dataclass
class Series:
    """One participant's measurements of one workload."""

    name: str
    unit_count: int = 0                 # steps (train) or calls (predict) per timed chunk
    seconds: List[float] = field(default_factory=list)
    foreign: List[float] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    build_seconds: float = 0.0
    warmup_seconds: float = 0.0
    error: Optional[str] = None


@dataclass
class Quiet:
    """How hard to try for measurements undisturbed by other processes (see module docstring)."""

    max_wait: float = 0.0          # seconds to wait for a quiet machine before a chunk
    threshold: float = 0.3         # cores busy with other work that still count as quiet
    disturbed: float = 0.5         # foreign cores during a chunk that make it run again
    retries: int = 0
    waited: float = 0.0            # totals, for the report
    reruns: int = 0

    def wait(self):
        """Wait until the machine is quiet or ``max_wait`` has passed; return the last load."""
        deadline = time.perf_counter() + self.max_wait
        while True:
            load = machine_load(0.25)
            if load is None or load < self.threshold or time.perf_counter() >= deadline:
                return load
            self.waited += 0.25


def machine_load(window):
    """Cores kept busy over the next ``window`` seconds by all processes (None if unknown)."""
    busy0 = busy_seconds()
    own0 = time.process_time()
    time.sleep(window)
    busy1 = busy_seconds()
    if busy0 is None:
        return None
    return max(0.0, (busy1 - busy0 - (time.process_time() - own0)) / window)


def timed(participant, cmd, n, quiet=None):
    """Run ``n`` units once (after waiting for quiet); return (seconds, foreign load in cores)."""
    quiet = quiet or Quiet()
    for attempt in range(quiet.retries + 1):
        if quiet.max_wait > 0:
            quiet.wait()
        seconds, foreign = _timed_once(participant, cmd, n)
        if foreign is None or foreign <= quiet.disturbed or attempt == quiet.retries:
            return seconds, foreign
        quiet.reruns += 1
    return seconds, foreign


def _timed_once(participant, cmd, n):
    """One timed chunk: (seconds the worker measured, foreign load in cores or None)."""
    busy0 = busy_seconds()
    own0, wall0 = time.process_time(), time.perf_counter()
    answer = participant.call({"cmd": cmd, "n": n})
    busy1 = busy_seconds()
    own1, wall = time.process_time(), time.perf_counter() - wall0
    seconds = answer["seconds"]
    foreign = None
    if busy0 is not None and wall > 0:
        worker_cpu = answer.get("cpu", 0.0) if participant.pid != os.getpid() else 0.0
        foreign = (busy1 - busy0 - worker_cpu - (own1 - own0)) / wall
        foreign = min(float(os.cpu_count() or 1), max(0.0, foreign))
    return seconds, foreign


def calibrate(participant, cmd, min_time, max_n, quiet=None):
    """The number of units (doubling from 1, at most ``max_n``) that takes ``min_time`` seconds."""
    n = 1
    while True:
        seconds, _ = timed(participant, cmd, n, quiet)
        if seconds >= min_time or n >= max_n:
            return n
        guess = int(n * min_time * 1.1 / max(seconds, 1e-9)) + 1
        n = min(max_n, max(2 * n, min(guess, 16 * n)))


def measure(participants, workload, rounds, min_time, warmup, quiet=None, log=print,
            warmup_steps=None):
    """Build, warm up, calibrate and time ``workload`` on every participant; ``{name: Series}``.

    Warm-up is ``warmup`` calls of one step (one prediction), plus, for training,
    chunks of up to ``max_steps`` steps until ``warmup_steps`` (default: the
    workload's) steps have run.

    A participant that fails is reported with its error and dropped from later
    steps; the others go on.
    """
    cmd = "predict" if workload.kind == "predict1" else "train"
    max_n = 1_000_000 if cmd == "predict" else workload.max_steps
    series: Dict[str, Series] = {p.name: Series(p.name) for p in participants}
    alive = list(participants)

    def guard(p, what, fn):
        try:
            return fn()
        except Exception as err:   # noqa: BLE001 - one framework failing must not stop the run
            series[p.name].error = f"{what}: {err}"
            log(f"  {p.name}: {what} failed: {str(err).splitlines()[0]}")
            alive.remove(p)
            return None

    for p in list(alive):
        answer = guard(p, "build", lambda: p.call({"cmd": "build", "workload": workload.name}))
        if answer is not None:
            series[p.name].notes = answer.get("notes", [])
            series[p.name].build_seconds = answer.get("seconds", 0.0)
    if warmup_steps is None:
        warmup_steps = workload.warmup_steps if cmd == "train" else 0

    for p in list(alive):
        def warm(p=p):
            start = time.perf_counter()
            for _ in range(warmup):
                p.call({"cmd": cmd, "n": 1})
            done = warmup
            while done < warmup_steps:
                n = min(max_n, warmup_steps - done)
                p.call({"cmd": cmd, "n": n})
                done += n
            series[p.name].warmup_seconds = time.perf_counter() - start
        guard(p, "warm-up", warm)
    for p in list(alive):
        # calibration only sizes the chunks: no waiting for a quiet machine here
        n = guard(p, "calibration", lambda p=p: calibrate(p, cmd, min_time, max_n))
        if n is not None:
            series[p.name].unit_count = n
    log("  counts per chunk: " + ", ".join(f"{p.name}={series[p.name].unit_count}"
                                           for p in alive))
    for r in range(rounds):
        order = alive[r % len(alive):] + alive[:r % len(alive)] if alive else []
        for p in order:
            time.sleep(PAUSE)
            result = guard(p, f"round {r + 1}",
                           lambda p=p: timed(p, cmd, series[p.name].unit_count, quiet))
            if result is not None:
                seconds, foreign = result
                series[p.name].seconds.append(seconds)
                if foreign is not None:
                    series[p.name].foreign.append(foreign)
        log(f"  round {r + 1}/{rounds}: " + ", ".join(
            f"{p.name}={_rate_text(workload, series[p.name])}" for p in alive))
    return series


def rates(workload, s: Series) -> List[float]:
    """Per-round values in the workload's unit: samples/s (train) or µs per call (predict1)."""
    if workload.kind == "predict1":
        return [sec / s.unit_count * 1e6 for sec in s.seconds]
    return [s.unit_count * workload.batch / sec for sec in s.seconds]


def _rate_text(workload, s):
    values = rates(workload, s)
    if not values:
        return "-"
    v = values[-1]
    return f"{v:.1f}us" if workload.kind == "predict1" else f"{v:,.0f}/s"


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])
