"""One framework behind a tiny command protocol, in its own process or in the runner's.

Why separate processes: PyTorch (its own OpenMP and MKL), JAX (XLA's thread
pool), NumPy's and SciPy's two OpenBLAS copies (the one graphkeras's kernels
call) all keep thread pools that spin for a while after work; in one process
they also share one set of cores, and the second framework to run can find
its cores busy with the first one's spinning threads. Each framework therefore
lives in a worker process of its own; the runner sends commands to one worker
at a time, so the frameworks take turns (see ``README.md`` for the
measurement behind this choice; ``--in-process`` runs them all in the
runner's process instead, to repeat it).

Protocol: one JSON object a line. The worker reads commands on stdin and
answers on a private copy of the original stdout; everything the frameworks
print (to stdout or stderr, from Python or C) goes to stderr, which the runner
sends to a log file. Commands:

- ``hello`` -> ``versions``, or ``error`` when the framework cannot be imported;
- ``build`` (``workload``) -> ``notes``, ``seconds``;
- ``train`` (``n``) / ``predict`` (``n``) -> ``seconds`` of wall time and ``cpu``
  seconds this process used (all its threads), for ``n`` steps or calls;
- ``memory_report`` -> whatever the runner reports (graphkeras only);
- ``drop`` frees the workload; ``quit`` ends the worker.

Timing happens here, in the worker, so inter-process messaging is not in the numbers.
"""

import gc
import json
import os
import sys
import time
import traceback


class Server:
    """Answers protocol commands for one framework; the same object serves both modes."""

    def __init__(self, name):
        self.name = name
        self.adapter = None
        self.runner = None
        self.workload = None

    def handle(self, msg):
        cmd = msg.get("cmd")
        try:
            method = getattr(self, f"_cmd_{cmd}")
        except AttributeError:
            return {"ok": False, "error": f"unknown command {cmd!r}"}
        try:
            return dict(ok=True, **method(msg))
        except Exception as err:
            return {"ok": False, "error": f"{type(err).__name__}: {err}",
                    "traceback": traceback.format_exc()}

    def _cmd_hello(self, msg):
        from benchmarks.frameworks import Adapter
        self.adapter = Adapter(self.name)
        return {"versions": self.adapter.versions(), "pid": os.getpid()}

    def _cmd_build(self, msg):
        from benchmarks.workloads import WORKLOADS
        self._cmd_drop(msg)
        start = time.perf_counter()
        self.workload = WORKLOADS[msg["workload"]]
        self.runner = self.adapter.build(self.workload)
        return {"notes": list(self.runner.notes), "seconds": time.perf_counter() - start}

    def _cmd_train(self, msg):
        n = int(msg["n"])
        runner = self.runner
        cpu, start = time.process_time(), time.perf_counter()
        runner.train_steps(n)
        runner.sync()
        return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}

    def _cmd_predict(self, msg):
        n = int(msg["n"])
        runner = self.runner
        predict = runner.predict_one
        cpu, start = time.process_time(), time.perf_counter()
        for _ in range(n):
            predict()
        runner.sync()
        return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}

    def _cmd_memory_report(self, msg):
        report = getattr(self.runner, "memory_report", None)
        return {"report": report() if report else None}

    def _cmd_drop(self, msg):
        self.runner = None
        self.workload = None
        gc.collect()
        return {}

    def _cmd_quit(self, msg):
        return {}


def serve(name):
    """Run the protocol on stdin/stdout until ``quit`` or end of input."""
    reply = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())   # C-level prints go to the log
    sys.stdout = sys.stderr
    server = Server(name)
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        answer = server.handle(msg)
        reply.write(json.dumps(answer) + "\n")
        if msg.get("cmd") == "quit":
            break


if __name__ == "__main__":
    serve(sys.argv[1])
