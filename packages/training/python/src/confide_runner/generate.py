"""``generate``: batched greedy generation with the base model (+ adapter), stopping after the
confidence marker, and the probabilities of both markers at the position where one was (or would be)
written."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from .cancellation import Cancellation
from .config import GenerateConfig, ProblemInput
from .confidence import CONFIDENCE_TOKENS, CONFIDENT_TOKEN, UNCERTAIN_TOKEN, ConfidenceMarkers, add_confidence_tokens, markers_for
from .errors import NotFoundError
from .models import choose_placement, load_base_model, load_tokenizer
from .prompts import render_prompt
from .protocol import EventStream, log


@dataclass(frozen=True)
class Completion:
    """What one generated row holds, cut after the marker (or at the end of the turn)."""

    token: str | None
    marker_position: int  # index in the generated ids where a marker starts, or would start
    kept: list[int]  # generated ids up to and including the marker (no end-of-turn, no padding)
    output_tokens: int
    finish_reason: str


def find_completion(generated: list[int], markers: ConfidenceMarkers, stop_ids: set[int]) -> Completion:
    stop_index = next((index for index, token in enumerate(generated) if token in stop_ids), None)
    limit = stop_index if stop_index is not None else len(generated)
    for start in range(limit):
        for token, ids in markers.ids.items():
            if tuple(generated[start : start + len(ids)]) == ids and start + len(ids) <= limit:
                end = start + len(ids)
                return Completion(token, start, generated[:end], end, "stop")
    if stop_index is not None:
        return Completion(None, stop_index, generated[:stop_index], stop_index + 1, "stop")
    return Completion(None, len(generated), generated, len(generated), "length")


def marker_probabilities(model, contexts: list[list[int]], markers: ConfidenceMarkers, pad_id: int, batch_size: int, device) -> list[dict[str, float]]:
    """P(marker | context) for both markers, by teacher forcing: the product of the marker's token
    probabilities. The two markers are disjoint continuations, so the two probabilities sum to at most 1."""
    tokens = list(CONFIDENCE_TOKENS)
    sequences = [(row, token, context + list(markers.ids[token])) for row, context in enumerate(contexts) for token in tokens]
    keep = markers.longest + 1
    log_probabilities: dict[tuple[int, str], float] = {}
    for offset in range(0, len(sequences), batch_size):
        chunk = sequences[offset : offset + batch_size]
        width = max(len(sequence) for _, _, sequence in chunk)
        input_ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        attention = torch.zeros((len(chunk), width), dtype=torch.long)
        for index, (_, _, sequence) in enumerate(chunk):
            input_ids[index, width - len(sequence) :] = torch.tensor(sequence)
            attention[index, width - len(sequence) :] = 1
        with torch.no_grad():
            logits = model(input_ids=input_ids.to(device), attention_mask=attention.to(device), logits_to_keep=keep).logits
        log_softmax = logits.float().log_softmax(dim=-1)
        for index, (row, token, _) in enumerate(chunk):
            ids = markers.ids[token]
            first = keep - (len(ids) + 1)
            total = sum(log_softmax[index, first + position, token_id].item() for position, token_id in enumerate(ids))
            log_probabilities[(row, token)] = total
    results = []
    for row in range(len(contexts)):
        confident = float(torch.tensor(log_probabilities[(row, CONFIDENT_TOKEN)]).exp())
        uncertain = float(torch.tensor(log_probabilities[(row, UNCERTAIN_TOKEN)]).exp())
        total = confident + uncertain
        if total > 1:  # rounding only: the events are disjoint
            confident, uncertain = confident / total, uncertain / total
        results.append({"confident": confident, "uncertain": uncertain})
    return results


def _stop_ids(model, tokenizer) -> set[int]:
    ids: set[int] = set()
    configured = getattr(model.generation_config, "eos_token_id", None)
    if isinstance(configured, int):
        ids.add(configured)
    elif configured:
        ids.update(configured)
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


@dataclass(frozen=True)
class ModelChoice:
    """What a generate config loads: the adapter folder (if any), the confidence-token mode, the tokenizer's source."""

    adapter_dir: Path | None
    mode: str
    tokenizer_source: str


def resolve_model_choice(config: GenerateConfig) -> ModelChoice:
    adapter_dir = Path(config.adapter) if config.adapter else None
    adapter_info: dict = {}
    if adapter_dir is not None:
        if not (adapter_dir / "adapter_config.json").is_file():
            raise NotFoundError(f"adapter not found: {adapter_dir} has no adapter_config.json")
        info_file = adapter_dir / "confide-adapter.json"
        if info_file.is_file():
            adapter_info = json.loads(info_file.read_text(encoding="utf-8"))
    mode = config.confidenceTokens or adapter_info.get("confidenceTokens") or "text"
    tokenizer_source = str(adapter_dir) if adapter_dir is not None and (adapter_dir / "tokenizer_config.json").is_file() else config.baseModel
    return ModelChoice(adapter_dir, mode, tokenizer_source)


def load_prompt_tokenizer(choice: ModelChoice):
    """The tokenizer that renders prompts (left padding; the confidence tokens added in ``special`` mode)."""
    tokenizer = load_tokenizer(choice.tokenizer_source, padding_side="left")
    if choice.mode == "special":
        add_confidence_tokens(tokenizer)
    return tokenizer


def generation_order(config: GenerateConfig, prompts: dict[str, str]) -> list[ProblemInput]:
    """Longest prompts first: batches of similar length waste less padding. Every engine batches this order."""
    return sorted(config.problems, key=lambda problem: -len(prompts[problem.id]))


