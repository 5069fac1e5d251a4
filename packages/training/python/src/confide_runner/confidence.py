"""The confidence tokens and how they are written after a response.

- ``text`` (the seed's way): the response is followed by the plain text `` <|c_math|>``, which the
  tokenizer splits into several ordinary tokens.
- ``special``: ``<|c_math|>`` and ``<|u_math|>`` are added to the tokenizer as special tokens; their
  embedding rows train together with the adapter (PEFT ``trainable_token_indices``).

Either way a marker is a sequence of token ids, so generation and scoring treat both modes alike.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIDENT_TOKEN = "<|c_math|>"
UNCERTAIN_TOKEN = "<|u_math|>"
CONFIDENCE_TOKENS = (CONFIDENT_TOKEN, UNCERTAIN_TOKEN)


@dataclass(frozen=True)
class ConfidenceMarkers:
    mode: str
    # token -> the ids written after the response for that token
    ids: dict[str, tuple[int, ...]]
    # ids of added special tokens (empty in text mode)
    added_token_ids: tuple[int, ...]

    def suffix_ids(self, correct: bool) -> tuple[int, ...]:
        return self.ids[CONFIDENT_TOKEN if correct else UNCERTAIN_TOKEN]

    @property
    def longest(self) -> int:
        return max(len(ids) for ids in self.ids.values())


def add_confidence_tokens(tokenizer) -> None:
    """Add the two tokens as special tokens (no-op when the tokenizer already has them)."""
    missing = [token for token in CONFIDENCE_TOKENS if token not in tokenizer.get_vocab()]
    if missing:
        tokenizer.add_tokens(missing, special_tokens=True)


def markers_for(tokenizer, mode: str) -> ConfidenceMarkers:
    """The id sequences of both markers; for ``special`` the tokens must already be in the tokenizer."""
    if mode == "special":
        vocab = tokenizer.get_vocab()
        missing = [token for token in CONFIDENCE_TOKENS if token not in vocab]
        if missing:
            raise ValueError(f"tokenizer lacks the special confidence tokens {missing}")
        ids = {token: (vocab[token],) for token in CONFIDENCE_TOKENS}
        return ConfidenceMarkers(mode, ids, tuple(vocab[token] for token in CONFIDENCE_TOKENS))
    ids = {token: tuple(tokenizer.encode(" " + token, add_special_tokens=False)) for token in CONFIDENCE_TOKENS}
    return ConfidenceMarkers(mode, ids, ())


def prepare_model_for_special_tokens(model, tokenizer, markers: ConfidenceMarkers) -> None:
    """Make room for added tokens and start their rows at the mean embedding (a neutral start).

    Qwen2.5's embedding matrix is padded past its tokenizer, so usually no resize is needed. PEFT's
    trainable tokens store the rows' values (not a delta), so this start is saved with the adapter.
    """
    import torch

    if not markers.added_token_ids:
        return
    embeddings = model.get_input_embeddings()
    if len(tokenizer) > embeddings.weight.shape[0]:
        model.resize_token_embeddings(len(tokenizer))
        embeddings = model.get_input_embeddings()
    with torch.no_grad():
        known = min(markers.added_token_ids)
        mean = embeddings.weight[:known].mean(dim=0)
        for token_id in markers.added_token_ids:
            embeddings.weight[token_id] = mean
        output = model.get_output_embeddings()
        if output is not None and output.weight is not embeddings.weight:
            output_mean = output.weight[:known].mean(dim=0)
            for token_id in markers.added_token_ids:
                output.weight[token_id] = output_mean


def trainable_token_modules(model) -> list[str]:
    """Modules whose rows of the added tokens must train: the input embedding, and the output layer
    too when it is not tied to it."""
    modules = ["embed_tokens"]
    if not getattr(model.config, "tie_word_embeddings", False):
        modules.append("lm_head")
    return modules
