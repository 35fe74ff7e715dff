"""``python -m graphkeras inspect FILE``: architecture, parameter counts and the compiled IR."""

import json
import os
import subprocess
import sys

import pytest

from graphkeras.__main__ import main
from tests.saving.conftest import fixture

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_text_report_of_a_keras_file(capsys):
    code, out, _ = _run(["inspect", fixture("k3_seq.keras")], capsys)
    assert code == 0
    assert 'Model: "k3_seq"' in out and "batch_normalization (BatchNorm" in out
    assert "Parameters: 99 total, 83 trainable, 16 non-trainable" in out
    assert "IR of program 'predict' after stage 'final'" in out
    assert "matmul" in out


@pytest.mark.parametrize("fmt", ["dot", "json"])
def test_train_program_at_a_stage(fmt, capsys):
    code, out, _ = _run(["inspect", fixture("gk_func.h5"), "--program", "train", "--stage",
                         "autodiff", "--format", fmt], capsys)
    assert code == 0
    ir = out.split("(%s):\n" % fmt, 1)[1]
    if fmt == "json":
        json.loads(ir)
    else:
        assert ir.lstrip().startswith("digraph")


def test_errors_are_reported_not_raised(capsys, tmp_path):
    code, _, err = _run(["inspect", fixture("gk_nestfunc.keras"), "--program", "train"],
                        capsys)
    assert code == 2 and "not compiled" in err
    code, _, err = _run(["inspect", fixture("k3_lambda.keras")], capsys)
    assert code == 1 and "safe_mode" in err
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"nothing")
    code, _, err = _run(["inspect", str(bad)], capsys)
    assert code == 1 and str(bad) in err
    code, _, err = _run(["inspect", fixture("k3_seq.keras"), "--stage", "no_such_stage"],
                        capsys)
    assert code == 2


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "graphkeras", "inspect",
                             fixture("gk_nestfunc.h5"), "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr
    assert "Parameters: 26 total" in result.stdout
