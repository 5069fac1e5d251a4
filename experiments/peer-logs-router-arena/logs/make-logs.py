"""Writes two models' RouterArena-style caches (cached_results/<model>.jsonl) over 60 made-up arithmetic queries:
a small model right on easy queries, a large one right more often and dearer. Written by us for Confide's worked
example (seeded, no real model answered). token_usage / evaluation_result are Python literals in strings, as
RouterArena's scripts write them. Run: python3 make-logs.py"""
import json, random

rng = random.Random(7)
rows = []
for n in range(60):
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    hard = n % 3 == 0
    rows.append((f"Arith{'Hard' if hard else 'Easy'}_{n}", f"What is {a} * {b}?" if hard else f"What is {a} + {b}?", str(a * b if hard else a + b), hard))

def write(model, p_easy, p_hard, out_scale):
    with open(f"cached_results/{model}.jsonl", "w") as f:
        for gid, q, gold, hard in rows:
            ok = rng.random() < (p_hard if hard else p_easy)
            ans = gold if ok else str(int(gold) + rng.randint(1, 9))
            usage = {"input_tokens": 20 + len(q), "output_tokens": out_scale + rng.randint(0, 20), "total_tokens": 0}
            usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
            ev = {"extracted_answer": ans, "ground_truth": gold, "score": 1.0 if ok else 0.0, "metric": "exact"}
            f.write(json.dumps({"global_index": gid, "question": q, "generated_answer": f"The answer is {ans}.", "success": True,
                                "provider": "example", "error": None, "token_usage": str(usage), "evaluation_result": str(ev)}) + "\n")

write("small-model", 0.9, 0.35, 10)
write("large-model", 0.95, 0.85, 60)
