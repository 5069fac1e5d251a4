"""End to end on CPU with the tiny model: train, reload, generate, cancel and resume."""

from __future__ import annotations

import io
import json
import signal
from pathlib import Path

import pytest
import torch

from confide_runner.cancellation import Cancellation
from confide_runner.config import load_train_config
from confide_runner.generate import marker_probabilities
from confide_runner.protocol import EventStream
from confide_runner.errors import InvalidConfigError
from confide_runner.train import check_output_dir, run_train

from conftest import TOY_PROMPT, run_runner, start_runner, toy_rows, toy_train_config, write_config, write_jsonl

EVENT_TYPES = {"ready", "progress", "metric", "checkpoint", "generation", "result", "error"}
PROBE_PROBLEMS = ["2+3", "4+4", "1+2"]


def probe_contexts(tokenizer) -> list[list[int]]:
    from confide_runner.prompts import render_prompt

    return [
        tokenizer.encode(render_prompt(tokenizer, problem, TOY_PROMPT["systemPrompt"], TOY_PROMPT["userTemplate"]), add_special_tokens=False)
        + tokenizer.encode(str(eval(problem)), add_special_tokens=False)
        for problem in PROBE_PROBLEMS
    ]


@pytest.fixture(scope="module")
def trained(tiny_model, tmp_path_factory):
    """A 20-step special-token run in this process, with the trained model's probabilities on probes."""
    folder = tmp_path_factory.mktemp("trained")
    train_file = write_jsonl(folder / "train.jsonl", toy_rows())
    config_path = write_config(folder / "train.json", toy_train_config(tiny_model, train_file, folder / "run"))
    buffer = io.StringIO()
    seen: dict = {}

    def after_training(model, tokenizer, markers):
        model.eval()
        seen["probabilities"] = marker_probabilities(model, probe_contexts(tokenizer), markers, tokenizer.pad_token_id, 8, torch.device("cpu"))

    code = run_train(load_train_config(str(config_path)), str(config_path), False, EventStream(buffer), Cancellation(), after_training)
    events = [json.loads(line) for line in buffer.getvalue().splitlines()]
    return {"code": code, "events": events, "folder": folder, "run": folder / "run", "probabilities": seen["probabilities"]}


def losses(events: list[dict]) -> list[float]:
    return [event["loss"] for event in events if event["type"] == "progress" and event.get("phase") == "train"]


def test_twenty_steps_lower_the_loss(trained):
    assert trained["code"] == 0
    values = losses(trained["events"])
    assert len(values) == 20
    first, last = sum(values[:5]) / 5, sum(values[-5:]) / 5
    assert last < first - 0.5, values


def test_events_follow_the_protocol(trained):
    events = trained["events"]
    assert {event["type"] for event in events} <= EVENT_TYPES
    progress = [event for event in events if event["type"] == "progress" and event["phase"] == "train"]
    assert [event["step"] for event in progress] == list(range(1, 21))
    for event in progress:
        assert event["totalSteps"] == 20 and event["tokensPerSecond"] > 0 and event["etaSeconds"] >= 0
        assert 0 < event["epoch"] <= event["epochs"]
    result = events[-1]
    assert result["type"] == "result" and result["status"] == "completed" and result["steps"] == 20
    assert result["examples"] == 16  # 8 even + 8 odd sums: already balanced
    assert result["adapterPath"] == str(trained["run"] / "adapter")


def test_the_adapter_is_saved_in_peft_format_with_a_model_card(trained):
    adapter = trained["run"] / "adapter"
    for name in ("adapter_config.json", "adapter_model.safetensors", "README.md", "confide-adapter.json", "tokenizer.json"):
        assert (adapter / name).is_file(), name
    adapter_config = json.loads((adapter / "adapter_config.json").read_text())
    assert adapter_config["r"] == 8 and adapter_config["lora_alpha"] == 32
    assert set(adapter_config["target_modules"]) == {"q_proj", "v_proj"}
    assert adapter_config["trainable_token_indices"] == {"embed_tokens": [151665, 151666]}
    card = (adapter / "README.md").read_text()
    assert card.startswith("---\nbase_model: ") and "library_name: peft" in card
    assert json.loads((trained["run"] / "training-config.json").read_text())["learningRate"] == 0.05


def test_the_reloaded_adapter_gives_the_same_probabilities(trained, tiny_model):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from confide_runner.confidence import markers_for

    adapter = trained["run"] / "adapter"
    tokenizer = AutoTokenizer.from_pretrained(adapter)
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), adapter).eval()
    reloaded = marker_probabilities(model, probe_contexts(tokenizer), markers_for(tokenizer, "special"), tokenizer.pad_token_id, 8, torch.device("cpu"))
    for before, after in zip(trained["probabilities"], reloaded):
        assert after["confident"] == pytest.approx(before["confident"], rel=1e-4, abs=1e-7)
        assert after["uncertain"] == pytest.approx(before["uncertain"], rel=1e-4, abs=1e-7)
    base = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    untrained = marker_probabilities(base, probe_contexts(tokenizer), markers_for(tokenizer, "special"), tokenizer.pad_token_id, 8, torch.device("cpu"))
    assert untrained[0]["confident"] != pytest.approx(reloaded[0]["confident"], rel=1e-2)


