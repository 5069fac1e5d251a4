"""tools/gpu-check.sh: its CPU mode runs the same code as on a GPU (so the script cannot rot unnoticed), and the
architecture it builds on a GPU is Qwen2.5-Math-1.5B's."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
import torch

from conftest import ROOT

spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "tools" / "bench" / "gpu-check" / "gpu_check.py")
gpu_check = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = gpu_check  # dataclasses look their module up here
spec.loader.exec_module(gpu_check)


def test_the_full_config_is_qwen25_math_15b():
    config = gpu_check.FULL_CONFIG
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"], config["num_key_value_heads"]) == (1536, 28, 12, 2)
    assert (config["intermediate_size"], config["vocab_size"], config["max_position_embeddings"]) == (8960, 151936, 4096)
    assert config["rope_theta"] == 10000.0 and config["tie_word_embeddings"] is True
    assert gpu_check.count_parameters(config) == gpu_check.FULL_PARAMETERS == 1_543_714_304
    from transformers import Qwen2Config

    built = Qwen2Config(**config)  # transformers 5 keeps the theta in rope_parameters
    assert (getattr(built, "rope_parameters", None) or {}).get("rope_theta", getattr(built, "rope_theta", None)) == 10000.0
    assert built.max_position_embeddings == 4096 and built.tie_word_embeddings is True


def test_quick_mode_trains_generates_and_prints_the_table(tmp_path):
    output = tmp_path / "gpu-check.json"
    environment = {**os.environ, "CONFIDE_PYTHON": sys.executable, "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(
        ["bash", str(ROOT / "tools" / "gpu-check.sh"), "--quick", "--json", str(output)],
        capture_output=True, text=True, env=environment, timeout=240,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("GPU check: tiny Qwen2 (--quick)")
    assert "| part | setting | tokens/s | time | peak GiB |" in lines
    table = [line for line in lines if line.startswith("| train |") or line.startswith("| generate |")]
    assert [line.split(" | ")[0] for line in table] == ["| train", "| train", "| generate", "| generate"]
    assert "fp32 weights + bf16 autocast (confide train's precision)" in table[0] and "bf16 weights + bf16 autocast" in table[1]
    assert "batch 1, 16-token prompts, 8 new tokens each" in table[2] and "batch 2," in table[3]

    result = json.loads(output.read_text())
    rows = result["rows"]
    assert [row["part"] for row in rows] == ["train", "train", "generate", "generate"]
    assert all(row["tokensPerSecond"] > 0 for row in rows)
    assert all(row["secondsPerStep"] > 0 and row["paddingShare"] < 1 for row in rows[:2])
    assert [row["batchSize"] for row in rows[2:]] == [1, 2]
    assert result["environment"]["sizes"]["new_tokens"] == 8
    assert result["environment"]["parameters"] == gpu_check.count_parameters(gpu_check.QUICK_CONFIG)


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU machine the full check is what runs")
def test_without_a_gpu_the_full_check_refuses_and_points_to_quick():
    completed = subprocess.run(
        ["bash", str(ROOT / "tools" / "gpu-check.sh")],
        capture_output=True, text=True, env={**os.environ, "CONFIDE_PYTHON": sys.executable}, timeout=120,
    )
    assert completed.returncode == 2
    assert "no GPU here" in completed.stderr and "--quick" in completed.stderr
