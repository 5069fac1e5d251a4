"""The ``ray`` engine: its config, its blocks, its one-record-per-problem gate, the GPU variant's settings (without
vLLM), and one run on a local Ray cluster (2 CPUs, no dashboard, a small object store) with the tiny model, in which a
worker is killed mid-block: the block runs again and the records equal the plain path's."""

from __future__ import annotations

import io
import json
import math
import re

import pytest

from confide_runner.cancellation import Cancellation
from confide_runner.config import GenerateConfig, ProblemInput, RayOptions, VllmOptions, load_generate_config
from confide_runner.errors import InvalidConfigError, RunnerError
from confide_runner.generate import run_generate
from confide_runner.protocol import EventStream
from confide_runner.ray_engine import KILL_BLOCK_VARIABLE, RayEngineError, RecordGate, plan_blocks
from confide_runner import ray_vllm
from confide_runner.ray_vllm import (
    check_vllm_available,
    confidence_from_logprobs,
    vllm_processor_settings,
    vllm_record,
    vllm_request,
)

from conftest import TOY_PROMPT, start_runner, write_config


def problems(count: int) -> list[dict]:
    # Prompts of different lengths, so the longest-first order differs from the input order.
    return [{"id": f"p{index}", "problem": "What is " + "1+" * (index % 5) + f"{index}?"} for index in range(count)]


def test_ray_options_are_read_strictly(tmp_path):
    base = {"baseModel": "m", "problems": problems(1)}
    config = load_generate_config(str(write_config(tmp_path / "a.json", {**base, "ray": {"workers": 3, "vllm": {"maxModelLen": 4096}}})))
    assert config.ray == RayOptions(workers=3, vllm=VllmOptions(maxModelLen=4096))
    assert load_generate_config(str(write_config(tmp_path / "b.json", base))).ray is None
    for ray, key, problem in [
        ({"worker": 2}, "ray.worker", "unknown key"),
        ({"backend": "sglang"}, "ray.backend", "must be one of transformers, vllm"),
        ({"batchesPerBlock": 0}, "ray.batchesPerBlock", "must be greater than 0"),
        ({"address": "auto", "objectStoreMemoryMb": 100}, "ray.objectStoreMemoryMb", "only for a local cluster"),
        ({"vllm": {"gpuMemoryUtilization": 1.5}}, "ray.vllm.gpuMemoryUtilization", "must be in (0, 1]"),
    ]:
        path = write_config(tmp_path / "bad.json", {**base, "ray": ray})
        with pytest.raises(InvalidConfigError, match=re.escape(f'key "{key}": {problem}')):
            load_generate_config(str(path))


def test_blocks_are_whole_batches_of_the_plain_order():
    ordered = [ProblemInput(f"p{index}", "") for index in range(11)]
    blocks = plan_blocks(ordered, batch_size=2, batches_per_block=2)
    assert [[problem.id for problem in block.problems] for block in blocks] == [
        ["p0", "p1", "p2", "p3"], ["p4", "p5", "p6", "p7"], ["p8", "p9", "p10"],
    ]
    assert [block.index for block in blocks] == [0, 1, 2]


def test_the_gate_lets_each_problem_out_once_and_refuses_strangers():
    gate = RecordGate(["a", "b"])
    assert [gate.admit("a"), gate.admit("a"), gate.admit("b")] == [True, False, True]
    assert gate.duplicates == 1 and gate.missing() == []
    with pytest.raises(RayEngineError, match="'c', which was not asked"):
        gate.admit("c")
    assert RecordGate(["a", "b"]).missing() == ["a", "b"]


def vllm_config(adapter: str | None) -> GenerateConfig:
    return GenerateConfig(
        baseModel="Qwen/Qwen2.5-Math-1.5B-Instruct",
        problems=(ProblemInput("p0", "1+1"),),
        adapter=adapter,
        maxNewTokens=64,
        batchSize=8,
        systemPrompt="Reason.",
        userTemplate="Solve: {problem}",
        ray=RayOptions(workers=2, batchesPerBlock=4, backend="vllm", vllm=VllmOptions(tensorParallelSize=2, maxModelLen=4096, topLogprobs=7)),
    )


def test_the_gpu_variant_builds_ray_llm_settings_with_the_adapter(tmp_path):
    adapter = tmp_path / "adapter"
    assert vllm_processor_settings(vllm_config(str(adapter))) == {
        "model_source": "Qwen/Qwen2.5-Math-1.5B-Instruct",
        "engine_kwargs": {"tensor_parallel_size": 2, "max_model_len": 4096, "enable_lora": True, "max_lora_rank": 8, "max_loras": 1},
        "concurrency": 2,
        "batch_size": 32,
    }
    remote = vllm_processor_settings(vllm_config("s3://bucket/adapters/qwen-confidence/"))
    assert remote["dynamic_lora_loading_path"] == "s3://bucket/adapters"
    assert "enable_lora" not in vllm_processor_settings(vllm_config(None))["engine_kwargs"]

    request = vllm_request(vllm_config(str(adapter)), {"id": "p0", "problem": "1+1", "block": 0})
    assert request["messages"] == [{"role": "system", "content": "Reason."}, {"role": "user", "content": "Solve: 1+1"}]
    assert request["sampling_params"] == {
        "temperature": 0.0, "max_tokens": 64, "stop": ["<|c_math|>", "<|u_math|>", "<|im_end|>"],
        "include_stop_str_in_output": True, "skip_special_tokens": False, "logprobs": 7,
    }
    assert request["model"] == str(adapter.resolve())
    assert vllm_request(vllm_config("s3://bucket/adapters/qwen-confidence"), request)["model"] == "qwen-confidence"
    assert "model" not in vllm_request(vllm_config(None), {"id": "p0", "problem": "1+1", "block": 0})


