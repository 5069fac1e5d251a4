"""The protocol's edges: stdout carries JSON events only, errors are events with codes and exit codes."""

from __future__ import annotations

import io
import json

from confide_runner.protocol import EventStream

from conftest import run_runner, write_config


def test_non_finite_numbers_become_null():
    buffer = io.StringIO()
    EventStream(buffer).emit("progress", step=1, loss=float("nan"), tokensPerSecond=float("inf"))
    assert json.loads(buffer.getvalue()) == {"type": "progress", "step": 1, "loss": None, "tokensPerSecond": None}


def test_bad_config_is_one_error_event_and_exit_code_2(tmp_path):
    path = write_config(tmp_path / "train.json", {"baseModel": "m", "trainFile": "t", "outputDir": "o", "lr": 1})
    code, events, stderr = run_runner("train", "--config", str(path))
    assert code == 2
    assert events == [
        {"type": "error", "code": "INVALID_CONFIG", "message": events[0]["message"]},
    ]
    assert f'{path}, key "lr": unknown key' in events[0]["message"]
    assert "unknown key" in stderr


def test_bad_arguments_are_reported_as_an_event():
    code, events, _ = run_runner("train")
    assert code == 2
    assert [event["code"] for event in events] == ["INVALID_ARGUMENTS"]
    assert "--config" in events[0]["message"]


def test_a_crash_is_an_error_event_with_exit_code_1(tmp_path):
    model = tmp_path / "not-a-model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    data = tmp_path / "train.jsonl"
    data.write_text('{"problem": "p", "response": "r", "correct": true}\n{"problem": "q", "response": "r", "correct": false}\n')
    path = write_config(tmp_path / "train.json", {"baseModel": str(model), "trainFile": str(data), "outputDir": str(tmp_path / "out")})
    code, events, stderr = run_runner("train", "--config", str(path))
    assert code == 1
    assert events[0]["type"] == "ready" and events[-1]["type"] == "error"
    assert events[-1]["code"] == "RUNNER_FAILED"
    assert "Traceback" in stderr
