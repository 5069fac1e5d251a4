"""The synthetic arithmetic task: two kinds of problem a small model learns to very different degrees.

- ``a+b`` with a in [0, 99] and b in [0, 9]: learnable from random weights in a few thousand steps;
- ``a*b`` with a, b in [10, 99]: not learnable in that budget, so almost always wrong.

The share of multiplications sets the accuracy the base model reaches (the check asks for 55-85 %); whether a problem
is answered right is then predictable from the problem, which is what the confidence tokens must learn. Problems are
drawn without replacement from one seeded shuffle, so the pretraining, step-1 and held-out sets never share a problem.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    id: str
    text: str  # what the model is asked, e.g. "37+48"
    answer: str  # the gold answer, e.g. "85"
    kind: str  # "add" or "mul"


def all_problems() -> list[Problem]:
    problems = [Problem(f"add-{a}-{b}", f"{a}+{b}", str(a + b), "add") for a in range(100) for b in range(10)]
    problems += [Problem(f"mul-{a}-{b}", f"{a}*{b}", str(a * b), "mul") for a in range(10, 100) for b in range(10, 100)]
    return problems


@dataclass(frozen=True)
class Splits:
    pretrain: list[Problem]
    step1: list[Problem]
    held_out: list[Problem]


def make_splits(seed: int, multiplication_share: float, step1_size: int, held_out_size: int) -> Splits:
    """Step-1 and held-out sets of the given sizes with the given share of multiplications; every other problem of
    both kinds goes to pretraining (its own mix is chosen by the trainer)."""
    if not 0 <= multiplication_share <= 1:
        raise ValueError(f"multiplication_share must be within [0, 1], got {multiplication_share}")
    generator = random.Random(seed)
    by_kind = {"add": [], "mul": []}
    for problem in all_problems():
        by_kind[problem.kind].append(problem)
    for problems in by_kind.values():
        generator.shuffle(problems)

    def take(count: int) -> list[Problem]:
        multiplications = round(count * multiplication_share)
        chosen = by_kind["mul"][:multiplications] + by_kind["add"][: count - multiplications]
        del by_kind["mul"][:multiplications]
        del by_kind["add"][: count - multiplications]
        generator.shuffle(chosen)
        return chosen

    step1 = take(step1_size)
    held_out = take(held_out_size)
    return Splits(pretrain=by_kind["add"] + by_kind["mul"], step1=step1, held_out=held_out)
