"""The learning check's steps, wired: config -> base model -> step 1 -> LoRA -> held-out measures -> summary."""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..confidence import CONFIDENT_TOKEN
from .base_model import BaseModelSettings, train_base_model
from .char_tokenizer import build_tokenizer, check_round_trip
from .metrics import Outcome, bootstrap
from .runner_calls import generate as runner_generate
from .runner_calls import grade, train
from .task import make_splits

@dataclass(frozen=True)
class LearningCheckConfig:
    modelName: str
    # null: train the check's own base model (baseModel's settings) from random weights; else a Hugging Face model id
    # or folder that the runner loads as the base model (baseModel must then be null), e.g. Qwen2.5-Math-1.5B-Instruct
    pretrainedModel: str | None
    seed: int
    threads: int
    precision: str  # the runner's precision: fp32 on CPU, auto (bf16 on a GPU that has it)
    multiplicationShare: float
    multiplicationDigits: int
    step1Problems: int
    heldOutProblems: int
    prompt: dict  # {systemPrompt, userTemplate}: the prompt of every step
    generation: dict  # {maxNewTokens, batchSize}: the runner's generate settings
    baseModel: dict | None
    train: dict
    largeModelAccuracy: float
    bootstrapResamples: int
    accuracyRange: list
    aurocGoal: float


