"""The learning check's base model: a small Qwen2-architecture model trained from random weights on the arithmetic
task (plain PyTorch, full fine-tuning, a fixed number of steps), answering in the seed's format: ``\\boxed{N}`` and the
end of the turn. Saved as a Hugging Face model folder with its tokenizer, so the runner loads it like any base model.

A share of each batch (``echo_share``) is an echo task: ``echo <text>`` answered with the text, random strings over
the whole vocabulary (the confidence markers and the space included, anywhere in the string). It stands in for what
pretraining gives a real model: every token has a trained embedding and can be written. Without it the space and the
two markers, which the arithmetic never uses, keep near-random embedding rows that pretraining pushes away from every
hidden state, and LoRA on q/v alone cannot make the model write them with any confidence (their probability stayed
near 0.04 after 300 steps). The echo strings say nothing about right or wrong answers: which marker follows an answer
is learned only in the LoRA step."""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ..confidence import CONFIDENCE_TOKENS
from ..prompts import render_prompt
from .task import Problem

IGNORE_INDEX = -100


@dataclass(frozen=True)
class BaseModelSettings:
    hidden_size: int
    intermediate_size: int
    layers: int
    heads: int
    key_value_heads: int
    steps: int
    batch_size: int
    learning_rate: float
    warmup_steps: int
    echo_share: float


def answer_text(problem: Problem) -> str:
    """What a right answer looks like: the seed's boxed final answer, nothing else."""
    return "\\boxed{" + problem.answer + "}"


ECHO_CHARACTERS = "0123456789+*={}abcdefghijklmnopqrstuvwxyz?"
# The markers as text mode writes them: a space, then the marker.
ECHO_MARKERS = tuple(" " + token for token in CONFIDENCE_TOKENS)


def echo_text(generator: random.Random) -> str:
    """A random string of 1-8 units: a character, or (one time in five) a marker as text mode writes it."""
    units = [
        generator.choice(ECHO_MARKERS) if generator.random() < 0.2 else generator.choice(ECHO_CHARACTERS)
        for _ in range(generator.randint(1, 8))
    ]
    return "".join(units)


def _echo_example(tokenizer, text: str, system_prompt: str, user_template: str) -> tuple[list[int], list[int]]:
    prompt = tokenizer.encode(render_prompt(tokenizer, "echo " + text, system_prompt, user_template), add_special_tokens=False)
    answer = tokenizer.encode(text, add_special_tokens=False) + [tokenizer.eos_token_id]
    return prompt + answer, [IGNORE_INDEX] * len(prompt) + answer


def _example(tokenizer, problem: Problem, system_prompt: str, user_template: str) -> tuple[list[int], list[int]]:
    prompt = tokenizer.encode(render_prompt(tokenizer, problem.text, system_prompt, user_template), add_special_tokens=False)
    answer = tokenizer.encode(answer_text(problem), add_special_tokens=False) + [tokenizer.eos_token_id]
    return prompt + answer, [IGNORE_INDEX] * len(prompt) + answer


def train_base_model(
    tokenizer,
    problems: list[Problem],
    settings: BaseModelSettings,
    seed: int,
    multiplication_share: float,
    out_dir: Path,
    system_prompt: str,
    user_template: str,
    log=print,
) -> dict:
    """Train from random weights (seeded) on ``problems`` and save to out_dir. Returns what the summary records."""
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    generator = random.Random(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=settings.hidden_size,
        intermediate_size=settings.intermediate_size,
        num_hidden_layers=settings.layers,
        num_attention_heads=settings.heads,
        num_key_value_heads=settings.key_value_heads,
        max_position_embeddings=256,
        rope_theta=10000.0,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2ForCausalLM(config)
    model.train()
    # Batches mix the two kinds in the share the step-1 and held-out sets have (the pretraining pool itself is
    # mostly multiplications: every problem not set aside).
    by_kind = {kind: [_example(tokenizer, problem, system_prompt, user_template) for problem in problems if problem.kind == kind]
               for kind in ("add", "mul")}
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, weight_decay=0.0)

    def rate(step: int) -> float:  # linear warm-up, then cosine down to a tenth
        if step < settings.warmup_steps:
            return (step + 1) / settings.warmup_steps
        progress = (step - settings.warmup_steps) / max(1, settings.steps - settings.warmup_steps)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    started = time.monotonic()
    losses: list[float] = []
    for step in range(settings.steps):
        batch = []
        for _ in range(settings.batch_size):
            if generator.random() < settings.echo_share:
                batch.append(_echo_example(tokenizer, echo_text(generator), system_prompt, user_template))
            else:
                batch.append(generator.choice(by_kind["mul" if generator.random() < multiplication_share else "add"]))
        width = max(len(ids) for ids, _ in batch)
        input_ids = torch.full((len(batch), width), tokenizer.pad_token_id, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, (ids, targets) in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            labels[row, : len(ids)] = torch.tensor(targets)
            attention[row, : len(ids)] = 1
        loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if (step + 1) % max(1, settings.steps // 10) == 0:
            recent = losses[-50:]
            log(f"base model: step {step + 1}/{settings.steps}, loss {sum(recent) / len(recent):.4f}, {time.monotonic() - started:.0f}s")
    model.eval()
    model.generation_config = GenerationConfig(
        eos_token_id=[tokenizer.eos_token_id, tokenizer.pad_token_id], pad_token_id=tokenizer.pad_token_id
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    parameters = sum(parameter.numel() for parameter in model.parameters())
    summary = {
        "architecture": "Qwen2ForCausalLM",
        "parameters": parameters,
        "config": {key: getattr(config, key) for key in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads")},
        "steps": settings.steps,
        "batchSize": settings.batch_size,
        "learningRate": settings.learning_rate,
        "echoShare": settings.echo_share,
        "firstLoss": losses[0],
        "finalLoss": sum(losses[-50:]) / len(losses[-50:]),
        "seconds": round(time.monotonic() - started, 1),
    }
    (out_dir / "learning-check-base-model.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
