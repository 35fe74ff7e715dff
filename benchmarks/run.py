"""Run the benchmarks: ``python -m benchmarks`` or ``python benchmarks/run.py``.

Times graphkeras against PyTorch (eager and ``torch.compile``), JAX (``jit``)
and Keras 3 on JAX, each one that is installed, on the workloads of
``benchmarks.workloads``; frameworks take turns within every round, and the
report gives medians, ratios against the best peer and pass/fail against the
targets. Results go to ``<output>/<timestamp>.json`` and ``.md`` (and
``latest.*`` for full runs). See ``benchmarks/README.md``.
"""

import argparse
import os
import sys
import tempfile
import time

if __package__ in (None, ""):            # run as a script: make `benchmarks` importable
    _HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    sys.path.insert(0, os.path.dirname(_HERE))

from benchmarks import compile_time, report, sgemm, timing  # noqa: E402
from benchmarks.frameworks import FRAMEWORKS, SUBJECT  # noqa: E402
from benchmarks.workloads import DEFAULT_ORDER, WORKLOADS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def _names(text, known, what):
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)}; known: {', '.join(known)}")
    return names


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split(
        "\n\n")[1].replace("\n", " "))
    parser.add_argument("--workloads", help="comma-separated, from: " + ", ".join(WORKLOADS)
                        + " (default: all; with --quick, all but compile)")
    parser.add_argument("--frameworks", help="comma-separated, from: " + ", ".join(FRAMEWORKS)
                        + " (default: all that are installed)")
    parser.add_argument("--rounds", type=int, help="timed rounds per workload (default 5; "
                        "quick 1)")
    parser.add_argument("--compile-rounds", type=int,
                        help="fresh-process rounds for the compile workload (default 3; quick 1)")
    parser.add_argument("--min-time", type=float, help="seconds per timed chunk (default 1.0; "
                        "quick 0.05)")
    parser.add_argument("--warmup", type=int, help="untimed calls before calibrating "
                        "(default 3; quick 1)")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: 1 round, short "
                        "chunks, no compile workload unless asked; writes to a temporary "
                        "directory unless --output is given, never to latest.*")
    parser.add_argument("--output", help=f"directory for the results (default {RESULTS})")
    parser.add_argument("--in-process", action="store_true",
                        help="run every framework in this process instead of one worker "
                        "process each (to measure what sharing a process costs)")
    parser.add_argument("--max-wait", type=float, help="seconds to wait for a quiet machine "
                        "before each timed chunk (default 20; quick 0)")
    parser.add_argument("--retries", type=int, help="re-runs of a chunk disturbed by other "
                        "processes (default 2; quick 0)")
    parser.add_argument("--note", action="append", default=[],
                        help="a line for the report's notes (repeatable)")
    parser.add_argument("--list", action="store_true", help="list workloads and frameworks")
    args = parser.parse_args(argv)
    quick = args.quick
    args.workload_names = _names(args.workloads, WORKLOADS, "workloads") or [
        w for w in DEFAULT_ORDER if not (quick and w == "compile")]
    args.framework_names = _names(args.frameworks, FRAMEWORKS, "frameworks") or list(FRAMEWORKS)
    args.rounds = args.rounds or (1 if quick else 5)
    args.compile_rounds = args.compile_rounds or (1 if quick else 3)
    args.min_time = args.min_time if args.min_time is not None else (0.05 if quick else 1.0)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.max_wait = args.max_wait if args.max_wait is not None else (0.0 if quick else 20.0)
    args.retries = args.retries if args.retries is not None else (0 if quick else 2)
    return args


def _log(text):
    print(text, flush=True)


