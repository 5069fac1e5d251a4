"""A character tokenizer for the learning check, built offline: Qwen2's own tokenizer class (byte-level BPE with
Qwen2's pre-tokenizer) over a tiny vocabulary, one token per character of the task's alphabet, a few whole words that
every example holds (merged by BPE), the chat markers of Qwen2 (``<|im_start|>``, ``<|im_end|>``, ``<|endoftext|>``),
the two confidence markers as whole tokens, and a ChatML chat template. Saved as a Hugging Face tokenizer folder, so the
runner loads it with ``AutoTokenizer`` like any other.

Why Qwen2's class and not a bare ``tokenizers`` pipeline: transformers 5 loads the tokenizer of a folder whose
config.json says ``qwen2`` as ``Qwen2Tokenizer`` whatever tokenizer.json's pre-tokenizer is (it rebuilds Qwen2's
byte-level pipeline from the vocabulary and merges). A vocabulary in byte-level form therefore reloads exactly;
``check_round_trip`` checks that once the model sits beside it.
"""

from __future__ import annotations

from pathlib import Path

from ..confidence import CONFIDENCE_TOKENS

PAD_TOKEN = "<|endoftext|>"
START_TOKEN = "<|im_start|>"
END_TOKEN = "<|im_end|>"
SPECIAL_TOKENS = (PAD_TOKEN, START_TOKEN, END_TOKEN)
# Digits, the operators, the \boxed{} wrapper, letters, space and newline.
ALPHABET = "0123456789+*=\\{}abcdefghijklmnopqrstuvwxyz \n?"
# Whole words every example holds (the wrapper, the chat roles), so a sequence is short. Each is one pre-token of
# Qwen2's pre-tokenizer (an optional non-letter and a run of letters).
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
SAMPLE = "<|im_start|>user\n37*48<|im_end|>\n<|im_start|>assistant\n\\boxed{1776} <|u_math|><|im_end|>"


def _byte_level() -> dict[int, str]:
    """GPT-2's byte -> printable character map, which byte-level BPE vocabularies are written in."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    characters = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            characters.append(256 + extra)
            extra += 1
    return {byte: chr(character) for byte, character in zip(printable, characters)}


def vocabulary_and_merges() -> tuple[dict[str, int], list[tuple[str, str]]]:
    to_unicode = _byte_level()

    def encode(text: str) -> str:
        return "".join(to_unicode[byte] for byte in text.encode("utf-8"))

    vocabulary = {token: index for index, token in enumerate(SPECIAL_TOKENS)}
    for character in ALPHABET:
        vocabulary.setdefault(encode(character), len(vocabulary))
    merges: list[tuple[str, str]] = []
    for word in WORDS:
        pieces = encode(word)
        for end in range(2, len(pieces) + 1):
            left, right = pieces[: end - 1], pieces[end - 1]
            if (left, right) not in merges:
                merges.append((left, right))
            vocabulary.setdefault(left + right, len(vocabulary))
    return vocabulary, merges


def build_tokenizer(out_dir: Path):
    """Write the tokenizer to out_dir and return it (a ``Qwen2Tokenizer``)."""
    from transformers import Qwen2Tokenizer

    vocabulary, merges = vocabulary_and_merges()
    tokenizer = Qwen2Tokenizer(
        vocab=vocabulary,
        merges=merges,
        unk_token=None,
        pad_token=PAD_TOKEN,
        eos_token=END_TOKEN,
        bos_token=None,
        extra_special_tokens=[START_TOKEN],
    )
    # The confidence markers are ordinary (non-special) whole tokens: "text" mode writes " <|c_math|>", which becomes
    # [" ", "<|c_math|>"] here, and decoding keeps them.
    tokenizer.add_tokens(list(CONFIDENCE_TOKENS))
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.padding_side = "right"
    check_encoding(tokenizer)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(out_dir))
    return tokenizer


def check_encoding(tokenizer) -> None:
    """Every character of the sample is encoded (BPE without an unknown token drops what it lacks) and decodes back."""
    ids = tokenizer.encode(SAMPLE, add_special_tokens=False)
    if tokenizer.decode(ids, skip_special_tokens=False) != SAMPLE:
        raise RuntimeError(f"the learning check's tokenizer does not decode back what it encodes: {tokenizer.convert_ids_to_tokens(ids)}")


def check_round_trip(tokenizer, folder: Path) -> None:
    """The runner loads the saved folder (model and tokenizer) with AutoTokenizer: it must encode exactly as the
    tokenizer the base model was trained with."""
    from transformers import AutoTokenizer

    reloaded = AutoTokenizer.from_pretrained(str(folder))
    for text in (SAMPLE, "\\boxed{53} <|c_math|>"):
        if reloaded.encode(text, add_special_tokens=False) != tokenizer.encode(text, add_special_tokens=False):
            raise RuntimeError(f"the tokenizer saved in {folder} encodes differently once reloaded ({type(reloaded).__name__})")
    check_encoding(reloaded)
