"""The loss on labelled positions only equals the model's own loss, and its gradient the model's gradient."""

from __future__ import annotations

import pytest
import torch

from confide_runner import labelled_loss
from confide_runner.labelled_loss import IGNORE_INDEX, labelled_positions_loss


def tiny_qwen2(vocabulary: int = 97):
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=vocabulary, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True)
    return Qwen2ForCausalLM(config)


def batch(vocabulary: int = 97) -> dict:
    generator = torch.Generator().manual_seed(1)
    input_ids = torch.randint(0, vocabulary, (3, 12), generator=generator)
    labels = torch.full_like(input_ids, IGNORE_INDEX)
    labels[0, 5:12] = input_ids[0, 5:12]  # a prompt, then a labelled response
    labels[1, 9:10] = input_ids[1, 9:10]  # one labelled token, then padding
    labels[2, 3:8] = input_ids[2, 3:8]
    attention = torch.ones_like(input_ids)
    attention[1, 10:] = 0
    return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}


def gradients(model) -> list[torch.Tensor]:
    return [parameter.grad.clone() for parameter in model.parameters() if parameter.grad is not None]


@pytest.mark.parametrize("chunk", [1024, 2])
def test_equals_the_models_own_loss_and_gradient(monkeypatch, chunk):
    monkeypatch.setattr(labelled_loss, "CHUNK_POSITIONS", chunk)  # 2: several checkpointed chunks
    model = tiny_qwen2()
    inputs = batch()
    expected = model(**inputs).loss
    expected.backward()
    expected_gradients = gradients(model)
    model.zero_grad()
    actual = labelled_positions_loss(model, inputs)
    actual.backward()
    assert actual.item() == pytest.approx(expected.item(), rel=1e-5)
    for mine, theirs in zip(gradients(model), expected_gradients):
        assert torch.allclose(mine, theirs, atol=1e-6)


def test_through_peft_and_with_a_token_count():
    from peft import get_peft_model

    from confide_runner.lora import LoraSettings, build_lora_config

    model = get_peft_model(tiny_qwen2(), build_lora_config(LoraSettings(dropout=0.0)))
    inputs = batch()
    labelled = int((inputs["labels"][:, 1:] != IGNORE_INDEX).sum())
    expected = model(**inputs).loss.item()
    # summed over the labelled tokens and divided by a count over several batches (gradient accumulation)
    actual = labelled_positions_loss(model, inputs, num_items_in_batch=torch.tensor(2 * labelled)).item()
    assert actual == pytest.approx(expected / 2, rel=1e-5)


def test_a_model_without_a_decoder_is_named():
    with pytest.raises(TypeError, match="Linear is not a causal LM"):
        labelled_positions_loss(torch.nn.Linear(2, 2), batch())
