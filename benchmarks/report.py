"""Results as JSON and as a Markdown table, with ratios against the best peer and the targets.

The JSON (``benchmarks/results/<timestamp>.json``) keeps every per-round value,
so medians can be recomputed and runs compared later; the Markdown summarises
it for a reader: the machine, per-workload medians for every framework, the
ratio of graphkeras to the best peer, the FLOP rates next to the same run's
sgemm rates, the first-``fit`` times, and each target with pass or fail.
Ratios are always "graphkeras is this many times better": throughput over
throughput for training, time over time (peer / graphkeras) for latencies.
"""

import datetime
import json
import os
import platform
import subprocess
import sys

from benchmarks.frameworks import FRAMEWORKS, PEERS, SUBJECT
from benchmarks.timing import median, rates

SCHEMA = 1
COLUMNS = list(FRAMEWORKS)


# -- machine ----------------------------------------------------------------------------------

def _read(path):
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return ""


def _cpu_model():
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _mem_gib():
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2 ** 20, 1)
    return None


def _git(root, *args):
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def machine(root):
    """The machine and software this run measured (only reads; changes nothing)."""
    import numpy
    info = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else None,
        "memory_gib": _mem_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                           "MKL_NUM_THREADS", "OPENBLAS_CORETYPE",
                                           "NUMBA_NUM_THREADS", "KERAS_BACKEND",
                                           "XLA_FLAGS") if k in os.environ},
    }
    for name in ("scipy", "numba", "llvmlite"):
        try:
            info[name] = __import__(name).__version__
        except ImportError:
            pass
    commit = _git(root, "rev-parse", "--short", "HEAD")
    if commit:
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
        info["git"] = commit + (" (with uncommitted changes)" if dirty else "")
    return info


# -- per-workload analysis ------------------------------------------------------------------------

def _stats(workload, series):
    values = rates(workload, series)
    out = {"values": values, "median": median(values),
           "min": min(values) if values else None, "max": max(values) if values else None,
           "unit_count": series.unit_count, "foreign_load": median(series.foreign),
           "build_seconds": series.build_seconds, "warmup_seconds": series.warmup_seconds,
           "notes": series.notes}
    if series.error:
        out["error"] = series.error
    med = out["median"]
    if med:
        if workload.kind == "predict1":
            out["gflops"] = workload.predict_flops() / (med * 1e-6) / 1e9
        else:
            out["gflops"] = med / workload.batch * workload.train_flops() / 1e9
    return out


def _better(workload, a, b):
    """How many times better ``a`` is than ``b`` (rates: a/b; latencies: b/a)."""
    if not a or not b:
        return None
    return b / a if workload.kind == "predict1" else a / b


def analyse(workload, series, memory=None):
    """The JSON entry of one timed workload, from ``{participant: Series}``."""
    results = {name: _stats(workload, s) for name, s in series.items() if name != "sgemm"}
    entry = {"kind": workload.kind, "description": workload.description,
             "model": workload.model.describe(), "batch": workload.batch,
             "unit": "us/call" if workload.kind == "predict1" else "samples/s",
             "flops_per_step": workload.predict_flops() if workload.kind == "predict1"
             else workload.train_flops(), "results": results}
    if "sgemm" in series:
        entry["blas_floor"] = _stats(workload, series["sgemm"])
    peers = {n: r for n, r in results.items() if n in PEERS and r.get("median")}
    subject = results.get(SUBJECT, {})
    if peers:
        pick = min if workload.kind == "predict1" else max
        best = pick(peers, key=lambda n: peers[n]["median"])
        entry["best_peer"] = best
        entry["ratio"] = _better(workload, subject.get("median"), peers[best]["median"])
        paired = [_better(workload, a, b) for a, b in zip(subject.get("values", []),
                                                          peers[best]["values"])]
        entry["paired_ratio_median"] = median(paired)
    if memory is not None:
        entry["memory_report"] = memory
    entry["targets"] = _targets(workload, entry)
    return entry


def _target(name, goal, value, passed, note=""):
    return {"name": name, "target": goal, "value": value, "passed": passed, "note": note}


