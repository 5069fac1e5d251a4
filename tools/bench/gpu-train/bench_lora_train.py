"""LoRA training throughput for the Qwen2.5-1.5B architecture with random weights (no download).

Compares the seed's batch settings (micro-batch 5, gradient accumulation 4, padding to the longest
example of each micro-batch, max length 512) with larger micro-batches, length-grouped batches and
packed sequences (whole examples packed into 512-token rows; position ids restart per example and,
with no attention mask and no KV cache, transformers masks attention block-diagonally, so packed
examples do not see each other). Example lengths are those of the seed's SFT data
(example-lengths.json, from example_lengths.py); token ids are random. The LoRA settings are the
seed's (r 8, alpha 32, q_proj/v_proj, dropout 0.05); base weights bf16, adapter fp32 under bf16 autocast.

Reports, per variant: tokens/s (real tokens, padding excluded), examples/s, seconds per optimizer step,
the share of padding, and peak GPU memory.

    .venv/bin/python tools/bench/gpu-train/bench_lora_train.py                 # on a GPU
    .venv/bin/python tools/bench/gpu-train/bench_lora_train.py --tiny          # a few seconds on CPU (smoke test)
    ... --variants seed,packed8 --steps 20 --gradient-checkpointing --json out.json
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent

# Qwen2.5-Math-1.5B-Instruct's architecture (config.json on the hub).
QWEN25_15B = {
    "vocab_size": 151936,
    "hidden_size": 1536,
    "intermediate_size": 8960,
    "num_hidden_layers": 28,
    "num_attention_heads": 12,
    "num_key_value_heads": 2,
    "max_position_embeddings": 4096,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
}
TINY = {**QWEN25_15B, "vocab_size": 4096, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2}


@dataclass(frozen=True)
class Variant:
    name: str
    micro_batch: int  # examples per micro-batch (packed: rows of max_length tokens)
    accumulation: int
    layout: str  # "padded", "grouped" (length-grouped padded) or "packed"
    note: str


VARIANTS = {
    "seed": Variant("seed", 5, 4, "padded", "the seed: micro-batch 5 x accumulation 4, pad to longest"),
    "micro10": Variant("micro10", 10, 2, "padded", "micro-batch 10 x accumulation 2"),
    "micro20": Variant("micro20", 20, 1, "padded", "micro-batch 20, no accumulation"),
    "grouped": Variant("grouped", 5, 4, "grouped", "seed batches grouped by length (Trainer group_by_length)"),
    "grouped20": Variant("grouped20", 20, 1, "grouped", "micro-batch 20 grouped by length"),
    "packed4": Variant("packed4", 4, 2, "packed", "packed max-length rows, 4 rows x accumulation 2"),
    "packed8": Variant("packed8", 8, 1, "packed", "packed max-length rows, 8 rows"),
}


def load_lengths(max_length: int) -> list[tuple[int, int]]:
    """(prompt, completion) token counts of the seed's examples, scaled to max_length / 512 when it
    differs, then cut from the left to max_length as the runner does."""
    data = json.loads((HERE / "example-lengths.json").read_text())
    factor = max_length / 512
    examples = []
    for prompt, completion in zip(data["promptTokens"], data["completionTokens"]):
        if factor != 1:
            prompt, completion = max(1, round(prompt * factor)), max(1, round(completion * factor))
        excess = prompt + completion - max_length
        if excess > 0:
            cut = min(prompt, excess)
            prompt, completion = prompt - cut, completion - (excess - cut)
        examples.append((prompt, completion))
    return examples


def micro_batches(variant: Variant, examples: list[tuple[int, int]], max_length: int, vocab: int, count: int, seed: int):
    """Yield `count` micro-batches: (input_ids, labels, attention_mask | None, position_ids | None, real tokens, examples)."""
    generator = random.Random(seed)
    order = examples[:]
    generator.shuffle(order)
    if variant.layout == "grouped":
        # like Trainer's group_by_length: sort within mega-batches of 50 micro-batches
        mega = variant.micro_batch * 50
        order = [item for start in range(0, len(order), mega) for item in sorted(order[start : start + mega], key=sum, reverse=True)]
    cursor = 0
    produced = 0

    def next_example() -> tuple[int, int]:
        nonlocal cursor
        item = order[cursor % len(order)]
        cursor += 1
        return item

    while produced < count:
        if variant.layout == "packed":
            rows, labels, positions, real, packed = [], [], [], 0, 0
            for _ in range(variant.micro_batch):
                row, label, position = [], [], []
                while True:
                    prompt, completion = order[cursor % len(order)]
                    if len(row) + prompt + completion > max_length:
                        break
                    cursor += 1
                    packed += 1
                    ids = [generator.randrange(vocab) for _ in range(prompt + completion)]
                    row += ids
                    label += [-100] * prompt + ids[prompt:]
                    position += list(range(prompt + completion))
                real += len(row)
                pad = max_length - len(row)
                row += [0] * pad
                label += [-100] * pad
                position += list(range(pad))  # padding is its own segment
                rows.append(row), labels.append(label), positions.append(position)
            yield torch.tensor(rows), torch.tensor(labels), None, torch.tensor(positions), real, packed
        else:
            batch = [next_example() for _ in range(variant.micro_batch)]
            width = max(prompt + completion for prompt, completion in batch)
            rows, labels, mask, real = [], [], [], 0
            for prompt, completion in batch:
                ids = [generator.randrange(vocab) for _ in range(prompt + completion)]
                pad = width - len(ids)
                rows.append(ids + [0] * pad)
                labels.append([-100] * prompt + ids[prompt:] + [-100] * pad)
                mask.append([1] * len(ids) + [0] * pad)
                real += len(ids)
            yield torch.tensor(rows), torch.tensor(labels), torch.tensor(mask), None, real, len(batch)
        produced += 1


def build_model(config_values: dict, device: torch.device, dtype: torch.dtype, gradient_checkpointing: bool):
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(**config_values)
    torch.manual_seed(0)
    with device:
        model = Qwen2ForCausalLM._from_config(config, dtype=dtype, attn_implementation="sdpa")
    if gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    lora = LoraConfig(r=8, lora_alpha=32, lora_dropout=0.05, target_modules=["q_proj", "v_proj"], bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, lora)


def run_variant(model, variant: Variant, examples, arguments, device: torch.device, autocast_dtype: torch.dtype | None, vocab: int) -> dict:
    optimizer = torch.optim.AdamW([parameter for parameter in model.parameters() if parameter.requires_grad], lr=5e-5)
    total_micro = (arguments.warmup + arguments.steps) * variant.accumulation
    batches = micro_batches(variant, examples, arguments.max_length, vocab, total_micro, arguments.seed)
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    real_tokens = padded_tokens = examples_seen = 0
    started = None
    model.train()
    for step in range(arguments.warmup + arguments.steps):
        if step == arguments.warmup:
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            started = time.perf_counter()
            real_tokens = padded_tokens = examples_seen = 0
        for _ in range(variant.accumulation):
            input_ids, labels, mask, positions, real, count = next(batches)
            real_tokens += real
            padded_tokens += input_ids.numel()
            examples_seen += count
            # use_cache=False: no KV cache in training, and transformers only derives the block-diagonal
            # mask of packed rows from position_ids when there is no cache.
            inputs = {"input_ids": input_ids.to(device), "labels": labels.to(device), "use_cache": False}
            if mask is not None:
                inputs["attention_mask"] = mask.to(device)
            if positions is not None:
                inputs["position_ids"] = positions.to(device)
            with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
                loss = model(**inputs).loss / variant.accumulation
            loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elapsed = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    return {
        "variant": variant.name,
        "note": variant.note,
        "tokensPerSecond": real_tokens / elapsed,
        "examplesPerSecond": examples_seen / elapsed,
        "secondsPerStep": elapsed / arguments.steps,
        "paddingShare": 1 - real_tokens / padded_tokens,
        "peakMemoryGiB": peak,
        "finalLoss": float(loss.detach()) * variant.accumulation,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="tiny config, short sequences, fp32: a CPU smoke test")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, from {', '.join(VARIANTS)}")
    parser.add_argument("--steps", type=int, default=None, help="timed optimizer steps per variant (default 10; tiny 2)")
    parser.add_argument("--warmup", type=int, default=None, help="untimed optimizer steps first (default 2; tiny 1)")
    parser.add_argument("--max-length", type=int, default=None, help="default 512 (tiny 64)")
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    arguments = parser.parse_args()
    arguments.steps = arguments.steps or (2 if arguments.tiny else 10)
    arguments.warmup = arguments.warmup if arguments.warmup is not None else (1 if arguments.tiny else 2)
    arguments.max_length = arguments.max_length or (64 if arguments.tiny else 512)
    unknown = [name for name in arguments.variants.split(",") if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}")

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu" and not arguments.tiny:
        print("warning: no GPU; the full 1.5B model on CPU is very slow (use --tiny for a smoke test)", file=sys.stderr)
    use_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported() and not arguments.tiny
    config_values = TINY if arguments.tiny else QWEN25_15B
    examples = load_lengths(arguments.max_length)
    model = build_model(config_values, device, torch.bfloat16 if use_bf16 else torch.float32, arguments.gradient_checkpointing)
    trainable, total = model.get_nb_trainable_parameters()
    environment = {
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "precision": "bf16 weights + bf16 autocast" if use_bf16 else "fp32",
        "architecture": "tiny Qwen2" if arguments.tiny else "Qwen2.5-1.5B (random weights)",
        "parameters": total,
        "trainableParameters": trainable,
        "maxLength": arguments.max_length,
        "gradientCheckpointing": arguments.gradient_checkpointing,
        "steps": arguments.steps,
        "warmup": arguments.warmup,
    }
    print(json.dumps(environment), file=sys.stderr)
    results = []
    for name in arguments.variants.split(","):
        variant = VARIANTS[name]
        try:
            result = run_variant(model, variant, examples, arguments, device, torch.bfloat16 if use_bf16 else None, config_values["vocab_size"])
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            result = {"variant": name, "note": variant.note, "error": "out of memory"}
        results.append(result)
        print(format_row(result), file=sys.stderr, flush=True)

    print(f"\n{environment['architecture']} on {environment['device']}, {environment['precision']}, max length {arguments.max_length}"
          f"{', gradient checkpointing' if arguments.gradient_checkpointing else ''}; {arguments.steps} timed steps per variant\n")
    print(f"| variant | tokens/s | examples/s | s/step | padding | peak GiB | what |\n|---|---:|---:|---:|---:|---:|---|")
    for result in results:
        print(format_row(result))
    if device.type == "cpu":
        print(f"\nprocess peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    if arguments.json:
        arguments.json.write_text(json.dumps({"environment": environment, "results": results}, indent=2) + "\n")


def format_row(result: dict) -> str:
    if "error" in result:
        return f"| {result['variant']} | {result['error']} | | | | | {result['note']} |"
    peak = "n/a" if result["peakMemoryGiB"] is None else f"{result['peakMemoryGiB']:.1f}"
    return (f"| {result['variant']} | {result['tokensPerSecond']:,.0f} | {result['examplesPerSecond']:.2f} | "
            f"{result['secondsPerStep']:.3f} | {result['paddingShare']:.0%} | {peak} | {result['note']} |")


if __name__ == "__main__":
    main()
