"""The seed's prompt, rendered through the tokenizer's chat template."""

from __future__ import annotations

SEED_SYSTEM_PROMPT = (
    "You are helpful assistant for mathematical problems. "
    "Please reason step by step, and put your final answer within \\boxed{}."
)
# "{problem}" is replaced by the problem text (plain replacement, so braces elsewhere need no escaping).
SEED_USER_TEMPLATE = "Solve this math problem step by step. Put your final answer in \\boxed{}.\n\nProblem: {problem}"


def render_prompt(tokenizer, problem: str, system_prompt: str, user_template: str) -> str:
    """The chat-formatted prompt ending with the assistant turn's opening, ready for the response."""
    messages = [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": user_template.replace("{problem}", problem)},
    ]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
