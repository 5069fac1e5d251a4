"""What the learning check measures on held-out problems, each with a seeded percentile-bootstrap 95 % interval.

- the rates of ``<|c_math|>``, ``<|u_math|>`` and no token;
- calibration accuracy: the token agrees with the grade (``<|c_math|>`` on a right answer, ``<|u_math|>`` or no token on
  a wrong one), against the majority baseline (always the more common grade), and their difference;
- the AUROC of P(c) against correctness (0.5: no better than chance), P(c) as Confide defines it for its routers
  (core's ``pConfident``, packages/core/src/routing-score.ts): P(``<|c_math|>``) / (P(``<|c_math|>``) +
  P(``<|u_math|>``)) where the two markers hold at least ``MIN_TOKEN_MASS`` of the probability, else undefined, and an
  undefined P(c) ranks below every defined one (it is delegated at every threshold); and, beside it, the AUROC of the
  raw P(``<|c_math|>``);
- Delegation II: ``<|u_math|>`` or no token hands the problem to a simulated large model; the lift is the system's
  accuracy minus the small model's, and against delegating the same share of problems at random (what a token that
  knows nothing would give).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Sequence


# core's DEFAULT_MIN_TOKEN_MASS (packages/core/src/routing-score.ts): below it P(c) is undefined.
MIN_TOKEN_MASS = 0.5


@dataclass(frozen=True)
class Outcome:
    correct: bool
    token: str | None  # "<|c_math|>", "<|u_math|>" or None
    p_confident: float  # the runner's P(<|c_math|>) at the marker position
    p_uncertain: float  # the runner's P(<|u_math|>) there
    large_correct: bool  # the simulated large model's grade on the same problem

    @property
    def token_mass(self) -> float:
        return self.p_confident + self.p_uncertain

    @property
    def p_c(self) -> float | None:
        """P(c) as core's pConfident defines it: renormalised over the two markers, undefined under the floor."""
        if self.token_mass == 0 or self.token_mass < MIN_TOKEN_MASS:
            return None
        return self.p_confident / self.token_mass


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
    delegation_rate = sum(delegated) / count
    large_accuracy = sum(outcome.large_correct for outcome in outcomes) / count
    system = sum(outcome.large_correct if hand_over else outcome.correct for outcome, hand_over in zip(outcomes, delegated)) / count
    # delegating the same share of problems at random: what a token that knows nothing would give, in expectation
    random_delegation = (1 - delegation_rate) * accuracy + delegation_rate * large_accuracy
    calibration = sum(token_agrees(outcome) for outcome in outcomes) / count
    right = [outcome for outcome in outcomes if outcome.correct]
    wrong = [outcome for outcome in outcomes if not outcome.correct]
    majority = max(accuracy, 1 - accuracy)
    return {
        "accuracy": accuracy,
        "confidentRate": sum(outcome.token == "<|c_math|>" for outcome in outcomes) / count,
        "uncertainRate": sum(outcome.token == "<|u_math|>" for outcome in outcomes) / count,
        "noTokenRate": sum(outcome.token is None for outcome in outcomes) / count,
        "confidentRateWhenRight": sum(outcome.token == "<|c_math|>" for outcome in right) / len(right) if right else None,
        "confidentRateWhenWrong": sum(outcome.token == "<|c_math|>" for outcome in wrong) / len(wrong) if wrong else None,
        "calibrationAccuracy": calibration,
        "majorityBaseline": majority,
        "calibrationOverMajority": calibration - majority,
        # an undefined P(c) ranks below every defined one (-1: all of them tie there)
        "auroc": auroc([-1.0 if outcome.p_c is None else outcome.p_c for outcome in outcomes], [outcome.correct for outcome in outcomes]),
        "aurocRawPConfident": auroc([outcome.p_confident for outcome in outcomes], [outcome.correct for outcome in outcomes]),
        "pcUndefinedRate": sum(outcome.p_c is None for outcome in outcomes) / count,
        "meanTokenMass": sum(outcome.token_mass for outcome in outcomes) / count,
        "delegationRate": delegation_rate,
        "largeAccuracy": large_accuracy,
        "systemAccuracy": system,
        "delegationLift": system - accuracy,
        "randomDelegationAccuracy": random_delegation,
        "liftOverRandomDelegation": system - random_delegation,
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
