"""SFT rows: validation with file/line/field, the seed's balancing, and the loss mask."""

from __future__ import annotations

import pytest

from confide_runner.confidence import CONFIDENT_TOKEN, UNCERTAIN_TOKEN, add_confidence_tokens, markers_for
from confide_runner.data import IGNORE_INDEX, SftRow, balance_rows, load_sft_rows, tokenize_row
from confide_runner.errors import InvalidInputError

from conftest import write_jsonl


@pytest.mark.parametrize(
    ("line", "field", "problem"),
    [
        ('{"problem": "p", "response": "r"}', "correct", "is missing"),
        ('{"problem": "p", "response": 3, "correct": true}', "response", "must be a str"),
        ('{"problem": "p", "response": "r", "correct": "True"}', "correct", "must be a bool"),
        ('{"problem": "p", "response": "r", "correct": true', None, "not valid JSON"),
        ('{"id": "a", "problem": "p", "response": "r", "correct": true}', "id", "duplicate id"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path, line, field, problem):
    path = tmp_path / "train.jsonl"
    path.write_text('{"id": "a", "problem": "p", "response": "r", "correct": false}\n' + line + "\n")
    with pytest.raises(InvalidInputError) as error:
        load_sft_rows(str(path))
    assert (error.value.file, error.value.line, error.value.field) == (str(path), 2, field)
    assert problem in str(error.value)


def test_balancing_samples_the_larger_class_down_with_a_fixed_seed(tmp_path):
    rows = [SftRow(f"r{index}", "p", "r", index % 4 != 0) for index in range(40)]  # 30 correct, 10 incorrect
    balanced = balance_rows(rows, seed=42, file="train.jsonl")
    assert sum(row.correct for row in balanced) == 10 and sum(not row.correct for row in balanced) == 10
    assert {row.id for row in balanced if not row.correct} == {row.id for row in rows if not row.correct}
    assert [row.id for row in balance_rows(rows, 42, "train.jsonl")] == [row.id for row in balanced]
    assert [row.id for row in balance_rows(rows, 7, "train.jsonl")] != [row.id for row in balanced]


def test_balancing_needs_both_classes():
    with pytest.raises(InvalidInputError, match="needs both correct and incorrect"):
        balance_rows([SftRow("a", "p", "r", True)], seed=1, file="train.jsonl")


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


@pytest.mark.parametrize("mode", ["text", "special"])
@pytest.mark.parametrize(("correct", "token"), [(True, CONFIDENT_TOKEN), (False, UNCERTAIN_TOKEN)])
def test_loss_covers_the_response_and_the_marker_only(tokenizer, mode, correct, token):
    if mode == "special":
        add_confidence_tokens(tokenizer)
    markers = markers_for(tokenizer, mode)
    row = SftRow("a", "What is 1+1?", "It is \\boxed{2}.\n", correct)
    example = tokenize_row(row, tokenizer, markers, 512, "System.", "Problem: {problem}")
    trained = [label for label in example["labels"] if label != IGNORE_INDEX]
    masked = example["labels"].index(trained[0])
    assert all(label == IGNORE_INDEX for label in example["labels"][:masked])
    assert tokenizer.decode(example["input_ids"][:masked]).endswith("<|im_start|>assistant\n")
    assert tokenizer.decode(trained, skip_special_tokens=False) == "It is \\boxed{2}." + (" " if mode == "text" else "") + token
    assert tuple(trained[-len(markers.ids[token]) :]) == markers.ids[token]


def test_text_markers_share_a_prefix_and_special_markers_are_single_tokens(tokenizer):
    text = markers_for(tokenizer, "text")
    assert len(text.ids[CONFIDENT_TOKEN]) > 1 and text.ids[CONFIDENT_TOKEN] != text.ids[UNCERTAIN_TOKEN]
    add_confidence_tokens(tokenizer)
    special = markers_for(tokenizer, "special")
    assert all(len(ids) == 1 for ids in special.ids.values())
    assert special.added_token_ids == (special.ids[CONFIDENT_TOKEN][0], special.ids[UNCERTAIN_TOKEN][0])


def test_left_truncation_keeps_the_end_with_the_marker(tokenizer):
    markers = markers_for(tokenizer, "text")
    row = SftRow("a", "What is 1+1? " * 50, "word " * 40 + "\\boxed{2}", True)
    example = tokenize_row(row, tokenizer, markers, 32, "System.", "{problem}")
    assert len(example["input_ids"]) == 32 == len(example["labels"])
    assert tuple(example["input_ids"][-len(markers.ids[CONFIDENT_TOKEN]) :]) == markers.ids[CONFIDENT_TOKEN]
    assert all(label != IGNORE_INDEX for label in example["labels"])  # the whole prompt was cut away
