"""A reduced learning check (issue 27, item 3): the seed's method, end to end on CPU with one thread and fixed
steps, must teach the model's confidence token something: the AUROC of P(<|c_math|>) against correctness on held-out
problems must clear 0.5 by MARGIN.

MARGIN is provisional: it was set at 0.1 without the repeated-seed runs the issue asks for (see
reports/learning-check/report.md and the session note); the full check on seed 0 reached the AUROC in that report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from confide_runner.learning_check.run import load_config, run_learning_check

ROOT = Path(__file__).resolve().parents[4]
MARGIN = 0.1


@pytest.fixture(scope="module")
def reduced_check(tmp_path_factory):
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("learning-check")
    settings = json.loads((ROOT / "experiments" / "learning-check" / "experiment.json").read_text())
    settings |= {"threads": 1, "step1Problems": 256, "heldOutProblems": 200, "bootstrapResamples": 200}
    settings["baseModel"] |= {"steps": 400}
    settings["train"] |= {"maxSteps": 60}
    (folder / "experiment.json").write_text(json.dumps(settings))
    return run_learning_check(load_config(folder / "experiment.json"), ROOT, folder / "run", log=lambda message: None)


def test_the_confidence_token_learns_to_rank_right_answers_first(reduced_check):
    auroc = reduced_check["heldOut"]["auroc"]["value"]
    assert auroc is not None, "held-out answers were all right or all wrong"
    assert auroc > 0.5 + MARGIN, f"AUROC {auroc:.3f} is not above chance by {MARGIN}"


def test_the_model_writes_confidence_tokens(reduced_check):
    held = reduced_check["heldOut"]
    assert held["noTokenRate"]["value"] < 0.5, "most held-out answers carry no confidence token"


def test_a_config_with_an_unknown_key_is_named(tmp_path):
    settings = json.loads((ROOT / "experiments" / "learning-check" / "experiment.json").read_text())
    settings["stepz"] = 1
    (tmp_path / "experiment.json").write_text(json.dumps(settings))
    with pytest.raises(ValueError, match="stepz: unknown key"):
        load_config(tmp_path / "experiment.json")
