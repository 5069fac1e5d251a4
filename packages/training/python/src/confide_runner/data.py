"""The SFT data (no torch at import: the CLI checks the file before loading heavy libraries): JSON lines of ``{"problem", "response", "correct"}`` (optional ``id``; other keys are
ignored), balanced like the seed and tokenized with the loss on the response and the confidence marker."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from .confidence import ConfidenceMarkers
from .errors import InvalidInputError
from .prompts import render_prompt

IGNORE_INDEX = -100


@dataclass(frozen=True)
class SftRow:
    id: str
    problem: str
    response: str
    correct: bool


def load_sft_rows(path: str) -> list[SftRow]:
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(path, None, None, "file not found")
    rows: list[SftRow] = []
    seen: set[str] = set()
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise InvalidInputError(path, number, None, f"not valid JSON ({error.msg})") from None
            if not isinstance(value, dict):
                raise InvalidInputError(path, number, None, "must be a JSON object")
            for field, kind in (("problem", str), ("response", str), ("correct", bool)):
                if field not in value:
                    raise InvalidInputError(path, number, field, "is missing")
                if not isinstance(value[field], kind):
                    raise InvalidInputError(path, number, field, f"must be a {kind.__name__}")
            row_id = value.get("id", f"line-{number}")
            if not isinstance(row_id, str) or not row_id:
                raise InvalidInputError(path, number, "id", "must be a non-empty string")
            if row_id in seen:
                raise InvalidInputError(path, number, "id", f"duplicate id {row_id!r}")
            seen.add(row_id)
            rows.append(SftRow(row_id, value["problem"], value["response"], value["correct"]))
    if not rows:
        raise InvalidInputError(path, None, None, "has no rows")
    return rows


def balance_rows(rows: list[SftRow], seed: int, file: str) -> list[SftRow]:
    """Equal numbers of correct and incorrect rows: the larger class is sampled down (fixed seed)."""
    correct = [row for row in rows if row.correct]
    incorrect = [row for row in rows if not row.correct]
    if not correct or not incorrect:
        raise InvalidInputError(file, None, "correct", "balancing needs both correct and incorrect rows")
    size = min(len(correct), len(incorrect))
    generator = random.Random(seed)
    chosen = generator.sample(correct, size) + generator.sample(incorrect, size)
    generator.shuffle(chosen)
    return chosen


def tokenize_row(
    row: SftRow,
    tokenizer,
    markers: ConfidenceMarkers,
    max_length: int,
    system_prompt: str,
    user_template: str,
) -> dict[str, list[int]]:
    """Prompt ids (masked out of the loss) + response ids + the marker ids; cut from the left to fit."""
    prompt = render_prompt(tokenizer, row.problem, system_prompt, user_template)
    prompt_ids = tokenizer.encode(prompt, add_special_tokens=False)
    response_ids = tokenizer.encode(row.response.rstrip(), add_special_tokens=False)
    completion_ids = response_ids + list(markers.suffix_ids(row.correct))
    input_ids = prompt_ids + completion_ids
    labels = [IGNORE_INDEX] * len(prompt_ids) + completion_ids
    if len(input_ids) > max_length:
        input_ids = input_ids[-max_length:]
        labels = labels[-max_length:]
    return {"input_ids": input_ids, "labels": labels}


class SftDataset:
    """A map-style dataset (all the Trainer's sampler needs: ``len`` and indexing)."""

    def __init__(self, examples: list[dict[str, list[int]]]):
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        return self.examples[index]


class PaddingCollator:
    """Pads a batch on the right; padded positions are masked and carry no loss."""

    def __init__(self, pad_token_id: int):
        self.pad_token_id = pad_token_id

    def __call__(self, batch: list[dict[str, list[int]]]) -> dict:
        import torch

        width = max(len(example["input_ids"]) for example in batch)
        input_ids, labels, attention = [], [], []
        for example in batch:
            padding = width - len(example["input_ids"])
            input_ids.append(example["input_ids"] + [self.pad_token_id] * padding)
            labels.append(example["labels"] + [IGNORE_INDEX] * padding)
            attention.append([1] * len(example["input_ids"]) + [0] * padding)
        return {
            "input_ids": torch.tensor(input_ids, dtype=torch.long),
            "labels": torch.tensor(labels, dtype=torch.long),
            "attention_mask": torch.tensor(attention, dtype=torch.long),
        }
