"""The pass manager (``compiler.pipeline``): snapshots, checks, dumps and error handling."""

import os

import pytest

from compiler.errors import InternalCompilerError, VerificationError
from compiler.passes import DeadCodeElimination, Schedule, ShapeInference
from compiler.pipeline import run_passes
from compiler.types import TensorType

from compiler_testlib import dense_model


class _Pass:
    def __init__(self, name, body):
        self.name = name
        self.body = body

    def __call__(self, graph):
        return self.body(graph)


def _add_neg(graph):
    graph.add("neg", [graph.outputs["output:0"]], name="extra")
    return True


def test_stages_are_snapshots_in_pipeline_order():
    g, _ = dense_model()
    stages, timings = run_passes(g, [_Pass("first", _add_neg), Schedule()])
    assert list(stages) == ["lowered", "first", "schedule"]
    assert set(timings) == {"first", "schedule"}
    assert stages["lowered"] is g
    assert "extra" not in stages["lowered"] and "extra" in stages["first"]
    assert stages.final() is stages["schedule"]
    assert stages.get_stage("final") is stages["schedule"]
    assert stages["first"].order is None and stages["schedule"].order is not None

    # mutating a later stage leaves the earlier ones as they were
    late = stages["schedule"]
    node = next(n for n in late.nx.nodes if late.op_of(n) == "softmax")
    late.attrs_of(node)["axis"] = 0
    late.node(node)["type"] = TensorType((None, 9), "float64")
    late.meta["note"] = "late"
    late.outputs["extra"] = "extra"
    late.remove("extra")
    for earlier in (stages["lowered"], stages["first"]):
        assert earlier.attrs_of(node)["axis"] == 1
        assert earlier.type_of(node) == TensorType((None, 3), "float64")
        assert "note" not in earlier.meta and "extra" not in earlier.outputs
    assert "extra" in stages["first"]


def test_a_pass_must_return_a_bool():
    g, _ = dense_model()
    with pytest.raises(InternalCompilerError, match="stage `sloppy`.*True or False"):
        run_passes(g, [_Pass("sloppy", lambda graph: None)])


def test_a_crashing_pass_is_an_internal_error_naming_it():
    def crash(graph):
        return 1 / 0

    g, _ = dense_model()
    with pytest.raises(InternalCompilerError) as err:
        run_passes(g, [ShapeInference(), _Pass("crashy", crash)])
    assert err.value.stage == "crashy"
    assert "stage `crashy`" in str(err.value) and "ZeroDivisionError" in str(err.value)
    assert isinstance(err.value.__cause__, ZeroDivisionError)
    assert "bug in graphkeras" in str(err.value)


@pytest.mark.parametrize("error", [ValueError, TypeError, NotImplementedError])
def test_user_errors_pass_through(error):
    def fail(graph):
        raise error("your model is wrong")

    g, _ = dense_model()
    with pytest.raises(error, match="your model is wrong"):
        run_passes(g, [_Pass("strict", fail)])


def test_checks_verify_every_stage(monkeypatch):
    def corrupt(graph):
        graph.node(graph.outputs["output:0"])["type"] = TensorType((None, 4), "float64")
        return True

    g, _ = dense_model()
    with pytest.raises(VerificationError, match="stage `corrupt`"):
        run_passes(g, [_Pass("corrupt", corrupt)])
    monkeypatch.setenv("GRAPHKERAS_CHECKS", "0")
    stages, _ = run_passes(g, [_Pass("corrupt", corrupt)])
    assert "corrupt" in stages


def test_dump_dir_gets_a_listing_and_a_graph_per_stage(monkeypatch, tmp_path):
    out = tmp_path / "dumps"
    monkeypatch.setenv("GRAPHKERAS_DUMP_DIR", str(out))
    g, _ = dense_model()
    stages, _ = run_passes(g, [ShapeInference(), DeadCodeElimination(), Schedule()],
                           model_name="tiny", program="train")
    files = sorted(os.listdir(out))
    assert len(files) == 2 * len(stages)
    for i, stage in enumerate(stages):
        stem = f"tiny.train.{i:02d}-{stage}"
        assert f"{stem}.txt" in files and f"{stem}.dot" in files
        text = (out / f"{stem}.txt").read_text()
        assert text == str(stages[stage])
        assert (out / f"{stem}.dot").read_text().startswith('digraph "tiny"')


def test_no_dump_without_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("GRAPHKERAS_DUMP_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    g, _ = dense_model()
    run_passes(g, [Schedule()])
    assert os.listdir(tmp_path) == []


def test_unknown_stage_lists_the_valid_names():
    g, _ = dense_model()
    stages, _ = run_passes(g, [ShapeInference(), Schedule()])
    with pytest.raises(ValueError) as err:
        stages.get_stage("optimiser")
    message = str(err.value)
    assert "optimiser" in message
    for name in ("lowered", "shape_inference", "schedule", "final"):
        assert name in message
