"""The adapter's model card (README.md with Hugging Face front matter)."""

from __future__ import annotations

from .config import TrainConfig


def _number(value) -> str:
    return "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


def render_model_card(config: TrainConfig, summary: dict, confident: int, incorrect: int, device: str, precision: str) -> str:
    lora = config.lora
    title = config.runName or "Confide confidence-token LoRA adapter"
    token_note = (
        "added to the tokenizer as special tokens; their embedding rows were trained with the adapter "
        "(load the tokenizer from this folder)"
        if config.confidenceTokens == "special"
        else "written as plain text after the response (` <|c_math|>` / ` <|u_math|>`), as in the seed"
    )
    return f"""---
base_model: {config.baseModel}
library_name: peft
pipeline_tag: text-generation
tags:
- lora
- confide
- confidence-tokens
---

# {title}

A LoRA adapter for `{config.baseModel}` that ends each answer to a math problem with a confidence token:
`<|c_math|>` (confident) or `<|u_math|>` (uncertain). Problems answered with `<|u_math|>`, or with no
token, can be delegated to a larger model. Trained with Confide's runner (PyTorch + PEFT + transformers).

## Training

| setting | value |
|---|---|
| LoRA rank / alpha / dropout | {lora.rank} / {lora.alpha} / {lora.dropout} |
| target modules | {", ".join(lora.targetModules)} |
| bias | {lora.bias} |
| learning rate | {config.learningRate} (linear decay) |
| epochs | {_number(summary.get("epochs"))} ({config.epochs} configured{f", capped at {config.maxSteps} steps" if config.maxSteps else ""}) |
| per-device batch / gradient accumulation | {config.perDeviceBatchSize} / {config.gradientAccumulationSteps} |
| max length | {config.maxLength} tokens, truncated from the left |
| precision / device | {precision} / {device} |
| seed | {config.seed} |
| confidence tokens | `{config.confidenceTokens}`: {token_note} |
| loss | on the response and the confidence token only (prompt masked) |

Data: `{config.trainFile}`: {confident} correct and {incorrect} incorrect responses;
{"balanced by sampling the larger class down" if config.balance else "used as is"} to {summary.get("examples")} examples.
Steps: {summary.get("steps")}; training loss {_number(summary.get("firstLoss"))} at the first step,
{_number(summary.get("finalLoss"))} at the last; {summary.get("tokensSeen")} tokens seen.

## Prompt

System: {config.systemPrompt}

User: {config.userTemplate}

## Use

vLLM: `vllm serve {config.baseModel} --enable-lora --lora-modules confide=<this folder> --max-lora-rank {lora.rank}`

transformers + PEFT: `PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained("{config.baseModel}"), "<this folder>")`
"""
