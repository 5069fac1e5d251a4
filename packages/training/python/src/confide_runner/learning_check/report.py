"""report.md of the learning check, from its summary (every number in it is in summary.json)."""

from __future__ import annotations


def _interval(measure: dict, percent: bool = True) -> str:
    def show(value):
        if value is None:
            return "n/a"
        return f"{100 * value:.1f} %" if percent else f"{value:.3f}"

    return f"{show(measure['value'])} (95 % interval {show(measure['low'])} to {show(measure['high'])})"


def render_report(summary: dict) -> str:
    held = summary["heldOut"]
    base = summary["baseModel"]
    by_kind = summary["heldOutByKind"]
    checks = "\n".join(f"- {name}: {'yes' if passed else 'NO'}" for name, passed in summary["checks"].items())
    return f"""# Learning check: does the seed's method teach a model to know when it is right?

{'**Passed.**' if summary['passed'] else '**FAILED.**'} Model `{summary['modelName']}`: a Qwen2-architecture model of
{base['parameters']:,} parameters trained from random weights (seed {summary['seed']}, {base['steps']} steps, loss
{base['firstLoss']:.2f} -> {base['finalLoss']:.3f}) on synthetic arithmetic: `a+b` (a < 100, b < 10), which it learns,
and `a*b` of two two-digit numbers ({100 * summary['problems']['multiplicationShare']:.0f} % of the step-1 and held-out
problems), which it does not. Then the seed's steps with the runner users run: step 1, the model answers
{summary['problems']['step1']} problems it never saw (core/math grades them: {100 * summary['step1']['accuracy']:.1f} %
right) and each answer is annotated `<|c_math|>` / `<|u_math|>`; LoRA (r 8, alpha 32, q_proj/v_proj, dropout 0.05,
balanced like the seed) for {summary['train']['steps']} steps (loss {summary['train']['firstLoss']:.3f} ->
{summary['train']['finalLoss']:.3f}); then {summary['problems']['heldOut']} held-out problems answered with the adapter.

## Held-out problems

| measure | value |
|---|---|
| accuracy | {_interval(held['accuracy'])} |
| `<|c_math|>` / `<|u_math|>` / no token | {100 * held['confidentRate']['value']:.1f} % / {100 * held['uncertainRate']['value']:.1f} % / {100 * held['noTokenRate']['value']:.1f} % |
| calibration accuracy (token agrees with the grade) | {_interval(held['calibrationAccuracy'])} |
| majority baseline (always the commoner grade) | {_interval(held['majorityBaseline'])} |
| calibration minus majority | {_interval(held['calibrationOverMajority'])} |
| AUROC of P(`<|c_math|>`) against correctness (goal >= {summary['goals']['aurocGoal']}) | {_interval(held['auroc'], percent=False)} |
| Delegation II: delegation rate | {_interval(held['delegationRate'])} |
| system accuracy (large model simulated, right {100 * summary['largeModel']['accuracy']:.0f} % of the time independently) | {_interval(held['systemAccuracy'])} |
| lift over the small model alone | {_interval(held['delegationLift'])} |

By kind: `a+b` {by_kind['add']['problems']} problems, {100 * by_kind['add']['accuracy']:.1f} % right,
`<|c_math|>` on {100 * by_kind['add']['confidentRate']:.1f} %; `a*b` {by_kind['mul']['problems']} problems,
{100 * by_kind['mul']['accuracy']:.1f} % right, `<|c_math|>` on {100 * by_kind['mul']['confidentRate']:.1f} %.

## What this shows, and what a failure would have looked like

What was learned: after training on its own graded answers, the model writes a confidence token after its answer, and
P(`<|c_math|>`) ranks its right answers above its wrong ones on problems it never saw. Much of that signal is the kind of
problem (it is almost always wrong on multiplications), so this shows that the runner's labels, loss mask, marker
tokens and LoRA settings carry a learnable signal into the token, not that the method finds subtle cues; the by-kind
rates above say how much is within a kind. A failure would look like: no token or one token for everything (rates near
0 or 100 %), calibration accuracy no better than the majority baseline, an AUROC interval that reaches 0.5, and a
Delegation II lift no better than delegating at random. tiny-e2e, with random weights, looks like that.

Checks:
{checks}

Timings (s, {summary['threads']} threads): {', '.join(f'{name} {value}' for name, value in summary['seconds'].items())}.
Versions: {', '.join(f'{name} {value}' for name, value in summary['provenance']['versions'].items())}; git
{summary['provenance']['gitRevision'][:12]}. Reproduce: `{summary['provenance']['command']}`.
"""
