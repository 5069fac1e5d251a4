"""report.md of the learning check, from its summary: every number in it is read from summary.json, and every sentence
that compares two numbers chooses its words from them."""

from __future__ import annotations


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _interval(measure: dict, percent: bool = True) -> str:
    show = _percent if percent else _number
    return f"{show(measure['value'])} ({show(measure['low'])} to {show(measure['high'])})"


def _above(measure: dict, level: float) -> str:
    """Where a bootstrap interval lies against a level, in words."""
    if measure["low"] is None:
        return "undefined"
    if measure["low"] > level:
        return "above"
    if measure["high"] < level:
        return "below"
    return "not clearly different from"


# fewer answers than this in either grade of a kind: no AUROC within the kind is shown (one right answer decides it)
MIN_PER_GRADE = 5


def _kind_auroc(kind: dict) -> str:
    if min(kind["right"], kind["wrong"]) < MIN_PER_GRADE:
        return f"too few to say (under {MIN_PER_GRADE} {'right' if kind['right'] < kind['wrong'] else 'wrong'})"
    return _interval(kind["auroc"], percent=False)


def _kind_signal_text(by_kind: dict) -> str:
    gap = abs(by_kind["add"]["accuracy"] - by_kind["mul"]["accuracy"])
    if gap >= 0.5:
        return f"The kind of problem carries much of that signal (the two kinds' accuracies differ by {100 * gap:.1f} percentage points)"
    return f"The kind of problem carries some of that signal (the two kinds' accuracies differ by {100 * gap:.1f} percentage points)"


def _within_kind_text(add: dict) -> str:
    """Whether P(c) tells right from wrong within `a+b`, where the kind gives nothing away, in words chosen by its interval."""
    auroc = add["auroc"]
    counts = f"({add['right']} right, {add['wrong']} wrong)"
    if auroc["low"] is None or min(add["right"], add["wrong"]) < MIN_PER_GRADE:
        return f"Within `a+b` alone {counts} there are too few answers of one grade for an AUROC."
    if auroc["low"] > 0.5:
        return (f"Within `a+b` alone {counts}, where the kind gives nothing away, P(c) still ranks right answers first: AUROC "
                f"{_interval(auroc, percent=False)}, its interval above 0.5; so part of what the marker learned is within a kind.")
    return (f"Within `a+b` alone {counts} P(c)'s AUROC is {_interval(auroc, percent=False)}, not clearly above 0.5: the "
            "marker learned the kind of problem, not cues within a kind.")


def _base_model_text(summary: dict) -> str:
    base = summary["baseModel"]
    share = _percent(summary["problems"]["multiplicationShare"])
    if "pretrained" in base:
        digits = summary["settings"]["multiplicationDigits"]
        return (f"Model `{summary['modelName']}`: the pretrained `{base['pretrained']}` (seed {summary['seed']}), on synthetic "
                f"arithmetic: `a+b` (a < 100, b < 10) and `a*b` of two {digits}-digit numbers ({share} of the problems).")
    return f"""Model `{summary['modelName']}`: a Qwen2-architecture model of
{base['parameters']:,} parameters ({base['config']['num_hidden_layers']} layers, hidden size {base['config']['hidden_size']},
a {base['config']['vocab_size']}-token character vocabulary of its own) trained from random weights (seed {summary['seed']},
{base['steps']} steps of {base['batchSize']}, loss {base['firstLoss']:.2f} -> {base['finalLoss']:.3f}) on synthetic
arithmetic, `a+b` (a < 100, b < 10) and `a*b` of two two-digit numbers ({share} of the step-1 and held-out problems),
plus an echo task ({_percent(base['echoShare'])} of each batch) that gives every token, the confidence markers
included, a trained embedding as pretraining does for a real model."""


