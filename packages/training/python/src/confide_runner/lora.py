"""The LoRA settings of the seed and the PEFT config built from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from peft import LoraConfig, TaskType


@dataclass(frozen=True)
class LoraSettings:
    """LoRA hyper-parameters; the defaults are the seed's."""

    rank: int = 8
    alpha: int = 32
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    bias: str = "none"
    # Token ids whose embedding rows train alongside the adapter (added confidence tokens).
    trainable_token_indices: tuple[int, ...] = field(default_factory=tuple)
    # Modules those rows live in: the input embedding, plus the output layer when it is not tied.
    trainable_token_modules: tuple[str, ...] = ("embed_tokens",)


def build_lora_config(settings: LoraSettings) -> LoraConfig:
    """Turn settings into a PEFT ``LoraConfig`` for a causal language model."""
    options: dict = {
        "r": settings.rank,
        "lora_alpha": settings.alpha,
        "lora_dropout": settings.dropout,
        "target_modules": list(settings.target_modules),
        "bias": settings.bias,
        "task_type": TaskType.CAUSAL_LM,
    }
    if settings.trainable_token_indices:
        options["trainable_token_indices"] = {
            module: list(settings.trainable_token_indices) for module in settings.trainable_token_modules
        }
    return LoraConfig(**options)
