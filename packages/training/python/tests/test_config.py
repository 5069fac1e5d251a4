"""Configs are strict: defaults are the seed's, and every mistake names the file and the key."""

from __future__ import annotations

import pytest

from confide_runner.config import load_generate_config, load_train_config
from confide_runner.errors import InvalidConfigError
from confide_runner.prompts import SEED_SYSTEM_PROMPT, SEED_USER_TEMPLATE, render_prompt

from conftest import write_config

MINIMAL_TRAIN = {"baseModel": "Qwen/Qwen2.5-Math-1.5B-Instruct", "trainFile": "train.jsonl", "outputDir": "out"}


def test_train_defaults_are_the_seeds(tmp_path):
    config = load_train_config(str(write_config(tmp_path / "train.json", MINIMAL_TRAIN)))
    assert (config.lora.rank, config.lora.alpha, config.lora.dropout) == (8, 32, 0.05)
    assert config.lora.targetModules == ("q_proj", "v_proj") and config.lora.bias == "none"
    assert config.learningRate == 5e-5 and config.epochs == 5
    assert (config.perDeviceBatchSize, config.gradientAccumulationSteps, config.maxLength) == (5, 4, 512)
    assert config.balance is True and config.confidenceTokens == "text"
    assert config.systemPrompt == SEED_SYSTEM_PROMPT and config.userTemplate == SEED_USER_TEMPLATE


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        ({"outputDir": None}, "outputDir", "must not be null"),
        ({"learningRat": 1e-4}, "learningRat", "unknown key"),
        ({"lora": {"rank": 8, "alfa": 32}}, "lora.alfa", "unknown key"),
        ({"epochs": "5"}, "epochs", "must be a non-negative number"),
        ({"perDeviceBatchSize": 2.5}, "perDeviceBatchSize", "must be a non-negative integer"),
        ({"perDeviceBatchSize": 0}, "perDeviceBatchSize", "must be greater than 0"),
        ({"confidenceTokens": "both"}, "confidenceTokens", "must be one of text, special"),
        ({"balance": "yes"}, "balance", "must be true or false"),
        ({"lora": {"targetModules": []}}, "lora.targetModules", "non-empty list"),
        ({"userTemplate": "no placeholder"}, "userTemplate", "must contain {problem}"),
    ],
)
def test_train_config_errors_name_the_key(tmp_path, change, key, problem):
    config = {**MINIMAL_TRAIN, **change}
    if change.get("outputDir", "") is None:
        del config["outputDir"]
        problem = "is required"
    path = write_config(tmp_path / "train.json", config)
    with pytest.raises(InvalidConfigError) as error:
        load_train_config(str(path))
    assert str(error.value).startswith(f'{path}, key "{key}"')
    assert problem in str(error.value)


def test_generate_config_rejects_duplicate_problem_ids(tmp_path):
    path = write_config(
        tmp_path / "generate.json",
        {"baseModel": "m", "problems": [{"id": "a", "problem": "1+1"}, {"id": "a", "problem": "2+2"}]},
    )
    with pytest.raises(InvalidConfigError, match=r'key "problems\[1\]\.id": duplicate id'):
        load_generate_config(str(path))


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "train.json"
    path.write_text('{"baseModel": "m",\n "trainFile": }')
    with pytest.raises(InvalidConfigError, match="not valid JSON \\(line 2"):
        load_train_config(str(path))


def test_seed_prompt_through_the_chat_template(tiny_model):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    prompt = render_prompt(tokenizer, "What is $1+1$?", SEED_SYSTEM_PROMPT, SEED_USER_TEMPLATE)
    assert prompt == (
        "<|im_start|>system\nYou are helpful assistant for mathematical problems. Please reason step by step, "
        "and put your final answer within \\boxed{}.<|im_end|>\n"
        "<|im_start|>user\nSolve this math problem step by step. Put your final answer in \\boxed{}.\n\n"
        "Problem: What is $1+1$?<|im_end|>\n<|im_start|>assistant\n"
    )
