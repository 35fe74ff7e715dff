"""The IR as a public debugging interface: get_ir, get_source, and dumps."""

import json
import os

import numpy as np
import pytest

import graphkeras
from graphkeras.layers import Dense, Input

STAGES = ["lowered", "shape_inference", "loss", "metrics", "softmax_xent", "autodiff",
          "optimizer", "legalize_broadcast", "cse", "dce", "schedule", "fusion",
          "memory_plan", "final"]


def _model():
    model = graphkeras.Sequential([Input(shape=(4,)), Dense(3, activation="softmax",
                                                            name="probs")], name="tiny")
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_listing_names_ops_shapes_and_layers():
    ir = _model().get_ir("train", "final")
    text = str(ir)
    line = next(l for l in text.splitlines() if "= matmul(" in l)
    assert "%x0" in line and "(B, 3)" in line and "float32" in line and "@probs" in line
    assert "update %probs/kernel" in text
    assert json.loads(ir.to_json())["nodes"]
    assert ir.to_dot().startswith('digraph "tiny"')


@pytest.mark.parametrize("stage", STAGES)
def test_every_documented_stage_exists(stage):
    assert len(_model().get_ir("train", stage)) > 0


def test_predict_program_has_no_loss():
    text = str(_model().get_ir("predict"))
    assert "softmax" in text and "loss" not in text


def test_unknown_names_list_the_valid_ones():
    model = _model()
    with pytest.raises(ValueError, match="valid programs are: predict, test, train"):
        model.get_ir("nope")
    with pytest.raises(ValueError, match="valid stages are: lowered, shape_inference"):
        model.get_ir("train", "nope")


def test_source_is_a_thin_njit_driver():
    source = _model().get_source("train")
    assert "@njit" in source and "def train(A, plan, n):" in source
    assert "matmul_nn(A, plan, np.int64(0), n)" in source
    assert "for " not in source.split("def train")[1]


def test_dump_dir_gets_every_stage_and_the_source(tmp_path, monkeypatch, rng):
    monkeypatch.setenv("GRAPHKERAS_DUMP_DIR", str(tmp_path))
    model = _model()
    model.fit(rng.normal(size=(4, 4)), np.eye(3)[[0, 1, 2, 0]], verbose=0)
    files = sorted(os.listdir(tmp_path))
    for i, stage in enumerate(STAGES[:-1]):
        assert f"tiny.train.{i:02d}-{stage}.txt" in files
        assert f"tiny.train.{i:02d}-{stage}.dot" in files
    assert "tiny.train.source.py" in files
    text = (tmp_path / "tiny.train.02-loss.txt").read_text()
    assert "reduce_mean" in text