def _targets(workload, entry):
    goals = workload.targets
    subject = entry["results"].get(SUBJECT, {})
    ratio = entry.get("ratio")
    out = []
    if "ratio" in goals:
        what = ("model.predict speed-up vs best peer's call" if workload.kind == "predict1"
                else "samples/s vs best peer")
        if ratio is None:
            note = "graphkeras not measured" if not subject.get("median") else "no peer ran"
            out.append(_target(what, f">= {goals['ratio']}x", None, None, note))
        else:
            out.append(_target(what, f">= {goals['ratio']}x", ratio, ratio >= goals["ratio"],
                               f"best peer: {entry['best_peer']}"))
    if "max_us" in goals:
        value = subject.get("median")
        out.append(_target("model.predict latency", f"<= {goals['max_us']} us", value,
                           None if value is None else value <= goals["max_us"]))
    if "sgemm_fraction" in goals:
        floor = entry.get("blas_floor", {}).get("gflops")
        mine = subject.get("gflops")
        value = mine / floor if mine and floor else None
        out.append(_target("share of the sgemm rate at the workload's shapes",
                           f">= {goals['sgemm_fraction']:.0%}", value,
                           None if value is None else value >= goals["sgemm_fraction"]))
    if workload.name == "mlp":
        out.append(_memory_target(entry.get("memory_report")))
    return out


def _memory_target(report):
    goal = "<= 50% of naive"
    if not report or not report.get("available"):
        note = (report or {}).get("note", "not measured")
        return _target("train arena vs naive buffer sum", goal, None, None, note)
    fraction = _arena_fraction(report.get("raw"))
    if fraction is None:
        return _target("train arena vs naive buffer sum", goal, None, None,
                       "memory_report has no recognisable arena/naive sizes: "
                       + str(report.get("text"))[:200])
    return _target("train arena vs naive buffer sum", goal, fraction, fraction <= 0.5)


