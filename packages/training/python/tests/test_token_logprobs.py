"""``logprobs: k``: each output token's top-k logprobs from generation, against a direct torch computation (greedy
decoding by plain forward passes over one unpadded sequence, log-softmax, top-k) on the tiny model."""

from __future__ import annotations

import json

import pytest
import torch

from confide_runner.config import GenerateConfig, ProblemInput, load_generate_config
from confide_runner.errors import InvalidConfigError
from confide_runner.generate import Generator
from confide_runner.models import choose_placement
from confide_runner.prompts import render_prompt

from conftest import TOY_PROMPT, run_runner, write_config

# prompts of different lengths, so the batch is left-padded
PROBLEMS = (ProblemInput("short", "1+1"), ProblemInput("long", "what is 12 times 13, plus four?"), ProblemInput("mid", "2+2=?"))
K = 4
NEW_TOKENS = 6


@pytest.fixture(scope="module")
def generated(tiny_model):
    config = GenerateConfig(baseModel=str(tiny_model), problems=PROBLEMS, maxNewTokens=NEW_TOKENS, batchSize=3, logprobs=K, **TOY_PROMPT)
    generator = Generator(config, choose_placement("fp32"))
    return generator, {record["id"]: record for record in generator.generate(list(PROBLEMS))}


def direct_top_logprobs(generator, problem: ProblemInput, steps: int) -> tuple[list[list[float]], list[int]]:
    """Greedy decoding one token at a time on the unpadded prompt: each step's top-k log-softmax and the chosen token."""
    tokenizer = generator.tokenizer
    ids = tokenizer.encode(render_prompt(tokenizer, problem.problem, TOY_PROMPT["systemPrompt"], TOY_PROMPT["userTemplate"]), add_special_tokens=False)
    rows, chosen = [], []
    with torch.no_grad():
        for _ in range(steps):
            logits = generator.model(input_ids=torch.tensor([ids])).logits[0, -1].float()
            log_softmax = torch.log_softmax(logits, dim=-1)
            rows.append(log_softmax.topk(K).values.tolist())
            token = int(log_softmax.argmax())
            chosen.append(token)
            ids.append(token)
    return rows, chosen


def test_each_output_token_has_its_top_k_logprobs_as_a_direct_computation_gives_them(generated):
    generator, records = generated
    for problem in PROBLEMS:
        record = records[problem.id]
        rows = record["topLogprobs"]
        assert len(rows) == record["usage"]["output"] > 0
        assert all(len(row) == K and row == sorted(row, reverse=True) and row[0] <= 0 for row in rows)
        expected, chosen = direct_top_logprobs(generator, problem, len(rows))
        assert [value for row in rows for value in row] == pytest.approx([value for row in expected for value in row], abs=1e-4)
        # the same tokens were generated: the recorded rows belong to the answer's tokens
        if record["finishReason"] == "length":
            assert record["text"] == generator.tokenizer.decode(chosen, skip_special_tokens=False)


def test_without_logprobs_no_rows_are_reported(tiny_model):
    config = GenerateConfig(baseModel=str(tiny_model), problems=PROBLEMS[:1], maxNewTokens=2, batchSize=1, **TOY_PROMPT)
    record = Generator(config, choose_placement("fp32")).generate(list(PROBLEMS[:1]))[0]
    assert "topLogprobs" not in record


def test_the_runner_reports_them_in_its_generation_events(tiny_model, tmp_path):
    problems = [{"id": problem.id, "problem": problem.problem} for problem in PROBLEMS]
    config = write_config(tmp_path / "generate.json", {"baseModel": str(tiny_model), "problems": problems, "maxNewTokens": 3, "batchSize": 2, "logprobs": 2, **TOY_PROMPT})
    code, events, stderr = run_runner("generate", "--config", str(config))
    assert code == 0, stderr
    generations = [event for event in events if event["type"] == "generation"]
    assert len(generations) == 3
    for event in generations:
        assert len(event["topLogprobs"]) == event["usage"]["output"] and all(len(row) == 2 for row in event["topLogprobs"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"logprobs": 0}, 'key "logprobs": must be between 1 and 20'),
        ({"logprobs": 21}, 'key "logprobs": must be between 1 and 20'),
        ({"logprobs": 5, "ray": {"backend": "vllm", "gpusPerWorker": 1}}, "vllm backend does not record token logprobs"),
    ],
)
def test_a_bad_logprobs_setting_names_the_key(tmp_path, change, message):
    path = tmp_path / "generate.json"
    path.write_text(json.dumps({"baseModel": "m", "problems": [{"id": "a", "problem": "1"}], **change}), encoding="utf-8")
    with pytest.raises(InvalidConfigError, match=message):
        load_generate_config(str(path))
