"""The learning check (issue 27): the seed's method on CPU, end to end, on a task a small model can learn.

A small Qwen2-architecture model is trained from random weights on synthetic arithmetic (``base_model``), with its own
character tokenizer (``char_tokenizer``); then the runner users run (``python -m confide_runner generate`` / ``train``)
does the seed's steps on the model's own answers, graded by ``confide grade`` (core/math); ``metrics`` says whether the
confidence tokens learned to tell right answers from wrong ones. ``run`` wires the steps; ``python -m
confide_runner.learning_check`` runs it.
"""
