"""The prepared GPU check (issue 29 item 5): Qwen2.5-Math-1.5B's architecture with random weights (no download),
LoRA training at the seed's settings, then greedy generation with transformers; one table of tokens/s and peak memory.

Training: the seed's LoRA (r 8, alpha 32, q_proj/v_proj, dropout 0.05, AdamW at lr 5e-5) and batches (micro-batch
5 x gradient accumulation 4, each micro-batch padded to its longest example, max length 512) on random token ids of
the seed's example lengths (tools/bench/gpu-train/example-lengths.json), in two precisions: fp32 weights under bf16
autocast (the precision confide train uses: the Trainer's bf16 mixed precision) and bf16 weights under bf16 autocast.
The loop is tools/bench/gpu-train's (the model's own loss, full-vocabulary logits; the runner's labelled loss needs
less memory). Generation: the bf16 model with its LoRA adapter unmerged (as the runner loads an adapter), greedy, a
batch of random prompts of the seed's median prompt length, every sequence made to run the full number of new tokens.

    bash tools/gpu-check.sh                  # one GPU: sized for under 8 minutes on an H100 (estimated 1 to 3; not yet run)
    bash tools/gpu-check.sh --json out.json  # the table's numbers as JSON too
    bash tools/gpu-check.sh --quick          # a tiny config on CPU in seconds: the same code, checked by a test

The table goes to stdout; progress and the environment to stderr. Nothing is downloaded (HF_HUB_OFFLINE=1).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

STARTED = time.monotonic()  # the total in the table counts the imports too

import torch  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "gpu-train"))
import bench_lora_train as bench  # noqa: E402  (the training loop, the seed's lengths and the 1.5B config)

# Qwen2.5-Math-1.5B(-Instruct)'s architecture, written out in bench_lora_train.py: hidden 1536, 28 layers, 12 heads,
# 2 KV heads, intermediate 8960, vocabulary 151,936, rope theta 10,000, 4,096 positions, tied embeddings.
FULL_CONFIG = bench.QWEN25_15B
QUICK_CONFIG = bench.TINY
FULL_PARAMETERS = 1_543_714_304  # Qwen's "1.54B" (1.31B without the embedding)
SEED_VARIANT = bench.VARIANTS["seed"]


@dataclass(frozen=True)
class Sizes:
    max_length: int
    steps: int
    warmup: int
    batch_sizes: tuple[int, ...]
    prompt_tokens: int
    new_tokens: int


def seed_prompt_median() -> int:
    data = json.loads((HERE.parent / "gpu-train" / "example-lengths.json").read_text())
    return int(statistics.median(data["promptTokens"]))


def sizes_for(arguments: argparse.Namespace) -> Sizes:
    quick = arguments.quick
    return Sizes(
        max_length=arguments.max_length or (64 if quick else 512),
        steps=arguments.steps or (2 if quick else 10),
        warmup=arguments.warmup if arguments.warmup is not None else (1 if quick else 2),
        batch_sizes=tuple(int(size) for size in arguments.batch_sizes.split(",")) if arguments.batch_sizes else ((1, 2) if quick else (1, 8, 32, 64)),
        prompt_tokens=arguments.prompt_tokens or (16 if quick else seed_prompt_median()),
        new_tokens=arguments.new_tokens or (8 if quick else 256),
    )


def count_parameters(config_values: dict) -> int:
    """The parameters of the architecture, counted on the meta device (no memory, no time)."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    with torch.device("meta"):
        model = Qwen2ForCausalLM(Qwen2Config(**config_values))
    return sum(parameter.numel() for parameter in model.parameters())


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_gib(device: torch.device) -> float | None:
    return torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None


