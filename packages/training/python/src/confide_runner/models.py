"""Loading the base model and tokenizer; choosing device and precision."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from .errors import NotFoundError


@dataclass(frozen=True)
class Placement:
    device: str  # "cuda" or "cpu"
    precision: str  # "bf16", "fp16" or "fp32"
    description: str

    @property
    def dtype(self) -> torch.dtype:
        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[self.precision]


def choose_placement(precision: str) -> Placement:
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        name = torch.cuda.get_device_name(0)
        if precision == "auto":
            precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        return Placement("cuda", precision, f"cuda ({count} x {name})")
    if precision == "auto":
        precision = "fp32"
    return Placement("cpu", precision, f"cpu ({torch.get_num_threads()} threads)")


def _check_source(source: str, what: str) -> None:
    """A path that looks local must exist; anything else is treated as a hub id."""
    looks_local = source.startswith((".", "/", "~")) or Path(source).exists()
    if looks_local and not Path(source).expanduser().exists():
        raise NotFoundError(f"{what} not found: {source}")


def load_tokenizer(source: str, padding_side: str):
    from transformers import AutoTokenizer

    _check_source(source, "tokenizer")
    tokenizer = AutoTokenizer.from_pretrained(source)
    tokenizer.padding_side = padding_side
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_base_model(source: str, dtype: torch.dtype):
    from transformers import AutoModelForCausalLM

    _check_source(source, "base model")
    return AutoModelForCausalLM.from_pretrained(source, dtype=dtype)
