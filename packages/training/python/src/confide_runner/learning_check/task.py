"""The synthetic arithmetic task: two kinds of problem a small model learns to very different degrees.

- ``a+b`` with a in [0, 99] and b in [0, 9]: learnable from random weights in a few thousand steps;
- ``a*b`` with a, b in [10, 99]: not learnable in that budget, so almost always wrong.

The share of multiplications sets the accuracy the base model reaches (the check asks for 55-85 %); whether a problem
is answered right is then predictable from the problem, which is what the confidence tokens must learn. Problems are
drawn without replacement from one seeded shuffle, so the pretraining, step-1 and held-out sets never share a problem.

A pretrained model (Qwen2.5-Math-1.5B-Instruct on a GPU) multiplies two-digit numbers without trouble: for it the
multiplications have more digits (``multiplication_digits``), drawn at random without repeats, and there is no
pretraining pool.
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


def _multiplications(generator: random.Random, digits: int, count: int) -> list[Problem]:
    low, high = 10 ** (digits - 1), 10**digits - 1
    seen: set[tuple[int, int]] = set()
    problems = []
    while len(problems) < count:
        pair = (generator.randint(low, high), generator.randint(low, high))
        if pair not in seen:
            seen.add(pair)
            problems.append(Problem(f"mul-{pair[0]}-{pair[1]}", f"{pair[0]}*{pair[1]}", str(pair[0] * pair[1]), "mul"))
    return problems


def make_splits(seed: int, multiplication_share: float, step1_size: int, held_out_size: int,
                multiplication_digits: int = 2) -> Splits:
    """Step-1 and held-out sets of the given sizes with the given share of multiplications; every other problem of
    both kinds goes to pretraining (its own mix is chosen by the trainer). With multiplications of more than two
    digits the pretraining pool is empty (a pretrained model needs none)."""
    if not 0 <= multiplication_share <= 1:
        raise ValueError(f"multiplication_share must be within [0, 1], got {multiplication_share}")
    if multiplication_digits < 2:
        raise ValueError(f"multiplication_digits must be 2 or more, got {multiplication_digits}")
    generator = random.Random(seed)
    by_kind = {"add": [], "mul": []}
    for problem in all_problems():
        by_kind[problem.kind].append(problem)
    for problems in by_kind.values():
        generator.shuffle(problems)
    if multiplication_digits > 2:
        needed = round(step1_size * multiplication_share) + round(held_out_size * multiplication_share)
        by_kind["mul"] = _multiplications(generator, multiplication_digits, needed)

    def take(count: int) -> list[Problem]:
        multiplications = round(count * multiplication_share)
        chosen = by_kind["mul"][:multiplications] + by_kind["add"][: count - multiplications]
        del by_kind["mul"][:multiplications]
        del by_kind["add"][: count - multiplications]
        generator.shuffle(chosen)
        return chosen

    step1 = take(step1_size)
    held_out = take(held_out_size)
    if len(step1) != step1_size or len(held_out) != held_out_size:
        raise ValueError(f"not enough problems of a kind for {step1_size} + {held_out_size} (there are 1,000 additions)")
    if multiplication_digits > 2:
        return Splits(pretrain=[], step1=step1, held_out=held_out)
    return Splits(pretrain=by_kind["add"] + by_kind["mul"], step1=step1, held_out=held_out)
