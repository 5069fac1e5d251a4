"""The training loss computed on the labelled positions only.

A causal LM's forward pass with ``labels`` projects every position of the batch onto the whole vocabulary in fp32
(batch x length x 151,936 floats for Qwen2.5, then a copy for the cross-entropy and one for its gradient): gigabytes
for a batch of prompts whose labels are mostly masked. Here the decoder runs as usual, the hidden states of the
positions that predict a label (the response and the confidence marker) are picked out, and only those go through
the LM head, in chunks, so the memory of the logits is bounded by ``CHUNK_POSITIONS`` rows whatever the batch.

The forward pass still goes through the model as given (the PEFT wrapper, and under torchrun the
DistributedDataParallel wrapper, whose forward prepares the gradient all-reduce); it asks for the logits of one position
only (``logits_to_keep=1``) and the decoder's output is taken with a forward hook.

The result equals the model's own loss: the mean cross-entropy over labelled tokens (or their sum over
``num_items_in_batch`` when the Trainer accumulates gradients across batches).
"""

from __future__ import annotations

import torch
from torch.utils.checkpoint import checkpoint

IGNORE_INDEX = -100
# Rows of the vocabulary projection alive at once: 1,024 x 151,936 fp32 logits is 0.6 GB (x2 with the softmax).
CHUNK_POSITIONS = 1024


def causal_lm_parts(model):
    """(decoder, lm_head) of a causal LM, through DDP and PEFT wrappers if there are any."""
    inner = model.module if isinstance(model, torch.nn.parallel.DistributedDataParallel) else model
    inner = inner.get_base_model() if hasattr(inner, "get_base_model") else inner
    decoder = getattr(inner, "model", None)
    head = inner.get_output_embeddings() if hasattr(inner, "get_output_embeddings") else None
    if decoder is None or head is None:
        raise TypeError(f"{type(inner).__name__} is not a causal LM with a decoder (.model) and an output layer")
    return decoder, head


def _chunk_loss(head, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    logits = head(hidden).float()
    return torch.nn.functional.cross_entropy(logits, targets, reduction="sum")


def labelled_positions_loss(model, inputs: dict, num_items_in_batch=None) -> torch.Tensor:
    """The causal LM loss of a batch ``{input_ids, attention_mask, labels}``, with the LM head applied only where a
    label is predicted."""
    labels = inputs["labels"]
    decoder, head = causal_lm_parts(model)
    captured: list[torch.Tensor] = []

    def keep_output(module, arguments, output):
        captured.append(output.last_hidden_state if hasattr(output, "last_hidden_state") else output[0])

    handle = decoder.register_forward_hook(keep_output)
    try:
        model(input_ids=inputs["input_ids"], attention_mask=inputs.get("attention_mask"), logits_to_keep=1)
    finally:
        handle.remove()
    if len(captured) != 1:
        raise RuntimeError(f"expected the decoder to run once in the forward pass, it ran {len(captured)} times")
    hidden = captured[0]
    # position t predicts label t + 1
    shifted = labels[:, 1:]
    keep = shifted != IGNORE_INDEX
    selected = hidden[:, :-1][keep]
    targets = shifted[keep]
    total = hidden.new_zeros((), dtype=torch.float32)
    for start in range(0, targets.shape[0], CHUNK_POSITIONS):
        part_hidden = selected[start : start + CHUNK_POSITIONS]
        part_targets = targets[start : start + CHUNK_POSITIONS]
        if torch.is_grad_enabled() and targets.shape[0] > CHUNK_POSITIONS:
            # recompute the chunk's logits in the backward pass instead of keeping them all
            total = total + checkpoint(_chunk_loss, head, part_hidden, part_targets, use_reentrant=False)
        else:
            total = total + _chunk_loss(head, part_hidden, part_targets)
    count = num_items_in_batch if num_items_in_batch is not None else targets.shape[0]
    if isinstance(count, torch.Tensor):
        return total / count.to(total.device).clamp(min=1)
    return total / max(count, 1)
