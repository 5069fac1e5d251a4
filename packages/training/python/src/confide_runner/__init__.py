"""Confide's training and inference runner.

Run as a subprocess (``python -m confide_runner <command> ...``); it speaks newline-delimited JSON
on stdout and logs on stderr. See ``protocol.py`` for the events.
"""

__version__ = "0.1.0"