def _arena_fraction(raw):
    """arena size / naive size from whatever ``memory_report`` returned (None if unknown)."""
    if not isinstance(raw, dict):
        return None
    flat = {}

    def walk(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                flat[f"{prefix}{k}".lower()] = float(v)
    walk(raw)
    if flat.get("arena") and flat.get("naive"):
        return flat["arena"] / flat["naive"]
    for key, v in flat.items():
        if any(w in key for w in ("fraction", "ratio")) and 0 < v <= 10:
            return v
    arena = [v for k, v in flat.items() if ("arena" in k or "planned" in k) and "naive" not in k]
    naive = [v for k, v in flat.items() if "naive" in k or "unplanned" in k]
    if arena and naive and naive[0] > 0:
        return arena[0] / naive[0]
    return None


def analyse_compile(results):
    """The JSON entry of the ``compile`` workload from ``{variant: [child results]}``."""
    variants = {}
    for key, runs in results.items():
        ok = [r for r in runs if "error" not in r]
        entry = {"runs": runs}
        if ok:
            for phase in ("total", "import", "build", "first_fit", "foreign_load"):
                entry[phase] = median([r.get(phase) for r in ok])
        else:
            entry["error"] = runs[0]["error"] if runs else "not run"
        variants[key] = entry
    keras = variants.get("keras", {}).get("total")
    targets = []
    for label, goal in (("cold", 2.0), ("warm", 0.5)):
        mine = variants.get(f"graphkeras {label}", {}).get("total")
        value = mine / keras if mine and keras else None
        targets.append(_target(f"first fit, {label} cache, vs Keras 3",
                               f"<= {goal}x", value, None if value is None else value <= goal,
                               "" if value is not None else "graphkeras or Keras not measured"))
    return {"kind": "compile", "description": "process start to the end of the first fit "
            "(mlp model, 8 batches of 128)", "unit": "s", "variants": variants,
            "targets": targets}


# -- writing ----------------------------------------------------------------------------------

def timestamp():
    return datetime.datetime.now().strftime("%Y%m%d-%H%M%S")


def write(doc, directory, stem, latest=False):
    """Write ``<stem>.json`` and ``<stem>.md`` (and ``latest.*`` when asked); return the paths."""
    os.makedirs(directory, exist_ok=True)
    text = markdown(doc)
    paths = []
    names = [stem] + (["latest"] if latest else [])
    for name in names:
        jpath = os.path.join(directory, name + ".json")
        with open(jpath, "w") as fh:
            json.dump(doc, fh, indent=1, sort_keys=False)
            fh.write("\n")
        mpath = os.path.join(directory, name + ".md")
        with open(mpath, "w") as fh:
            fh.write(text)
        paths += [jpath, mpath]
    return paths


def _num(value, kind):
    if value is None:
        return "-"
    if kind == "rate":
        return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    if kind == "us":
        return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    if kind == "ratio":
        return f"{value:.2f}x"
    if kind == "s":
        return f"{value:.2f}"
    if kind == "pct":
        return f"{value:.0%}"
    if kind == "f2":
        return f"{value:.2f}"
    return f"{value:.1f}"


def _verdict(passed):
    return {True: "PASS", False: "FAIL", None: "n/a"}[passed]


def _target_value(t):
    v = t["value"]
    if v is None:
        return "-"
    if t["target"].endswith("us"):
        return f"{v:.1f} us"
    if "%" in t["target"]:
        return f"{v:.0%}"
    return f"{v:.2f}x"


def markdown(doc):
    """The human-readable report of a results document."""
    m = doc["machine"]
    s = doc["settings"]
    lines = [f"# graphkeras benchmark, {doc['created']}", ""]
    lines.append(f"- Machine: {m.get('cpu')}, {m.get('cores')} cores "
                 f"({m.get('cores_usable')} usable), {m.get('memory_gib')} GiB, "
                 f"{m.get('platform')}")
    lines.append(f"- Python {m.get('python')}, NumPy {m.get('numpy')}, SciPy {m.get('scipy')}, "
                 f"Numba {m.get('numba')}, llvmlite {m.get('llvmlite')}; graphkeras at "
                 f"{m.get('git', 'a tree outside git (see Notes)')}")
    fw = doc["frameworks"]
    ran = [f"{n} ({', '.join(f'{k} {v}' for k, v in i['versions'].items())})"
           for n, i in fw.items() if i.get("available")]
    skipped = [f"{n} ({i.get('reason')})" for n, i in fw.items() if not i.get("available")]
    lines.append("- Frameworks: " + "; ".join(ran))
    if skipped:
        lines.append("- Skipped: " + "; ".join(skipped))
    sg = doc.get("sgemm", {})
    lines.append(f"- sgemm 2048 (NumPy, one call, default threads): "
                 f"{_num(sg.get('gflops_2048_start'), 'f')} GFLOP/s at the start, "
                 f"{_num(sg.get('gflops_2048_end'), 'f')} at the end")
    lines.append(f"- Settings: {s['rounds']} rounds, >= {s['min_time']} s per timed chunk, "
                 f"{s['warmup']} warm-up calls, frameworks {s['isolation']}, taking turns in "
                 f"each round; load average {doc.get('loadavg_start')} at the start, "
                 f"{doc.get('loadavg_end')} at the end")
    q = doc.get("quiet", {})
    lines.append(f"- Other processes: before each timed chunk the runner waited up to "
                 f"{s.get('max_wait')} s for a quiet machine ({q.get('waited_seconds')} s in "
                 f"all) and re-ran chunks disturbed by them up to {s.get('retries')} times "
                 f"({q.get('reruns')} re-runs); see Noise")
    if s.get("quick"):
        lines.append("- **Quick smoke run**: too short for reliable numbers.")
    lines.append("")

    timed = {k: w for k, w in doc["workloads"].items() if w["kind"] != "compile"}
    lines += ["## Targets", "", "| workload | target | graphkeras | goal | result |",
              "|---|---|---|---|---|"]
    for name, w in doc["workloads"].items():
        for t in w.get("targets", []):
            note = f" ({t['note']})" if t.get("note") else ""
            lines.append(f"| {name} | {t['name']}{note} | {_target_value(t)} | {t['target']} "
                         f"| {_verdict(t['passed'])} |")
    lines.append("")

    cols = [c for c in COLUMNS if any(c in w["results"] for w in timed.values())]
    for kind, title, unit, fmt in (
            ("train", "Training throughput", "samples/s, higher is better", "rate"),
            ("predict1", "Single-sample predict", "µs per call, lower is better", "us")):
        rows = {k: w for k, w in timed.items() if w["kind"] == kind}
        if not rows:
            continue
        lines += [f"## {title} ({unit}; median of rounds, [min-max])", "",
                  "| workload | " + " | ".join(cols) + " | best peer | graphkeras vs best |",
                  "|---|" + "---|" * (len(cols) + 2)]
        for name, w in rows.items():
            cells = []
            for c in cols:
                r = w["results"].get(c)
                if r is None:
                    cells.append("-")
                elif r.get("error") and not r.get("median"):
                    cells.append("error")
                else:
                    cells.append(f"{_num(r['median'], fmt)} [{_num(r['min'], fmt)}-"
                                 f"{_num(r['max'], fmt)}]")
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {w.get('best_peer', '-')} "
                         f"| {_num(w.get('ratio'), 'ratio')} |")
        lines.append("")
        if kind == "train":
            steps = ", ".join(f"{k} {w.get('warmup_steps', 0):,}" for k, w in rows.items())
            lines += [f"Timed after warm-up training of {steps} steps, in the state a model "
                      "reaches some epochs into training (see `workloads.py`).", ""]
        if kind == "predict1":
            lines += ["graphkeras and Keras: `model.predict(x1)`; PyTorch: the module called "
                      "under `inference_mode` plus softmax, NumPy in and out; JAX: a jitted "
                      "forward + softmax, `np.asarray` of the result.", ""]

    if not timed:
        lines = _compile_section(doc, lines)
        return "\n".join(_notes_section(doc, lines))
    lines += ["## FLOP rates (GFLOP/s of the matmuls, median)", "",
              "| workload | graphkeras | best peer | BLAS floor at the workload's shapes "
              "| graphkeras / floor | sgemm 2048 |", "|---|---|---|---|---|---|"]
    for name, w in timed.items():
        mine = w["results"].get(SUBJECT, {}).get("gflops")
        best = w.get("best_peer")
        peer = w["results"].get(best, {}).get("gflops") if best else None
        floor = w.get("blas_floor", {}).get("gflops")
        share = mine / floor if mine and floor else None
        lines.append(f"| {name} | {_num(mine, 'f')} | {_num(peer, 'f')}"
                     f"{f' ({best})' if best else ''} | {_num(floor, 'f')} | "
                     f"{_num(share, 'pct')} | {_num(sg.get('gflops_2048_start'), 'f')} |")
    lines += ["", "The BLAS floor runs each matmul of one step as one NumPy `np.dot` call, "
              "back to back, in the same rounds as the frameworks.", ""]

    lines = _compile_section(doc, lines)

    mem = doc["workloads"].get("mlp", {}).get("memory_report")
    if mem is not None:
        lines += ["## Memory (mlp train program)", ""]
        lines.append(_memory_text(mem))
        lines.append("")

    lines += ["## Noise", "", "Median foreign load (cores kept busy by other processes "
              "while a framework was timed; this machine has "
              f"{m.get('cores')}):", "",
              "| workload | " + " | ".join(cols + ["sgemm"]) + " |",
              "|---|" + "---|" * (len(cols) + 1)]
    for name, w in timed.items():
        cells = [_num(w["results"].get(c, {}).get("foreign_load"), "f2") for c in cols]
        cells.append(_num(w.get("blas_floor", {}).get("foreign_load"), "f2"))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(_notes_section(doc, lines))


