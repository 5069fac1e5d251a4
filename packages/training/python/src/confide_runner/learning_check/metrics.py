"""What the learning check measures on held-out problems, each with a seeded percentile-bootstrap 95 % interval.

- the rates of ``<|c_math|>``, ``<|u_math|>`` and no token;
- calibration accuracy: the token agrees with the grade (``<|c_math|>`` on a right answer, ``<|u_math|>`` or no token on
  a wrong one), against the majority baseline (always the more common grade), and their difference;
- the AUROC of P(``<|c_math|>``) against correctness (0.5: no better than chance);
- Delegation II: ``<|u_math|>`` or no token hands the problem to a simulated large model; the lift is the system's
  accuracy minus the small model's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Outcome:
    correct: bool
    token: str | None  # "<|c_math|>", "<|u_math|>" or None
    p_confident: float
    large_correct: bool  # the simulated large model's grade on the same problem


def auroc(scores: Sequence[float], positives: Sequence[bool]) -> float | None:
    """P(score of a random positive > score of a random negative), ties counting half; None without both classes."""
    pairs = sorted(zip(scores, positives))
    positive_count = sum(positives)
    negative_count = len(pairs) - positive_count
    if positive_count == 0 or negative_count == 0:
        return None
    rank_sum = 0.0
    index = 0
    while index < len(pairs):  # average ranks over ties
        end = index
        while end + 1 < len(pairs) and pairs[end + 1][0] == pairs[index][0]:
            end += 1
        average_rank = (index + end) / 2 + 1
        rank_sum += average_rank * sum(1 for _, positive in pairs[index : end + 1] if positive)
        index = end + 1
    return (rank_sum - positive_count * (positive_count + 1) / 2) / (positive_count * negative_count)


def token_agrees(outcome: Outcome) -> bool:
    return outcome.correct == (outcome.token == "<|c_math|>")


def measures(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    count = len(outcomes)
    accuracy = sum(outcome.correct for outcome in outcomes) / count
    delegated = [outcome.token != "<|c_math|>" for outcome in outcomes]
    system = sum(outcome.large_correct if hand_over else outcome.correct for outcome, hand_over in zip(outcomes, delegated)) / count
    calibration = sum(token_agrees(outcome) for outcome in outcomes) / count
    majority = max(accuracy, 1 - accuracy)
    return {
        "accuracy": accuracy,
        "confidentRate": sum(outcome.token == "<|c_math|>" for outcome in outcomes) / count,
        "uncertainRate": sum(outcome.token == "<|u_math|>" for outcome in outcomes) / count,
        "noTokenRate": sum(outcome.token is None for outcome in outcomes) / count,
        "calibrationAccuracy": calibration,
        "majorityBaseline": majority,
        "calibrationOverMajority": calibration - majority,
        "auroc": auroc([outcome.p_confident for outcome in outcomes], [outcome.correct for outcome in outcomes]),
        "delegationRate": sum(delegated) / count,
        "largeAccuracy": sum(outcome.large_correct for outcome in outcomes) / count,
        "systemAccuracy": system,
        "delegationLift": system - accuracy,
    }


def bootstrap(outcomes: Sequence[Outcome], resamples: int, seed: int,
              measure: Callable[[Sequence[Outcome]], dict[str, float | None]] = measures) -> dict[str, dict]:
    """Each measure as {value, low, high}: the 2.5th and 97.5th percentiles over resamples of the problems."""
    point = measure(outcomes)
    generator = random.Random(seed)
    draws: dict[str, list[float]] = {name: [] for name in point}
    for _ in range(resamples):
        sample = [outcomes[generator.randrange(len(outcomes))] for _ in outcomes]
        for name, value in measure(sample).items():
            if value is not None:
                draws[name].append(value)
    result = {}
    for name, value in point.items():
        values = sorted(draws[name])
        if not values:
            result[name] = {"value": value, "low": None, "high": None}
            continue
        low = values[int(0.025 * (len(values) - 1))]
        high = values[int(round(0.975 * (len(values) - 1)))]
        result[name] = {"value": value, "low": low, "high": high}
    return result
