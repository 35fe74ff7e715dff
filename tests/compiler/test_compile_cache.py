"""The compile cache across processes: reused when sound, rebuilt when damaged.

The script's small model runs ``fit``, ``evaluate`` and ``predict`` through the
compiled multi-batch loops as well as the programs, so every kind of entry is
cached, damaged and rebuilt.
"""

import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = """
import logging, numpy as np, graphkeras as gk
from graphkeras.layers import Dense, Input
logging.basicConfig(level=logging.WARNING)
rng = np.random.default_rng(0)
m = gk.Sequential([Input(shape=(4,)), Dense(5, activation="relu"),
                   Dense(3, activation="softmax")])
m.set_weights([rng.normal(size=w.shape).astype("float32") for w in m.get_weights()])
m.compile(optimizer="adam", loss="categorical_crossentropy")
x = rng.normal(size=(16, 4)).astype("float32")
y = np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]
m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
loss = m.evaluate(x, y, batch_size=4, verbose=0)
print("RESULT", repr(float(loss)), m.predict(x, batch_size=4, verbose=0).tobytes().hex())
"""


def _run(cache):
    env = dict(os.environ, GRAPHKERAS_CACHE_DIR=str(cache), PYTHONPATH=ROOT)
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    return result[0], done.stderr


def _entries(cache):
    return sorted(glob.glob(os.path.join(cache, "__pycache__", "*.nbc")))


@pytest.mark.slow
def test_second_process_loads_from_cache_and_damage_is_rebuilt(tmp_path):
    first, _ = _run(tmp_path)
    entries = _entries(tmp_path)
    assert entries, "compiled programs and kernels are cached on disk"
    assert any("gk_loop" in os.path.basename(p) for p in entries), "and the loops"
    stamps = {p: os.path.getmtime(p) for p in entries}

    second, _ = _run(tmp_path)
    assert second == first
    assert _entries(tmp_path) == entries, "nothing new was compiled"
    assert all(os.path.getmtime(p) == stamps[p] for p in entries)

    for path in entries:
        with open(path, "r+b") as fh:
            fh.truncate(64)
    for path in glob.glob(os.path.join(tmp_path, "__pycache__", "gk_loop*.nbi")):
        with open(path, "w") as fh:
            fh.write("garbage")
    third, log = _run(tmp_path)
    assert third == first
    assert "rebuilding" in log
    fourth, log = _run(tmp_path)
    assert fourth == first and "rebuilding" not in log
