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


def test_a_bad_training_file_fails_before_loading_anything(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text('{"problem": "p", "response": "r", "correct": true}\n{"problem": "q", "response": "r"}\n')
    path = write_config(tmp_path / "train.json", {"baseModel": "m", "trainFile": str(data), "outputDir": str(tmp_path / "out")})
    code, events, _ = run_runner("train", "--config", str(path))
    assert code == 2
    assert events == [
        {
            "type": "error",
            "code": "INVALID_INPUT",
            "message": f'{data}, line 2, field "correct": is missing',
            "details": {"file": str(data), "line": 2, "field": "correct", "problem": "is missing"},
        }
    ]
