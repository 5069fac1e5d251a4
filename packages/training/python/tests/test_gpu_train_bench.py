"""The GPU training benchmark's batches (tools/bench/gpu-train): what it feeds the model is what it claims."""

from __future__ import annotations

import importlib.util
import sys

import pytest
import torch

from conftest import ROOT

spec = importlib.util.spec_from_file_location("bench_lora_train", ROOT / "tools" / "bench" / "gpu-train" / "bench_lora_train.py")
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench  # dataclasses look their module up here
spec.loader.exec_module(bench)


def test_seed_lengths_are_cut_to_max_length_from_the_left():
    examples = bench.load_lengths(512)
    assert len(examples) == 7500
    assert max(prompt + completion for prompt, completion in examples) == 512
    assert all(completion > 0 for _, completion in examples)


@pytest.mark.parametrize("name", ["seed", "micro20", "grouped"])
def test_padded_batches_mask_padding_and_prompt(name):
    variant = bench.VARIANTS[name]
    examples = bench.load_lengths(128)
    for input_ids, labels, mask, positions, real, count in bench.micro_batches(variant, examples, 128, 1000, 3, seed=1):
        assert positions is None and count == variant.micro_batch == input_ids.shape[0]
        assert int(mask.sum()) == real
        assert bool((labels[mask == 0] == -100).all())
        assert labels.shape == input_ids.shape and input_ids.shape[1] <= 128


def test_grouping_reduces_padding():
    examples = bench.load_lengths(512)

    def padding(name: str) -> float:
        batches = list(bench.micro_batches(bench.VARIANTS[name], examples, 512, 1000, 40, seed=1))
        return 1 - sum(batch[4] for batch in batches) / sum(batch[0].numel() for batch in batches)

    assert padding("grouped") < padding("seed") / 2


def test_packed_rows_hold_whole_examples_with_restarting_positions():
    variant = bench.VARIANTS["packed4"]
    examples = bench.load_lengths(128)
    for input_ids, labels, mask, positions, real, count in bench.micro_batches(variant, examples, 128, 1000, 3, seed=1):
        assert mask is None and input_ids.shape == (4, 128)
        starts = int((positions == 0).sum())
        assert count <= starts <= count + 4  # one start per example, plus one per padded tail
        assert real <= input_ids.numel()


def test_packed_examples_do_not_attend_to_each_other(tiny_model):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model, attn_implementation="sdpa").train()
    model.config.attention_dropout = 0.0
    generator = torch.Generator().manual_seed(0)
    first, second = torch.randint(0, 150000, (1, 7), generator=generator), torch.randint(0, 150000, (1, 5), generator=generator)
    with torch.no_grad():
        alone = model(input_ids=second, use_cache=False).logits
        packed = model(
            input_ids=torch.cat([first, second], dim=1),
            position_ids=torch.tensor([list(range(7)) + list(range(5))]),
            use_cache=False,
        ).logits[:, 7:]
    assert torch.allclose(alone, packed, atol=1e-4)
