"""The top-k logprobs of each generated token (``logprobs: k`` in a generate config), for DeepConf's token confidence.

A logits processor that sees, at every generation step, the scores greedy decoding picks the next token from (the
model's logits in float32; the config this runner builds adds no processor before it) and keeps the k largest
log-softmax values of each row, most likely first. Only k numbers per row and step leave the device, never the
vocabulary's worth.
"""

from __future__ import annotations

import torch
from transformers import LogitsProcessor

MAX_TOP_LOGPROBS = 20
DECIMALS = 6  # far finer than the 1/1024 nat the run's sidecar stores


class TopLogprobsRecorder(LogitsProcessor):
    """Records the k most likely tokens' logprobs at every step of one ``generate`` call; leaves the scores as they are."""

    def __init__(self, k: int):
        if not 1 <= k <= MAX_TOP_LOGPROBS:
            raise ValueError(f"logprobs must be between 1 and {MAX_TOP_LOGPROBS}, got {k}")
        self.k = k
        self.steps: list[torch.Tensor] = []  # one (batch, k) tensor per generated token

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        self.steps.append(torch.log_softmax(scores.float(), dim=-1).topk(self.k, dim=-1).values.cpu())
        return scores

    def rows(self, row: int, count: int) -> list[list[float]]:
        """The first ``count`` generated tokens of batch row ``row``: k logprobs each, most likely first."""
        if count > len(self.steps):
            raise ValueError(f"asked for {count} tokens' logprobs, {len(self.steps)} steps were generated")
        return [[round(min(0.0, value), DECIMALS) for value in self.steps[step][row].tolist()] for step in range(count)]