def start_participants(names, in_process, log_dir):
    """Start (or load) each framework; return (participants, {name: availability})."""
    participants, status = [], {}
    for name in names:
        if in_process:
            p = timing.InProcessParticipant(name)
        else:
            p = timing.SubprocessParticipant(name, ROOT, os.path.join(log_dir, f"{name}.log"))
        try:
            hello = p.call({"cmd": "hello"})
        except timing.WorkerError as err:
            reason = str(err).splitlines()[0]
            if "ModuleNotFoundError" in reason or "ImportError" in reason:
                reason = "not installed: " + reason.split(": ", 2)[-1]
            status[name] = {"available": False, "reason": reason}
            _log(f"skipping {name}: {reason}")
            p.close()
            continue
        status[name] = {"available": True, "versions": hello["versions"]}
        _log(f"{name}: {hello['versions']}")
        participants.append(p)
    return participants, status


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        for name in DEFAULT_ORDER:
            w = WORKLOADS[name]
            print(f"{name:14s} {w.kind:9s} {w.description}")
        print("frameworks:", ", ".join(FRAMEWORKS))
        return 0
    started = time.time()
    output = args.output or (tempfile.mkdtemp(prefix="graphkeras-bench-") if args.quick
                             else RESULTS)
    log_dir = tempfile.mkdtemp(prefix="graphkeras-bench-logs-")
    isolation = "in one process" if args.in_process else "each in its own worker process"
    doc = {"schema": report.SCHEMA, "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
           "command": " ".join(["python -m benchmarks"] + (argv if argv is not None
                                                           else sys.argv[1:])),
           "settings": {"rounds": args.rounds, "compile_rounds": args.compile_rounds,
                        "min_time": args.min_time, "warmup": args.warmup,
                        "quick": args.quick, "isolation": isolation,
                        "max_wait": args.max_wait, "retries": args.retries},
           "machine": report.machine(ROOT), "loadavg_start": timing.loadavg(),
           "workloads": {}, "notes": list(args.note)}
    _log(f"graphkeras benchmarks: {', '.join(args.workload_names)}; frameworks "
         f"{isolation}; worker logs in {log_dir}")
    participants, doc["frameworks"] = start_participants(args.framework_names,
                                                         args.in_process, log_dir)
    if SUBJECT not in [p.name for p in participants]:
        doc["notes"].append("graphkeras itself did not start: no ratios")
    quiet = timing.Quiet(max_wait=args.max_wait, retries=args.retries)
    quiet.wait()
    doc["sgemm"] = {"gflops_2048_start": sgemm.gflops_square(2048)}
    doc["machine"]["blas"] = sgemm.blas_info()
    _log(f"sgemm 2048: {doc['sgemm']['gflops_2048_start']:.1f} GFLOP/s")
    available = [p.name for p in participants]
    # fresh-process timings come last, after the workers are gone: idle workers still
    # hold thread pools, and nothing else may run beside a timed process
    names = [n for n in args.workload_names if WORKLOADS[n].kind != "compile"] + \
        [n for n in args.workload_names if WORKLOADS[n].kind == "compile"]
    try:
        for name in names:
            workload = WORKLOADS[name]
            _log(f"[{name}] {workload.description}")
            if workload.kind == "compile":
                for p in participants:
                    p.close()
                participants = []
                results = compile_time.measure(ROOT, available, args.compile_rounds,
                                               full=not args.quick, quiet=quiet, log=_log)
                doc["workloads"][name] = report.analyse_compile(results)
                continue
            floor = sgemm.BlasFloor()
            series = timing.measure(participants + [floor], workload, args.rounds,
                                    args.min_time, args.warmup, quiet=quiet, log=_log,
                                    warmup_steps=0 if args.quick else None)
            memory = None
            if name == "mlp":
                memory = _memory_report(participants)
            doc["workloads"][name] = report.analyse(workload, series, memory)
            if workload.kind == "train":
                doc["workloads"][name]["warmup_steps"] = 0 if args.quick else \
                    workload.warmup_steps
            for p in participants + [floor]:
                try:
                    p.call({"cmd": "drop"})
                except timing.WorkerError:
                    pass
    finally:
        for p in participants:
            p.close()
    quiet.wait()
    doc["sgemm"]["gflops_2048_end"] = sgemm.gflops_square(2048)
    doc["quiet"] = {"waited_seconds": round(quiet.waited, 1), "reruns": quiet.reruns}
    doc["loadavg_end"] = timing.loadavg()
    doc["seconds"] = time.time() - started
    stem = report.timestamp() + ("-quick" if args.quick else "")
    paths = report.write(doc, output, stem, latest=not args.quick)
    print()
    print(report.markdown(doc))
    _log(f"wrote {', '.join(paths)} in {doc['seconds']:.0f} s")
    return 0


def _memory_report(participants):
    for p in participants:
        if p.name == SUBJECT:
            try:
                return p.call({"cmd": "memory_report"})["report"]
            except timing.WorkerError as err:
                return {"available": False, "note": str(err).splitlines()[0]}
    return None


if __name__ == "__main__":
    sys.exit(main())
