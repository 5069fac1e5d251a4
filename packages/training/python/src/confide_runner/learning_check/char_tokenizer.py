"""A character tokenizer for the learning check, built offline with ``tokenizers``: one token per character of the
task's alphabet, the chat markers of Qwen2 (``<|im_start|>``, ``<|im_end|>``, ``<|endoftext|>``) and the two confidence
markers as whole tokens, and a ChatML chat template. Saved as a Hugging Face tokenizer folder, so the runner loads it
with ``AutoTokenizer`` like any other."""

from __future__ import annotations

from pathlib import Path

from ..confidence import CONFIDENCE_TOKENS

PAD_TOKEN = "<|endoftext|>"
START_TOKEN = "<|im_start|>"
END_TOKEN = "<|im_end|>"
SPECIAL_TOKENS = (PAD_TOKEN, START_TOKEN, END_TOKEN)
UNKNOWN_TOKEN = "?"
# Digits, the operators, the \boxed{} wrapper, letters, space and newline; and a few whole words that every example
# holds (the wrapper, the chat roles), so a sequence is short.
ALPHABET = "0123456789+*=\\{}abcdefghijklmnopqrstuvwxyz \n?"
WORDS = ("\\boxed", "system", "user", "assistant")
# ChatML as Qwen2 writes it; a system turn only when it has content (the check's prompts are short).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] != 'system' or message['content'] %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def build_tokenizer(out_dir: Path):
    """Write the tokenizer to out_dir and return it (a ``PreTrainedTokenizerFast``)."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocabulary = {token: index for index, token in enumerate(SPECIAL_TOKENS)}
    for token in (*WORDS, *ALPHABET):
        vocabulary.setdefault(token, len(vocabulary))
    core = Tokenizer(models.WordLevel(vocab=vocabulary, unk_token=UNKNOWN_TOKEN))
    words = "|".join(word.replace("\\", "\\\\") for word in WORDS)
    core.pre_tokenizer = pre_tokenizers.Split(Regex(f"{words}|[\\s\\S]"), behavior="isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token=UNKNOWN_TOKEN,
        pad_token=PAD_TOKEN,
        eos_token=END_TOKEN,
        bos_token=None,
        additional_special_tokens=[START_TOKEN],
    )
    # The confidence markers are ordinary (non-special) whole tokens: "text" mode writes " <|c_math|>", which becomes
    # [" ", "<|c_math|>"] here, and decoding keeps them.
    tokenizer.add_tokens(list(CONFIDENCE_TOKENS))
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.padding_side = "right"
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(out_dir))
    _check_round_trip(tokenizer, out_dir)
    return tokenizer


def _check_round_trip(tokenizer, out_dir: Path) -> None:
    """The runner loads the saved folder with AutoTokenizer: it must encode exactly as the tokenizer trained with."""
    from transformers import AutoTokenizer

    sample = "<|im_start|>user\n37*48<|im_end|>\n<|im_start|>assistant\n\\boxed{1776} <|u_math|>"
    reloaded = AutoTokenizer.from_pretrained(str(out_dir))
    if reloaded.encode(sample, add_special_tokens=False) != tokenizer.encode(sample, add_special_tokens=False):
        raise RuntimeError(f"the tokenizer saved in {out_dir} encodes differently once reloaded")