def load_config(path: Path) -> LearningCheckConfig:
    """Strict: every key required, no unknown key, each error naming the file and key."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot read the config ({error})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path}: must be a JSON object")
    known = {item.name for item in fields(LearningCheckConfig)}
    for key in sorted(set(value) - known - {"$comment"}):
        raise ValueError(f"{path}: {key}: unknown key (known: {', '.join(sorted(known))})")
    for key in sorted(known - set(value)):
        raise ValueError(f"{path}: {key}: is required")
    base_keys = {item.name for item in fields(BaseModelSettings)}
    if value["pretrainedModel"] is None:
        if not isinstance(value["baseModel"], dict) or set(value["baseModel"]) != base_keys:
            raise ValueError(f"{path}: baseModel: must have exactly the keys {', '.join(sorted(base_keys))}")
        if value["multiplicationDigits"] != 2:
            raise ValueError(f"{path}: multiplicationDigits: must be 2 when the check trains its own base model")
    elif value["baseModel"] is not None:
        raise ValueError(f"{path}: baseModel: must be null with a pretrainedModel")
    if set(value["prompt"]) != {"systemPrompt", "userTemplate"} or "{problem}" not in value["prompt"]["userTemplate"]:
        raise ValueError(f"{path}: prompt: must be {{systemPrompt, userTemplate}}, the template holding {{problem}}")
    if set(value["generation"]) != {"maxNewTokens", "batchSize"}:
        raise ValueError(f"{path}: generation: must be {{maxNewTokens, batchSize}}")
    low, high = value["accuracyRange"]
    if not 0 <= low < high <= 1:
        raise ValueError(f"{path}: accuracyRange: must be [low, high] within [0, 1]")
    return LearningCheckConfig(**{key: value[key] for key in known})


def simulated_large_model(seed: int, problem_id: str, accuracy: float) -> bool:
    """A large model right with the given probability, independently per problem (seeded by the problem's id)."""
    return random.Random(f"{seed}:{problem_id}").random() < accuracy


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _by_kind(problems, outcomes, resamples: int, seed: int) -> dict:
    """Per kind of problem: how often right, how often <|c_math|>, and whether P(c) still ranks right answers first
    within the kind (the part of the signal that is not the kind itself)."""
    result = {}
    for kind in ("add", "mul"):
        chosen = [outcome for outcome, problem in zip(outcomes, problems) if problem.kind == kind]
        right = sum(outcome.correct for outcome in chosen)
        result[kind] = {
            "problems": len(chosen),
            "right": right,
            "wrong": len(chosen) - right,
            "accuracy": right / max(len(chosen), 1),
            "confidentRate": sum(outcome.token == CONFIDENT_TOKEN for outcome in chosen) / max(len(chosen), 1),
            "meanTokenMass": _mean([outcome.token_mass for outcome in chosen]),
            "meanPc": _mean([outcome.p_c for outcome in chosen if outcome.p_c is not None]),
            "auroc": bootstrap(chosen, resamples, seed)["auroc"] if chosen else {"value": None, "low": None, "high": None},
        }
    return result


def run_learning_check(config: LearningCheckConfig, root: Path, work_dir: Path, log=print) -> dict:
    import torch

    started = time.monotonic()
    torch.set_num_threads(config.threads)
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    splits = make_splits(config.seed, config.multiplicationShare, config.step1Problems, config.heldOutProblems,
                         config.multiplicationDigits)
    prompt = dict(config.prompt)

    def generate(model, problems, folder, adapter=None):
        return runner_generate(model, problems, folder, config.threads, prompt, adapter=adapter, precision=config.precision,
                               max_new_tokens=config.generation["maxNewTokens"], batch_size=config.generation["batchSize"])

    timings: dict[str, float] = {}
    mark = time.monotonic()
    if config.pretrainedModel is None:
        model_dir = work_dir / "base-model"
        tokenizer = build_tokenizer(model_dir)
        log(f"learning check: base model from random weights ({config.baseModel['steps']} steps; a pool of {len(splits.pretrain)} problems)")
        base = train_base_model(tokenizer, splits.pretrain, BaseModelSettings(**config.baseModel), config.seed,
                                config.multiplicationShare, model_dir, prompt["systemPrompt"], prompt["userTemplate"], log=log)
        check_round_trip(tokenizer, model_dir)
    else:
        model_dir = config.pretrainedModel
        base = {"pretrained": config.pretrainedModel}
        log(f"learning check: base model {config.pretrainedModel} (pretrained)")
    timings["baseModel"] = time.monotonic() - mark

    mark = time.monotonic()
    log(f"learning check: the base model answers the {len(splits.held_out)} held-out problems")
    base_held_generations = generate(model_dir, splits.held_out, work_dir / "held-out-base")
    base_held_grades = grade(root, splits.held_out, base_held_generations, work_dir / "held-out-base")
    base_held_accuracy = sum(base_held_grades.values()) / len(base_held_grades)
    timings["baseHeldOut"] = time.monotonic() - mark
    log(f"learning check: base model: {base_held_accuracy:.1%} of held-out problems right")

    mark = time.monotonic()
    log(f"learning check: step 1: the base model answers {len(splits.step1)} problems; core/math grades them")
    step1_generations = generate(model_dir, splits.step1, work_dir / "step1")
    step1_grades = grade(root, splits.step1, step1_generations, work_dir / "step1")
    step1_accuracy = sum(step1_grades.values()) / len(step1_grades)
    train_file = work_dir / "step1" / "sft.jsonl"
    with train_file.open("w", encoding="utf-8") as handle:
        for problem in splits.step1:
            handle.write(json.dumps({"id": problem.id, "problem": problem.text, "response": step1_generations[problem.id]["text"],
                                     "correct": step1_grades[problem.id]}) + "\n")
    timings["step1"] = time.monotonic() - mark
    log(f"learning check: step 1: {step1_accuracy:.1%} right")

    mark = time.monotonic()
    train_settings = dict(config.train)
    result = train(
        {"baseModel": str(model_dir), "trainFile": str(train_file), "outputDir": str(work_dir / "adapter-run"),
         "runName": f"{config.modelName}-lora-confidence", "confidenceTokens": "text", "precision": config.precision,
         "seed": config.seed, "epochs": 1000, "checkpointEverySteps": 100000, **prompt, **train_settings},
        work_dir / "train", config.threads,
    )
    timings["train"] = time.monotonic() - mark
    log(f"learning check: LoRA: {result['steps']} steps, loss {result['firstLoss']:.3f} -> {result['finalLoss']:.3f}")

    mark = time.monotonic()
    adapter = Path(result["adapterPath"])
    held_generations = generate(model_dir, splits.held_out, work_dir / "held-out", adapter=adapter)
    held_grades = grade(root, splits.held_out, held_generations, work_dir / "held-out")
    timings["heldOut"] = time.monotonic() - mark

    def outcomes_of(generations, grades):
        return [
            Outcome(
                correct=grades[problem.id],
                token=generations[problem.id]["confidenceToken"],
                p_confident=generations[problem.id]["confidenceProbabilities"]["confident"],
                p_uncertain=generations[problem.id]["confidenceProbabilities"]["uncertain"],
                large_correct=simulated_large_model(config.seed, problem.id, config.largeModelAccuracy),
            )
            for problem in splits.held_out
        ]

    outcomes = outcomes_of(held_generations, held_grades)
    base_outcomes = outcomes_of(base_held_generations, base_held_grades)
    mark = time.monotonic()
    measured = bootstrap(outcomes, config.bootstrapResamples, config.seed)
    base_measured = bootstrap(base_outcomes, config.bootstrapResamples, config.seed)
    by_kind = _by_kind(splits.held_out, outcomes, config.bootstrapResamples, config.seed)
    base_by_kind = _by_kind(splits.held_out, base_outcomes, config.bootstrapResamples, config.seed)
    timings["bootstrap"] = time.monotonic() - mark
    low, high = config.accuracyRange
    auroc = measured["auroc"]
    checks = {
        "baseHeldOutAccuracyInRange": low <= base_held_accuracy <= high,
        "aurocMeetsGoal": auroc["value"] is not None and auroc["value"] >= config.aurocGoal,
        "aurocIntervalAboveChance": auroc["low"] is not None and auroc["low"] > 0.5,
        "calibrationIntervalAboveMajority": measured["calibrationOverMajority"]["low"] > 0,
    }
    return {
        "modelName": config.modelName,
        "seed": config.seed,
        "threads": config.threads,
        "settings": asdict(config),
        "problems": {"pretrainPool": len(splits.pretrain), "step1": len(splits.step1), "heldOut": len(splits.held_out),
                     "multiplicationShare": config.multiplicationShare},
        "baseModel": base,
        "baseHeldOut": base_measured,
        "baseHeldOutByKind": base_by_kind,
        "step1": {"accuracy": step1_accuracy, "correct": sum(step1_grades.values()),
                  "incorrect": len(step1_grades) - sum(step1_grades.values()), "byKind": _step1_by_kind(splits.step1, step1_grades)},
        "train": {key: result[key] for key in ("steps", "epochs", "examples", "firstLoss", "finalLoss", "tokensSeen", "durationSeconds")}
        | {"settings": train_settings},
        "heldOut": measured,
        "heldOutByKind": by_kind,
        "largeModel": {"kind": "simulated", "accuracy": config.largeModelAccuracy,
                       "rule": "right with this probability, independently per problem (seeded by seed and problem id)"},
        "goals": {"accuracyRange": config.accuracyRange, "aurocGoal": config.aurocGoal},
        "checks": checks,
        "passed": all(checks.values()),
        "seconds": {name: round(value, 1) for name, value in timings.items()} | {"total": round(time.monotonic() - started, 1)},
    }


def _step1_by_kind(problems, grades) -> dict:
    result = {}
    for kind in ("add", "mul"):
        chosen = [grades[problem.id] for problem in problems if problem.kind == kind]
        result[kind] = {"problems": len(chosen), "correct": sum(chosen)}
    return result
