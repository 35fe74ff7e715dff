"""The pass manager: run passes in order, keep a snapshot of every stage, check and dump.

Each pass gets a copy of the previous stage's graph, so ``stages[name]`` is the
IR exactly as that pass left it; ``lowered`` is the graph the front end built
and ``final`` the one codegen receives. With ``GRAPHKERAS_CHECKS=1`` every
stage is verified; with ``GRAPHKERAS_DUMP_DIR`` set every stage's listing and
DOT graph are written there. Exceptions that are the user's (``ValueError``,
``TypeError``, ``NotImplementedError``) pass through; anything else escaping a
pass becomes an ``InternalCompilerError`` that names the pass.
"""

import logging
import os
import re
import time
from collections import OrderedDict

from compiler import config
from compiler.errors import InternalCompilerError
from compiler.verify import verify

logger = logging.getLogger(__name__)

USER_ERRORS = (ValueError, TypeError, NotImplementedError)


class Stages(OrderedDict):
    """``{stage name: Graph}`` in pipeline order, with ``final`` as the last one."""

    def final(self):
        return next(reversed(self.values()))

    def get_stage(self, stage):
        if stage == "final":
            return self.final()
        if stage not in self:
            valid = ", ".join(list(self) + ["final"])
            raise ValueError(f"Unknown stage `{stage}`; valid stages are: {valid}.")
        return self[stage]


def run_passes(graph, passes, model_name="model", program="program"):
    """Run ``passes`` over ``graph``; return the ``Stages`` and the total time per pass."""
    stages = Stages()
    stages["lowered"] = graph
    checks = config.checks_enabled()
    if checks:
        verify(graph, stage="lowered")
    timings = {}
    current = graph

    for p in passes:
        work = current.copy()
        start = time.perf_counter()
        try:
            changed = p(work)
        except USER_ERRORS:
            raise
        except InternalCompilerError:
            raise
        except Exception as err:
            raise InternalCompilerError(f"{type(err).__name__}: {err}", stage=p.name) from err
        if not isinstance(changed, bool):
            raise InternalCompilerError(
                f"pass returned {changed!r}; a pass must return True or False", stage=p.name)
        timings[p.name] = time.perf_counter() - start
        if checks:
            verify(work, stage=p.name)
        _log_stage(p.name, work, changed, timings[p.name])
        stages[p.name] = work
        current = work

    dump = config.dump_dir()
    if dump:
        write_stages(dump, model_name, program, stages)
    return stages, timings


def _log_stage(name, graph, changed, seconds):
    level = config.debug_level()
    if level >= 1:
        logger.info("pass %s: %s in %.1f ms (%d values)", name,
                    "changed" if changed else "unchanged", seconds * 1e3, len(graph))
    if level >= 2:
        ops = {}
        for node in graph.nx.nodes:
            ops[graph.op_of(node)] = ops.get(graph.op_of(node), 0) + 1
        summary = ", ".join(f"{op} x{count}" for op, count in sorted(ops.items()))
        logger.info("after %s: %s", name, summary)
    if level >= 4:
        logger.info("IR after %s:\n%s", name, graph)


def dump_name(model_name, program, stage, ext):
    """The file name of one dump: ``<model>.<program>.<stage>.<ext>``, filesystem-safe."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{model_name}.{program}.{stage}")
    return f"{safe}.{ext}"


def write_stages(directory, model_name, program, stages):
    """Write each stage's listing (``.txt``) and DOT graph (``.dot``) to ``directory``."""
    os.makedirs(directory, exist_ok=True)
    for i, (stage, graph) in enumerate(stages.items()):
        label = f"{i:02d}-{stage}"
        for ext, text in (("txt", str(graph)), ("dot", graph.to_dot())):
            write_text(os.path.join(directory, dump_name(model_name, program, label, ext)),
                       text)


def write_text(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