def _memory_text(mem):
    """``model.memory_report("train")`` as one line: sizes in MB, the arena's share of naive."""
    if not mem.get("available"):
        return f"Not measured: {mem.get('note')}."
    raw = mem.get("raw")
    if not isinstance(raw, dict):
        return "`" + str(mem.get("text")) + "`"
    parts = []
    for key, value in raw.items():
        if isinstance(value, (int, float)) and key != "capacity":
            parts.append(f"{key} {value / 1e6:.2f} MB")
        else:
            parts.append(f"{key} {value}")
    fraction = _arena_fraction(raw)
    share = f" (arena = {fraction:.0%} of naive)" if fraction is not None else ""
    return "`model.memory_report('train')`: " + ", ".join(parts) + share + "."


def _compile_section(doc, lines):
    comp = doc["workloads"].get("compile")
    if comp:
        lines += ["## First fit: seconds from process start to the end of the first `fit`",
                  "", "| variant | total | import | build | first fit | runs | foreign load |",
                  "|---|---|---|---|---|---|---|"]
        for key, v in comp["variants"].items():
            if "error" in v:
                lines.append(f"| {key} | error: {v['error'][:120]} | | | | | |")
                continue
            lines.append(f"| {key} | {_num(v['total'], 's')} | {_num(v['import'], 's')} | "
                         f"{_num(v['build'], 's')} | {_num(v['first_fit'], 's')} | "
                         f"{len(v['runs'])} | {_num(v.get('foreign_load'), 'f2')} |")
        lines += ["", "cold: empty compile cache; warm: the cache the cold run left; "
                  "cold+kernels: graphkeras's kernel library compiled too (first run on a "
                  "machine). Medians over runs.", ""]
    return lines


def _notes_section(doc, lines):
    """Notes from the adapters (grouped: one line per framework and note), errors, the run's."""
    where, errors = {}, []
    timed = [n for n, w in doc["workloads"].items() if w.get("results")]
    for name in timed:
        for c, r in doc["workloads"][name]["results"].items():
            for n in r.get("notes", []):
                where.setdefault((c, n), []).append(name)
            if r.get("error"):
                errors.append(f"- {name}, {c}: **error** {r['error'].splitlines()[0][:300]}")
    notes = [f"- {c}: {n}" + ("" if len(names) == len(timed) else f" ({', '.join(names)})")
             for (c, n), names in where.items()]
    notes += errors + [f"- {n}" for n in doc.get("notes", [])]
    if notes:
        lines += ["## Notes", ""] + notes + [""]
    return lines


if __name__ == "__main__":   # re-render a results file: python -m benchmarks.report FILE.json
    with open(sys.argv[1]) as fh:
        print(markdown(json.load(fh)))