def release(device: torch.device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def train_row(name: str, config_values: dict, weights: torch.dtype, sizes: Sizes, device: torch.device, seed: int):
    """One training row: the seed's batches on a fresh model with fp32 or bf16 weights, bf16 autocast."""
    model = bench.build_model(config_values, device, weights, gradient_checkpointing=False)
    settings = argparse.Namespace(steps=sizes.steps, warmup=sizes.warmup, max_length=sizes.max_length, seed=seed)
    result = bench.run_variant(model, SEED_VARIANT, bench.load_lengths(sizes.max_length), settings, device, torch.bfloat16, config_values["vocab_size"])
    if not torch.isfinite(torch.tensor(result["finalLoss"])):
        raise RuntimeError(f"{name}: the loss is not finite ({result['finalLoss']})")
    row = {
        "part": "train",
        "setting": name,
        "tokensPerSecond": result["tokensPerSecond"],
        "examplesPerSecond": result["examplesPerSecond"],
        "secondsPerStep": result["secondsPerStep"],
        "paddingShare": result["paddingShare"],
        "peakMemoryGiB": result["peakMemoryGiB"],
        "finalLoss": result["finalLoss"],
    }
    return model, row


def generation_row(model, batch_size: int, sizes: Sizes, vocabulary: int, device: torch.device, seed: int) -> dict:
    generator = torch.Generator().manual_seed(seed + batch_size)
    prompts = torch.randint(0, vocabulary, (batch_size, sizes.prompt_tokens), generator=generator).to(device)
    attention = torch.ones_like(prompts)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    synchronize(device)
    started = time.perf_counter()
    with torch.inference_mode():
        output = model.generate(
            input_ids=prompts,
            attention_mask=attention,
            max_new_tokens=sizes.new_tokens,
            min_new_tokens=sizes.new_tokens,  # random weights may say end-of-text early: every row runs to the end
            do_sample=False,
            pad_token_id=0,
        )
    synchronize(device)
    elapsed = time.perf_counter() - started
    generated = output.shape[1] - sizes.prompt_tokens
    if output.shape[0] != batch_size or generated != sizes.new_tokens:
        raise RuntimeError(f"generation: asked for {batch_size} x {sizes.new_tokens} new tokens, got {output.shape[0]} x {generated}")
    return {
        "part": "generate",
        "setting": f"batch {batch_size}, {sizes.prompt_tokens}-token prompts, {sizes.new_tokens} new tokens each",
        "batchSize": batch_size,
        "tokensPerSecond": batch_size * sizes.new_tokens / elapsed,
        "millisecondsPerStep": 1000 * elapsed / sizes.new_tokens,
        "seconds": elapsed,
        "peakMemoryGiB": peak_gib(device),
    }


def format_table(rows: list[dict]) -> str:
    lines = ["| part | setting | tokens/s | time | peak GiB |", "|---|---|---:|---:|---:|"]
    for row in rows:
        peak = "n/a" if row["peakMemoryGiB"] is None else f"{row['peakMemoryGiB']:.1f}"
        if row["part"] == "train":
            time_text = f"{row['secondsPerStep']:.3f} s/step"
            what = f"LoRA, {row['setting']}"
        else:
            time_text = f"{row['millisecondsPerStep']:.1f} ms/token step"
            what = f"greedy, {row['setting']}"
        lines.append(f"| {row['part']} | {what} | {row['tokensPerSecond']:,.0f} | {time_text} | {peak} |")
    return "\n".join(lines)


def write_json_atomic(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(value, indent=2) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def progress(message: str, started: float) -> None:
    print(f"[gpu-check {time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tiny config on CPU (or GPU) in seconds: checks the script, measures nothing")
    parser.add_argument("--json", type=Path, help="also write the environment and the rows here")
    parser.add_argument("--steps", type=int, help="timed optimizer steps per training row (default 10; quick 2)")
    parser.add_argument("--warmup", type=int, help="untimed optimizer steps first (default 2; quick 1)")
    parser.add_argument("--max-length", type=int, help="training max length (default 512, the seed's; quick 64)")
    parser.add_argument("--batch-sizes", help="generation batch sizes, comma-separated (default 1,8,32,64; quick 1,2)")
    parser.add_argument("--prompt-tokens", type=int, help="generation prompt length (default the seed's median prompt; quick 16)")
    parser.add_argument("--new-tokens", type=int, help="new tokens per sequence (default 256; quick 8)")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    started = STARTED

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu" and not arguments.quick:
        print("gpu-check: no GPU here (torch.cuda.is_available() is false); --quick runs the tiny CPU check", file=sys.stderr)
        return 2
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        print(f"gpu-check: {torch.cuda.get_device_name(device)} has no bf16", file=sys.stderr)
        return 2
    import peft
    import transformers

    sizes = sizes_for(arguments)
    config_values = QUICK_CONFIG if arguments.quick else FULL_CONFIG
    environment = {
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)",
        "architecture": "tiny Qwen2 (--quick)" if arguments.quick else "Qwen2.5-Math-1.5B, random weights",
        "parameters": count_parameters(config_values),
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__, "cuda": torch.version.cuda},
        "sizes": sizes.__dict__,
    }
    progress(json.dumps(environment), started)
    if not arguments.quick and environment["parameters"] != FULL_PARAMETERS:
        print(f"gpu-check: the written-out config builds {environment['parameters']:,} parameters, not Qwen2.5-Math-1.5B's {FULL_PARAMETERS:,}", file=sys.stderr)
        return 1

    rows: list[dict] = []
    model = None
    for name, weights in (("fp32 weights + bf16 autocast (confide train's precision)", torch.float32), ("bf16 weights + bf16 autocast", torch.bfloat16)):
        model = None
        release(device)
        progress(f"training: {name}, {sizes.warmup} + {sizes.steps} steps", started)
        model, row = train_row(name, config_values, weights, sizes, device, arguments.seed)
        rows.append(row)
        progress(format_table([row]).splitlines()[-1], started)

    model.eval()  # the bf16 model of the last row, its adapter unmerged
    generation_row(model, 1, Sizes(**{**sizes.__dict__, "new_tokens": 4}), config_values["vocab_size"], device, arguments.seed)  # warm-up
    for batch_size in sizes.batch_sizes:
        progress(f"generation: batch {batch_size}", started)
        row = generation_row(model, batch_size, sizes, config_values["vocab_size"], device, arguments.seed)
        rows.append(row)
        progress(format_table([row]).splitlines()[-1], started)

    total = time.monotonic() - started
    print(f"GPU check: {environment['architecture']} ({environment['parameters']:,} parameters) on {environment['device']}; "
          f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}")
    print(f"LoRA r 8, alpha 32, q_proj/v_proj, dropout 0.05; micro-batch 5 x accumulation 4, max length {sizes.max_length}, "
          f"{sizes.steps} timed steps; tokens/s counts real tokens (training) or new tokens (generation)\n")
    print(format_table(rows))
    print(f"\ntotal {total:.0f} s")
    if arguments.json:
        write_json_atomic(arguments.json, {"environment": environment, "rows": rows, "totalSeconds": total})
    return 0


if __name__ == "__main__":
    sys.exit(main())