def render_report(summary: dict) -> str:
    held = summary["heldOut"]
    base_held = summary["baseHeldOut"]
    by_kind = summary["heldOutByKind"]
    base_by_kind = summary["baseHeldOutByKind"]
    train = summary["train"]
    settings = summary["settings"]
    lora = train["settings"]["lora"]
    large = summary["largeModel"]
    checks = "\n".join(f"- {name}: {'yes' if passed else 'NO'}" for name, passed in summary["checks"].items())
    accuracy_change = held["accuracy"]["value"] - base_held["accuracy"]["value"]
    change_words = "rose" if accuracy_change > 0 else "fell" if accuracy_change < 0 else "stayed"

    def row(name: str, key: str, percent: bool = True) -> str:
        return f"| {name} | {_interval(base_held[key], percent)} | {_interval(held[key], percent)} |"

    def kind_row(kind: str, label: str) -> str:
        before, after = base_by_kind[kind], by_kind[kind]
        return (f"| {label} | {after['problems']} | {_percent(before['accuracy'])} | {_percent(after['accuracy'])} | "
                f"{after['right']} / {after['wrong']} | {_percent(after['confidentRate'])} | {_number(after['meanPc'])} | "
                f"{_kind_auroc(after)} |")

    return f"""# Learning check: does the seed's method teach a model to know when it is right?

{'**Passed.**' if summary['passed'] else '**FAILED.**'} {_base_model_text(summary)} Then the seed's
steps with the runner users run (`python -m confide_runner generate` / `train`): step 1, the model answers
{summary['problems']['step1']} problems it never saw, `confide grade` (core/math) grades them
({_percent(summary['step1']['accuracy'])} right) and each answer is annotated `<|c_math|>` or `<|u_math|>` (text mode);
LoRA with the seed's settings (r {lora['rank']}, alpha {lora['alpha']}, {'/'.join(lora['targetModules'])}, dropout
{lora['dropout']}, {'balanced' if train['settings']['balance'] else 'not balanced'}: {train['examples']} examples) for {train['steps']} steps at learning rate
{train['settings']['learningRate']} (loss {train['firstLoss']:.3f} -> {train['finalLoss']:.3f}); then the
{summary['problems']['heldOut']} held-out problems, answered by the base model alone and with the adapter.

## Held-out problems

Each value with its 95 % bootstrap interval ({settings['bootstrapResamples']} resamples of the problems, seed
{summary['seed']}). P(c) is Confide's: P(`<|c_math|>`) / (P(`<|c_math|>`) + P(`<|u_math|>`)), undefined where the two
markers hold under half the probability (an undefined P(c) ranks below every defined one).

| measure | base model (before LoRA) | with the adapter |
|---|---|---|
{row('accuracy', 'accuracy')}
{row('`<|c_math|>` written', 'confidentRate')}
{row('`<|u_math|>` written', 'uncertainRate')}
{row('no marker', 'noTokenRate')}
{row('`<|c_math|>` on right answers', 'confidentRateWhenRight')}
{row('`<|c_math|>` on wrong answers', 'confidentRateWhenWrong')}
{row('P(c) undefined (markers under half the probability)', 'pcUndefinedRate')}
{row('AUROC of P(c) against correctness', 'auroc', percent=False)}
{row('AUROC of the raw P(`<|c_math|>`)', 'aurocRawPConfident', percent=False)}
{row('calibration accuracy (the marker agrees with the grade)', 'calibrationAccuracy')}
{row('majority baseline (always the commoner grade)', 'majorityBaseline')}
{row('calibration minus majority', 'calibrationOverMajority')}
{row('Delegation II: share delegated (`<|u_math|>` or none)', 'delegationRate')}
{row('Delegation II: system accuracy', 'systemAccuracy')}
{row('lift over the small model alone', 'delegationLift')}
{row('delegating the same share at random: accuracy', 'randomDelegationAccuracy')}
{row('lift over delegating at random', 'liftOverRandomDelegation')}

The large model is simulated: right with probability {large['accuracy']} on each problem, independently (seeded by
the problem's id), {_percent(held['largeAccuracy']['value'])} right on these problems.

By kind (with the adapter; right / wrong and the AUROC within the kind):

| kind | problems | base accuracy | accuracy | right / wrong | `<|c_math|>` | mean P(c) | AUROC within the kind |
|---|---|---|---|---|---|---|---|
{kind_row('add', '`a+b`')}
{kind_row('mul', '`a*b`')}

## What was learned

After LoRA on its own graded answers the model writes a marker after {_percent(1 - held['noTokenRate']['value'])} of
held-out answers: `<|c_math|>` after {_percent(held['confidentRateWhenRight']['value'])} of its right answers and
{_percent(held['confidentRateWhenWrong']['value'])} of its wrong ones. P(c) ranks a right answer above a wrong one with
AUROC {_interval(held['auroc'], percent=False)} (goal {summary['goals']['aurocGoal']}); the marker agrees with the grade
on {_percent(held['calibrationAccuracy']['value'])} of problems, {_above(held['calibrationOverMajority'], 0)} the
majority baseline of {_percent(held['majorityBaseline']['value'])}. Delegation II (hand `<|u_math|>` and unmarked
answers to the large model) delegates {_percent(held['delegationRate']['value'])} of problems and reaches
{_percent(held['systemAccuracy']['value'])}, {_percent(held['delegationLift']['value'])} over the small model alone and
{_percent(held['liftOverRandomDelegation']['value'])} over delegating as many problems at random (interval
{_above(held['liftOverRandomDelegation'], 0)} zero).

{_kind_signal_text(by_kind)}: the model is right on {_percent(by_kind['add']['accuracy'])} of `a+b`
and {_percent(by_kind['mul']['accuracy'])} of `a*b`, and writes `<|c_math|>` on {_percent(by_kind['add']['confidentRate'])}
and {_percent(by_kind['mul']['confidentRate'])} of them. {_within_kind_text(by_kind['add'])} Held-out accuracy
{change_words} from {_percent(base_held['accuracy']['value'])} before LoRA to {_percent(held['accuracy']['value'])} with
the adapter (`a+b`: {_percent(base_by_kind['add']['accuracy'])} -> {_percent(by_kind['add']['accuracy'])}); the seed's
LoRA trains on the model's wrong answers too (marked `<|u_math|>`), and the loss covers the answer as well as the marker.

## What a failure would have looked like

The base model's column is one: before LoRA the model writes no marker after {_percent(base_held['noTokenRate']['value'])}
of answers, its P(c) is undefined for {_percent(base_held['pcUndefinedRate']['value'])}, and the AUROC of P(c) is
{_number(base_held['auroc']['value'])}. A LoRA step that taught nothing would leave that, or write one marker for
everything (`<|c_math|>` on right and wrong answers alike, calibration accuracy no better than the majority baseline,
an AUROC interval that reaches 0.5, and a Delegation II lift no better than delegating the same share at random).
tiny-e2e, whose model has random weights, looks like that. The check fails when the base model's held-out accuracy is
outside {_percent(summary['goals']['accuracyRange'][0])}-{_percent(summary['goals']['accuracyRange'][1])} (the task
would be too easy or too hard to have both grades), when the AUROC is under the goal or its interval reaches 0.5, or
when the calibration interval does not clear the majority baseline.

Checks:
{checks}

Time: {summary['seconds']['command']} s for the command, {summary['threads']} torch thread(s) (base model
{summary['seconds']['baseModel']} s, base model on held-out {summary['seconds']['baseHeldOut']} s, step 1
{summary['seconds']['step1']} s, LoRA {summary['seconds']['train']} s, held-out with the adapter
{summary['seconds']['heldOut']} s, bootstrap {summary['seconds']['bootstrap']} s), {summary['provenance']['machine']}.
Versions: {', '.join(f'{name} {value}' for name, value in summary['provenance']['versions'].items())}; git
{summary['provenance']['gitRevision'][:12]}. Reproduce: `{summary['provenance']['command']}`.
"""