def entry(token: str, logprob: float, rank: int) -> dict:
    return {"decoded_token": token, "logprob": logprob, "rank": rank}


def test_the_gpu_variant_reads_p_c_at_the_marker_and_makes_the_record():
    logprobs = [
        {1: entry(" 2", -0.1, 1), 2: entry("<|c_math|>", -3.0, 2)},
        {3: entry("<|c_math|>", math.log(0.7), 1), 4: entry("<|u_math|>", math.log(0.2), 2)},
    ]
    assert confidence_from_logprobs(logprobs) == pytest.approx({"confident": 0.7, "uncertain": 0.2})
    # No marker written: the last position; a marker outside the top-k has probability 0.
    assert confidence_from_logprobs([[entry(" 2", -0.1, 1), entry("<|u_math|>", math.log(0.4), 2)]]) == pytest.approx({"confident": 0.0, "uncertain": 0.4})
    row = {"id": "p0", "block": 3, "generated_text": "\\boxed{2} <|c_math|>", "num_input_tokens": 40, "num_generated_tokens": 9, "logprobs": logprobs}
    out = vllm_record(64, row)
    assert (out["block"], out["id"]) == (3, "p0")
    assert json.loads(out["record"]) == {
        "id": "p0", "text": "\\boxed{2} <|c_math|>", "confidenceToken": "<|c_math|>",
        "confidenceProbabilities": pytest.approx({"confident": 0.7, "uncertain": 0.2}),
        "usage": {"input": 40, "output": 9}, "finishReason": "stop", "latencyMs": 0.0,
    }
    cut = json.loads(vllm_record(9, {**row, "generated_text": "\\boxed{2", "logprobs": None})["record"])
    assert (cut["confidenceToken"], cut["finishReason"]) == (None, "length")


def test_the_gpu_variant_says_what_is_missing_on_a_machine_without_vllm(monkeypatch):
    monkeypatch.setattr(ray_vllm.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RunnerError, match='needs vLLM') as raised:
        check_vllm_available(RayOptions(backend="vllm"))
    assert raised.value.code == "MISSING_DEPENDENCY"


def generations(events: list[dict]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for event in events:
        if event["type"] == "generation":
            assert event["id"] not in found, f"{event['id']} sent twice"
            found[event["id"]] = event
    return found


def test_a_local_cluster_with_a_worker_killed_mid_block_gives_the_plain_paths_records(tiny_model, tmp_path, monkeypatch):
    # 8 problems, batches of 2, blocks of 2 batches: 2 blocks; the worker that takes block 1 dies after its first batch.
    plain = {
        "baseModel": str(tiny_model), "problems": problems(8), "confidenceTokens": "special",
        "maxNewTokens": 6, "batchSize": 2, "precision": "fp32", **TOY_PROMPT,
    }
    buffer = io.StringIO()
    run_generate(load_generate_config(str(write_config(tmp_path / "plain.json", plain))), EventStream(buffer), Cancellation())
    expected = generations([json.loads(line) for line in buffer.getvalue().splitlines()])

    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_BLOCK_VARIABLE, f"1:{marker}")
    ray = {"workers": 2, "cpusPerWorker": 1, "batchesPerBlock": 2, "maxRetries": 2, "objectStoreMemoryMb": 100}
    runner = start_runner("generate", "--config", str(write_config(tmp_path / "ray.json", {**plain, "ray": ray})))
    code = runner.finish()
    assert code == 0, runner.stderr()[-3000:]
    assert marker.is_file(), "the test fault did not fire: no worker died"
    assert runner.events[0]["device"] == "ray (transformers): 2 workers x 1 CPU on a local cluster"
    assert runner.events[-1] == {**runner.events[-1], "type": "result", "status": "completed", "count": 8}

    received = generations(runner.events)
    assert sorted(received) == sorted(expected)
    for problem_id, generation in received.items():
        want = expected[problem_id]
        for field in ("text", "confidenceToken", "usage", "finishReason"):
            assert generation[field] == want[field], (problem_id, field)
        for side in ("confident", "uncertain"):
            got, wanted = generation["confidenceProbabilities"][side], want["confidenceProbabilities"][side]
            assert math.isclose(got, wanted, rel_tol=1e-6, abs_tol=0) and abs(got - wanted) <= 1e-6, (problem_id, side)
    progress = [event["step"] for event in runner.events if event["type"] == "progress" and event["phase"] == "generate"]
    assert progress == [4, 8]