def test_generate_returns_a_confidence_token_and_its_probabilities(trained, tiny_model):
    problems = [{"id": problem, "problem": problem} for problem in PROBE_PROBLEMS] + [{"id": "long", "problem": "1+1 " * 20}]
    config = write_config(
        trained["folder"] / "generate.json",
        {"baseModel": str(tiny_model), "adapter": str(trained["run"] / "adapter"), "problems": problems,
         "maxNewTokens": 8, "batchSize": 3, **TOY_PROMPT},
    )
    code, events, stderr = run_runner("generate", "--config", str(config))
    assert code == 0, stderr
    assert events[0]["type"] == "ready" and events[0]["command"] == "generate"
    generations = {event["id"]: event for event in events if event["type"] == "generation"}
    assert set(generations) == {problem["id"] for problem in problems}
    assert any(generation["confidenceToken"] is not None for generation in generations.values())
    for generation in generations.values():
        probabilities = generation["confidenceProbabilities"]
        assert 0 <= probabilities["confident"] <= 1 and 0 <= probabilities["uncertain"] <= 1
        assert probabilities["confident"] + probabilities["uncertain"] <= 1
        if generation["confidenceToken"] is not None:
            assert generation["text"].endswith(generation["confidenceToken"])
            assert generation["finishReason"] == "stop"
        assert generation["usage"]["input"] > 0 and 0 < generation["usage"]["output"] <= 8
    assert events[-1] == {**events[-1], "type": "result", "status": "completed", "count": 4}


def test_sigterm_leaves_a_checkpoint_that_resume_continues_from(trained, tiny_model, tmp_path):
    """Same config as the in-process run in another folder: stopped and resumed, it must retrace it."""
    train_file = write_jsonl(tmp_path / "train.jsonl", toy_rows())
    config = write_config(tmp_path / "train.json", toy_train_config(tiny_model, train_file, tmp_path / "run"))
    runner = start_runner("train", "--config", str(config))
    assert runner.read_until(lambda event: event["type"] == "progress" and event.get("step", 0) >= 3) is not None, runner.stderr()
    runner.process.send_signal(signal.SIGTERM)
    assert runner.finish() == 0, runner.stderr()
    checkpoint = next(event for event in runner.events if event["type"] == "checkpoint")
    assert checkpoint["reason"] == "cancel" and Path(checkpoint["path"]).is_dir()
    stopped_at = checkpoint["step"]
    assert 3 <= stopped_at < 20
    result = runner.events[-1]
    assert result["type"] == "result" and result["status"] == "cancelled" and result["checkpointPath"] == checkpoint["path"]
    assert not (tmp_path / "run" / "adapter").exists()

    changed = write_config(tmp_path / "changed.json", toy_train_config(tiny_model, train_file, tmp_path / "run", learningRate=0.01))
    with pytest.raises(InvalidConfigError, match='key "learningRate": differs from the run being resumed'):
        check_output_dir(load_train_config(str(changed)), str(changed), resume=True)

    code, events, stderr = run_runner("train", "--config", str(config), "--resume")
    assert code == 0, stderr
    resumed = [event for event in events if event["type"] == "progress" and event["phase"] == "train"]
    assert [event["step"] for event in resumed] == list(range(stopped_at + 1, 21))
    assert events[-1]["status"] == "completed" and (tmp_path / "run" / "adapter" / "adapter_model.safetensors").is_file()
    uninterrupted = losses(trained["events"])
    assert losses(runner.events) + losses(events) == pytest.approx(uninterrupted, rel=1e-3)


def test_a_finished_run_is_not_overwritten(trained, tiny_model):
    folder = trained["folder"]
    again = write_config(folder / "again.json", toy_train_config(tiny_model, folder / "train.jsonl", trained["run"]))
    with pytest.raises(InvalidConfigError, match='key "outputDir": .* already holds a run: pass --resume'):
        check_output_dir(load_train_config(str(again)), str(again), resume=False)


def test_leave_process_group_takes_down_the_group_and_does_nothing_without_one(tmp_path):
    """A gloo group left up at exit can abort the process at interpreter shutdown (see leave_process_group)."""
    from confide_runner.train import leave_process_group

    leave_process_group()  # one process: nothing to take down
    torch.distributed.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        torch.distributed.all_reduce(torch.ones(4))
        leave_process_group()
        assert not torch.distributed.is_initialized()
    finally:
        if torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()
