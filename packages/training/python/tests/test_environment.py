"""The pinned environment imports and builds the seed's LoRA config on a real (tiny) model."""

from __future__ import annotations

from pathlib import Path

import peft
import ray
import torch
import transformers

from confide_runner.lora import LoraSettings, build_lora_config

REQUIREMENTS = Path(__file__).resolve().parents[4] / "tools" / "python" / "requirements.txt"


def pinned_versions() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip()] = version.strip()
    return pins


def test_installed_versions_match_the_pins():
    pins = pinned_versions()
    assert transformers.__version__ == pins["transformers"]
    assert peft.__version__ == pins["peft"]
    assert torch.__version__.split("+")[0] == "2.13.0"
    assert ray.__version__ == pins["ray[data]"]


def test_seed_lora_config():
    config = build_lora_config(LoraSettings())
    assert config.r == 8
    assert config.lora_alpha == 32
    assert config.lora_dropout == 0.05
    assert set(config.target_modules) == {"q_proj", "v_proj"}
    assert config.bias == "none"
    assert config.task_type == peft.TaskType.CAUSAL_LM


def test_seed_lora_config_wraps_a_qwen2_model_and_trains_only_adapter_and_token_rows():
    torch.manual_seed(0)
    model_config = transformers.Qwen2Config(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )
    model = transformers.Qwen2ForCausalLM(model_config)
    wrapped = peft.get_peft_model(model, build_lora_config(LoraSettings(trainable_token_indices=(60, 61))))
    trainable = [name for name, parameter in wrapped.named_parameters() if parameter.requires_grad]
    assert trainable, "no trainable parameters"
    assert all("lora_" in name or "token_adapter" in name for name in trainable), trainable
    assert any("q_proj" in name for name in trainable) and any("v_proj" in name for name in trainable)
    assert not any("k_proj" in name or "o_proj" in name for name in trainable)
    input_ids = torch.tensor([[1, 2, 3, 60, 61]])
    loss = wrapped(input_ids=input_ids, labels=input_ids).loss
    loss.backward()
    assert torch.isfinite(loss)