def render_prompts(tokenizer, config: GenerateConfig) -> dict[str, str]:
    return {problem.id: render_prompt(tokenizer, problem.problem, config.systemPrompt, config.userTemplate) for problem in config.problems}


class Generator:
    """The model loaded once, generating a batch of problems at a time: greedy, cut after the confidence marker, with
    P(c) and P(u) by teacher forcing. The plain path and each Ray worker generate through this, batch for batch."""

    def __init__(self, config: GenerateConfig, placement):
        from transformers import GenerationConfig

        self.config = config
        choice = resolve_model_choice(config)
        self.tokenizer = load_prompt_tokenizer(choice)
        self.markers = markers_for(self.tokenizer, choice.mode)
        model = load_base_model(config.baseModel, placement.dtype)
        if len(self.tokenizer) > model.get_input_embeddings().weight.shape[0]:
            model.resize_token_embeddings(len(self.tokenizer))
        if choice.adapter_dir is not None:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(choice.adapter_dir))
        self.device = torch.device("cuda" if placement.device == "cuda" else "cpu")
        model.to(self.device)
        model.eval()
        self.model = model
        self.stop_ids = _stop_ids(model, self.tokenizer)
        self.generation_config = GenerationConfig(
            max_new_tokens=config.maxNewTokens,
            do_sample=False,
            pad_token_id=self.tokenizer.pad_token_id,
            eos_token_id=sorted(self.stop_ids),
        )

    def _marker_stop(self):
        from transformers import StoppingCriteria

        markers = self.markers

        class MarkerStop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
                for ids in markers.ids.values():
                    if input_ids.shape[1] >= len(ids):
                        tail = torch.tensor(ids, device=input_ids.device)
                        done |= (input_ids[:, -len(ids) :] == tail).all(dim=1)
                return done

        return MarkerStop()

    def generate(self, batch: list[ProblemInput]) -> list[dict]:
        """One record per problem, in batch order: the fields of a ``generation`` event."""
        from transformers import StoppingCriteriaList

        batch_started = time.monotonic()
        tokenizer = self.tokenizer
        prompts = [render_prompt(tokenizer, problem.problem, self.config.systemPrompt, self.config.userTemplate) for problem in batch]
        encoded = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        recorder = None
        if self.config.logprobs is not None:
            from transformers import LogitsProcessorList

            from .token_logprobs import TopLogprobsRecorder

            recorder = TopLogprobsRecorder(self.config.logprobs)
        with torch.no_grad():
            output = self.model.generate(
                input_ids=encoded["input_ids"].to(self.device),
                attention_mask=encoded["attention_mask"].to(self.device),
                generation_config=self.generation_config,
                stopping_criteria=StoppingCriteriaList([self._marker_stop()]),
                **({"logits_processor": LogitsProcessorList([recorder])} if recorder is not None else {}),
            )
        width = encoded["input_ids"].shape[1]
        completions, contexts = [], []
        for row in range(len(batch)):
            prompt_ids = encoded["input_ids"][row][encoded["attention_mask"][row].bool()].tolist()
            completion = find_completion(output[row, width:].tolist(), self.markers, self.stop_ids)
            completions.append((len(prompt_ids), completion))
            contexts.append(prompt_ids + completion.kept[: completion.marker_position])
        probabilities = marker_probabilities(self.model, contexts, self.markers, tokenizer.pad_token_id, self.config.batchSize, self.device)
        latency_ms = (time.monotonic() - batch_started) * 1000 / len(batch)
        return [
            {
                "id": problem.id,
                "text": tokenizer.decode(completion.kept, skip_special_tokens=False),
                "confidenceToken": completion.token,
                "confidenceProbabilities": probability,
                "usage": {"input": input_tokens, "output": completion.output_tokens},
                "finishReason": completion.finish_reason,
                "latencyMs": latency_ms,
                # one row per output token (the marker's, and the end of turn where it was generated)
                **({"topLogprobs": recorder.rows(row, completion.output_tokens)} if recorder is not None else {}),
            }
            for row, (problem, (input_tokens, completion), probability) in enumerate(zip(batch, completions, probabilities))
        ]


def batches_of(ordered: list[ProblemInput], batch_size: int) -> list[list[ProblemInput]]:
    return [ordered[offset : offset + batch_size] for offset in range(0, len(ordered), batch_size)]


def run_generate(config: GenerateConfig, events: EventStream, cancellation: Cancellation) -> int:
    started = time.monotonic()
    events.emit("progress", phase="load", step=0, totalSteps=None, message=f"loading {config.baseModel}")
    generator = Generator(config, choose_placement(config.precision))
    ordered = generation_order(config, render_prompts(generator.tokenizer, config))
    done = 0
    output_tokens_total = 0
    status = "completed"
    for batch in batches_of(ordered, config.batchSize):
        if cancellation.requested:
            status = "cancelled"
            break
        for record in generator.generate(batch):
            output_tokens_total += record["usage"]["output"]
            events.emit("generation", **record)
        done += len(batch)
        emit_generate_progress(events, done, len(ordered), output_tokens_total, started)
    log(f"generated {done} of {len(ordered)} ({output_tokens_total} output tokens) in {time.monotonic() - started:.1f}s")
    events.emit("result", command="generate", status=status, count=done, outputTokens=output_tokens_total,
                durationSeconds=time.monotonic() - started)
    return 0


def emit_generate_progress(events: EventStream, done: int, total: int, output_tokens: int, started: float) -> None:
    elapsed = time.monotonic() - started
    events.emit(
        "progress",
        phase="generate",
        step=done,
        totalSteps=total,
        tokensPerSecond=output_tokens / elapsed if elapsed > 0 else None,
        elapsedSeconds=elapsed,
        etaSeconds=elapsed / done * (total - done) if done > 0 else None,
    )
