"""A reduced learning check (issue 27, item 3): the seed's method end to end on CPU, one torch thread, fixed steps
(experiments/learning-check with a shorter base-model run, fewer problems and fewer LoRA steps), must teach the
model's confidence marker something: the AUROC of P(c) against correctness on held-out problems must clear 0.5 by
MARGIN.

MARGIN comes from repeated seeds. `.venv/bin/python packages/training/python/tests/test_learning_check.py 0 1 2 3 4`
runs the reduced check for each seed and prints its AUROC. On the shared 2-core machine (torch 2.13.0+cpu,
transformers 5.18.0, about 70 s a seed) seeds 0-4 gave the AUROCs in SEED_AUROCS: 0.873 to 0.943, each interval's
lower end above 0.80, and the base model's AUROC before LoRA was 0.5 every time. MARGIN = 0.25 (AUROC > 0.75, the full
check's goal) is 0.12 under the lowest seed, room for another CPU's arithmetic and another seed, while a marker that
learned nothing (0.5) or only a little fails.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from confide_runner.learning_check.run import load_config, run_learning_check

ROOT = Path(__file__).resolve().parents[4]
SETTINGS = ROOT / "experiments" / "learning-check" / "learning-check.json"
SEED = 0
MARGIN = 0.25
SEED_AUROCS = {0: 0.943, 1: 0.877, 2: 0.873, 3: 0.917, 4: 0.910}


def reduced_settings(seed: int) -> dict:
    """The check's settings, cut to a couple of minutes on one thread."""
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    settings |= {"seed": seed, "threads": 1, "step1Problems": 256, "heldOutProblems": 200, "bootstrapResamples": 200}
    settings["baseModel"] = settings["baseModel"] | {"steps": 500, "learning_rate": 0.003}
    settings["train"] = settings["train"] | {"maxSteps": 200}
    return settings


def run_reduced(seed: int, folder: Path) -> dict:
    import torch

    torch.set_num_threads(1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "learning-check.json").write_text(json.dumps(reduced_settings(seed)), encoding="utf-8")
    return run_learning_check(load_config(folder / "learning-check.json"), ROOT, folder / "run", log=lambda message: None)


@pytest.fixture(scope="module")
def reduced_check(tmp_path_factory):
    return run_reduced(SEED, tmp_path_factory.mktemp("learning-check"))


def test_the_confidence_marker_learns_to_rank_right_answers_first(reduced_check):
    auroc = reduced_check["heldOut"]["auroc"]["value"]
    assert auroc is not None, "held-out answers were all right or all wrong"
    assert auroc > 0.5 + MARGIN, f"AUROC {auroc:.3f} is not above chance by {MARGIN}"


def test_before_lora_the_marker_knows_nothing(reduced_check):
    """The control: the base model never saw a marker after an answer, so its P(c) is no better than chance."""
    assert reduced_check["baseHeldOut"]["auroc"]["value"] < 0.5 + MARGIN / 2


def test_the_model_writes_confidence_markers(reduced_check):
    held = reduced_check["heldOut"]
    assert held["noTokenRate"]["value"] < 0.5, "most held-out answers carry no confidence marker"
    assert held["pcUndefinedRate"]["value"] < 0.5, "the markers hold under half the probability on most answers"


def test_a_settings_file_with_an_unknown_key_is_named(tmp_path):
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    settings["stepz"] = 1
    (tmp_path / "learning-check.json").write_text(json.dumps(settings))
    with pytest.raises(ValueError, match="stepz: unknown key"):
        load_config(tmp_path / "learning-check.json")


if __name__ == "__main__":  # the repeated seeds behind MARGIN
    import tempfile
    import time

    for seed in [int(argument) for argument in sys.argv[1:]] or [0, 1, 2, 3, 4]:
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as folder:
            summary = run_reduced(seed, Path(folder))
        held = summary["heldOut"]
        print(json.dumps({"seed": seed, "auroc": held["auroc"], "baseAuroc": summary["baseHeldOut"]["auroc"]["value"],
                          "baseAccuracy": summary["baseHeldOut"]["accuracy"]["value"], "accuracy": held["accuracy"]["value"],
                          "noTokenRate": held["noTokenRate"]["value"], "pcUndefinedRate": held["pcUndefinedRate"]["value"],
                          "seconds": round(time.monotonic() - started, 1)}), flush=True)
