"""``train``: LoRA supervised fine-tuning with the Hugging Face Trainer (so torchrun gives several GPUs and several
machines for free: gloo on CPU, NCCL on GPUs), reporting through the event stream, stopping cleanly on SIGTERM with a
checkpoint.

Across processes the data order is the one-process order: the Trainer's seeded sampler draws the same permutation
whatever the number of processes, and each optimizer step's global batch (per-process batch x accumulation x
processes) is split between the processes, whose gradients are averaged over all labelled tokens of that batch. So
with LoRA dropout 0, N processes with a per-process batch of B / N train the adapter one process trains with B.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Any, Callable

import torch

from . import __version__
from .cancellation import Cancellation
from .config import TrainConfig, config_to_json
from .confidence import (
    ConfidenceMarkers,
    add_confidence_tokens,
    markers_for,
    prepare_model_for_special_tokens,
    trainable_token_modules,
)
from .data import PaddingCollator, SftDataset, SftRow, balance_rows, load_sft_rows, tokenize_row
from .errors import InvalidConfigError, NotFoundError
from .files import replace_directory, write_json_atomic, write_text_atomic
from .labelled_loss import labelled_positions_loss
from .lora import LoraSettings, build_lora_config
from .model_card import render_model_card
from .models import choose_placement, load_base_model, load_tokenizer
from .protocol import EventStream, log

CHECKPOINT_PATTERN = re.compile(r"^checkpoint-(\d+)$")
# Keys that may change between a run and its --resume (they do not change what is learned so far).
RESUMABLE_CHANGES = {"maxSteps", "checkpointEverySteps", "keepCheckpoints", "manifest"}


def latest_checkpoint(directory: Path) -> Path | None:
    if not directory.is_dir():
        return None
    numbered = [
        (int(match.group(1)), entry)
        for entry in directory.iterdir()
        if entry.is_dir() and (match := CHECKPOINT_PATTERN.match(entry.name)) and (entry / "trainer_state.json").exists()
    ]
    return max(numbered)[1] if numbered else None


def check_output_dir(config: TrainConfig, config_path: str, resume: bool) -> Path | None:
    output_dir = Path(config.outputDir)
    checkpoint = latest_checkpoint(output_dir / "checkpoints")
    saved_config = output_dir / "training-config.json"
    if resume:
        if checkpoint is None:
            raise NotFoundError(f"--resume: no checkpoint under {output_dir / 'checkpoints'}")
        if saved_config.exists():
            before = json.loads(saved_config.read_text(encoding="utf-8"))
            now = config_to_json(config)
            changed = sorted(
                key for key in set(before) | set(now) if key not in RESUMABLE_CHANGES and before.get(key) != now.get(key)
            )
            if changed:
                raise InvalidConfigError(
                    config_path, changed[0], f"differs from the run being resumed ({saved_config}); changed: {', '.join(changed)}"
                )
        return checkpoint
    if checkpoint is not None or (output_dir / "adapter").exists():
        raise InvalidConfigError(
            config_path, "outputDir", f"{output_dir} already holds a run: pass --resume to continue it, or choose another outputDir"
        )
    return None


def run_train(
    config: TrainConfig,
    config_path: str,
    resume: bool,
    events: EventStream,
    cancellation: Cancellation,
    after_training: Callable[[Any, Any, ConfidenceMarkers], None] | None = None,
    rows: list[SftRow] | None = None,
) -> int:
    """Train and save the adapter. ``after_training(model, tokenizer, markers)`` sees the trained model
    while it is still in memory (tests use it to check that the saved adapter reloads identically)."""
    from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments, set_seed
    from peft import get_peft_model

    started = time.monotonic()
    resume_from = check_output_dir(config, config_path, resume)
    output_dir = Path(config.outputDir)
    placement = choose_placement(config.precision)

    if rows is None:
        rows = load_sft_rows(config.trainFile)
    confident = sum(row.correct for row in rows)
    selected = balance_rows(rows, config.seed, config.trainFile) if config.balance else rows
    log(f"{len(rows)} rows ({confident} correct, {len(rows) - confident} incorrect); training on {len(selected)}")

    set_seed(config.seed)
    events.emit("progress", phase="load", step=0, totalSteps=None, message=f"loading {config.baseModel}")
    tokenizer = load_tokenizer(config.baseModel, padding_side="right")
    if config.confidenceTokens == "special":
        add_confidence_tokens(tokenizer)
    markers = markers_for(tokenizer, config.confidenceTokens)
    # Weights stay in fp32; bf16/fp16 run as mixed precision inside the Trainer.
    model = load_base_model(config.baseModel, torch.float32)
    model.config.use_cache = False  # no KV cache while training: it only costs memory
    prepare_model_for_special_tokens(model, tokenizer, markers)

    examples = [
        tokenize_row(row, tokenizer, markers, config.maxLength, config.systemPrompt, config.userTemplate)
        for row in selected
    ]
    at_limit = sum(1 for example in examples if len(example["input_ids"]) == config.maxLength)
    if at_limit:
        log(f"{at_limit} of {len(examples)} examples were cut from the left to {config.maxLength} tokens")

    lora_settings = LoraSettings(
        rank=config.lora.rank,
        alpha=config.lora.alpha,
        dropout=config.lora.dropout,
        target_modules=config.lora.targetModules,
        bias=config.lora.bias,
        trainable_token_indices=markers.added_token_ids,
        trainable_token_modules=tuple(trainable_token_modules(model)),
    )
    model = get_peft_model(model, build_lora_config(lora_settings))
    trainable, total = model.get_nb_trainable_parameters()
    log(f"trainable parameters: {trainable:,} of {total:,} ({100 * trainable / total:.3f}%)")

    if resume_from is None:
        write_json_atomic(output_dir / "training-config.json", config_to_json(config))

    arguments = TrainingArguments(
        output_dir=str(output_dir / "checkpoints"),
        per_device_train_batch_size=config.perDeviceBatchSize,
        gradient_accumulation_steps=config.gradientAccumulationSteps,
        learning_rate=config.learningRate,
        num_train_epochs=config.epochs,
        max_steps=config.maxSteps if config.maxSteps is not None else -1,
        lr_scheduler_type="linear",
        logging_steps=1,
        save_strategy="steps",
        save_steps=config.checkpointEverySteps,
        save_total_limit=config.keepCheckpoints,
        seed=config.seed,
        data_seed=config.seed,
        bf16=placement.precision == "bf16",
        fp16=placement.precision == "fp16",
        use_cpu=placement.device == "cpu",
        report_to="none",
        disable_tqdm=True,
        remove_unused_columns=False,
        include_num_input_tokens_seen="non_padding",
        dataloader_num_workers=0,
        log_level="warning",
    )
    callback = ProtocolCallback(TrainerCallback, events, cancellation)
    trainer = labelled_loss_trainer(Trainer)(
        model=model,
        args=arguments,
        train_dataset=SftDataset(examples),
        data_collator=PaddingCollator(tokenizer.pad_token_id),
        callbacks=[callback.instance],
    )
    trainer.remove_callback(PrinterCallback)  # the events carry the numbers; keep stderr for messages
    processes = trainer.accelerator.num_processes
    log(f"global batch: {config.perDeviceBatchSize * config.gradientAccumulationSteps * processes} examples per optimizer step "
        f"({config.perDeviceBatchSize} per process x {config.gradientAccumulationSteps} accumulation x {processes} processes)")

    if cancellation.requested:
        events.emit("result", command="train", status="cancelled", adapterPath=None, checkpointPath=None,
                    durationSeconds=time.monotonic() - started, steps=0, epochs=0.0,
                    plannedEpochs=None, firstLoss=None, finalLoss=None, examples=len(selected), tokensSeen=0)
        return 0

    if resume_from is not None:
        log(f"resuming from {resume_from}")
    trainer.train(resume_from_checkpoint=str(resume_from) if resume_from is not None else None)
    state = trainer.state
    losses = [entry["loss"] for entry in state.log_history if "loss" in entry]
    summary = {
        "steps": state.global_step,
        "epochs": state.epoch,
        "plannedEpochs": state.num_train_epochs,
        "firstLoss": losses[0] if losses else None,
        "finalLoss": losses[-1] if losses else None,
        "examples": len(selected),
        "tokensSeen": state.num_input_tokens_seen,
    }

    if callback.cancelled:
        checkpoint = latest_checkpoint(output_dir / "checkpoints")
        events.emit("result", command="train", status="cancelled", adapterPath=None,
                    checkpointPath=str(checkpoint) if checkpoint else None, durationSeconds=time.monotonic() - started,
                    **summary)
        return 0

    adapter_dir = output_dir / "adapter"
    if trainer.accelerator.is_main_process:
        temporary = output_dir / ".adapter.tmp"
        if temporary.exists():
            shutil.rmtree(temporary)
    trainer.save_model(str(output_dir / ".adapter.tmp"))
    if trainer.accelerator.is_main_process:
        temporary = output_dir / ".adapter.tmp"
        tokenizer.save_pretrained(str(temporary))
        write_json_atomic(
            temporary / "confide-adapter.json",
            {
                "runnerVersion": __version__,
                "baseModel": config.baseModel,
                "confidenceTokens": config.confidenceTokens,
                "markers": {token: list(ids) for token, ids in markers.ids.items()},
                "vocabularySize": len(tokenizer),
                "systemPrompt": config.systemPrompt,
                "userTemplate": config.userTemplate,
            },
        )
        write_text_atomic(
            temporary / "README.md",
            render_model_card(config, summary, confident=confident, incorrect=len(rows) - confident,
                              device=placement.description, precision=placement.precision),
        )
        replace_directory(temporary, adapter_dir)
        if config.manifest is not None:
            write_json_atomic(output_dir / "manifest.json", config.manifest)
        events.emit("checkpoint", path=str(adapter_dir), step=state.global_step, epoch=state.epoch, reason="final")
    if after_training is not None:
        after_training(trainer.model, tokenizer, markers)
    # On a machine other than node 0 of a run across machines no process writes the adapter: it names none.
    written_here = trainer.accelerator.is_main_process
    events.emit("result", command="train", status="completed", adapterPath=str(adapter_dir) if written_here else None,
                checkpointPath=None, durationSeconds=time.monotonic() - started, **summary)
    return 0


def leave_process_group() -> None:
    """Take down this process's part of a run across processes (torchrun) before the interpreter exits.

    A gloo process group left up at exit can abort the process at interpreter shutdown ("terminate called without an
    active exception", SIGABRT) when the other processes exit at the same moment: torchrun then reports a run that
    completed (adapter written, `result` sent) as failed, exit code 1. Destroying the group first closes its threads
    and connections in order. No barrier here: a process that stopped before training (a cancel seen only on its
    machine) must not wait in a collective the others never join. Does nothing in a single process.
    """
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def labelled_loss_trainer(base: type) -> type:
    """The Trainer with its loss computed on labelled positions only (``labelled_loss``): the same value as the
    model's own loss without full-vocabulary logits for every position. Built around the Trainer class passed in, so
    transformers loads lazily."""

    class LabelledLossTrainer(base):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            loss = labelled_positions_loss(model, inputs, num_items_in_batch)
            if self.args.average_tokens_across_devices and num_items_in_batch is not None:
                loss = loss * self.accelerator.num_processes  # as the Trainer scales the model's own loss
            return (loss, None) if return_outputs else loss

    return LabelledLossTrainer


class ProtocolCallback:
    """Turns Trainer callbacks into protocol events and honours cancellation.

    Built around the Trainer's callback base class (passed in, so transformers loads lazily).
    """

    def __init__(self, base: type, events: EventStream, cancellation: Cancellation):
        self.events = events
        self.cancellation = cancellation
        self.cancelled = False
        self.session_start = time.monotonic()
        self.session_first_step = 0
        self.session_first_tokens = 0
        owner = self

        class _Callback(base):
            def on_train_begin(self, args, state, control, **kwargs):
                owner.session_start = time.monotonic()
                owner.session_first_step = state.global_step
                owner.session_first_tokens = state.num_input_tokens_seen

            def on_step_end(self, args, state, control, **kwargs):
                if owner._cancel_agreed():
                    owner.cancelled = True
                    control.should_save = True
                    control.should_training_stop = True
                return control

            def on_log(self, args, state, control, logs=None, **kwargs):
                owner._on_log(state, logs or {})

            def on_save(self, args, state, control, **kwargs):
                if not state.is_world_process_zero:
                    return  # only rank 0 writes checkpoints; another machine's caller must not be told of one here
                path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
                owner.events.emit("checkpoint", path=str(path), step=state.global_step, epoch=state.epoch,
                                  reason="cancel" if owner.cancelled else "interval")

        self.instance = _Callback()

    def _cancel_agreed(self) -> bool:
        """Every process must stop at the same step, or collectives hang: agree on the flag."""
        requested = self.cancellation.requested
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            flag = torch.tensor([1.0 if requested else 0.0], device="cuda" if torch.cuda.is_available() else "cpu")
            torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
            requested = bool(flag.item() > 0)
        return requested

    def _on_log(self, state, logs: dict) -> None:
        if "loss" not in logs:
            return
        elapsed = time.monotonic() - self.session_start
        steps_done = state.global_step - self.session_first_step
        tokens_done = state.num_input_tokens_seen - self.session_first_tokens
        remaining = max(state.max_steps - state.global_step, 0)
        self.events.emit(
            "progress",
            phase="train",
            epoch=state.epoch,
            epochs=state.num_train_epochs,
            step=state.global_step,
            totalSteps=state.max_steps,
            loss=logs["loss"],
            learningRate=logs.get("learning_rate"),
            tokensPerSecond=tokens_done / elapsed if elapsed > 0 else None,
            elapsedSeconds=elapsed,
            etaSeconds=remaining * elapsed / steps_done if steps_done > 0 else None,
        )
        for name in ("loss", "grad_norm", "learning_rate"):
            if isinstance(logs.get(name), (int, float)):
                self.events.emit("metric", name=f"train/{name}", value=float(logs[name]), step=state.global_step)
