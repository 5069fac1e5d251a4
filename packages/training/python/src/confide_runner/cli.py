"""``python -m confide_runner train --config FILE [--resume]`` / ``generate --config FILE``.

Exit codes: 0 done (also after a clean stop on SIGTERM), 1 runner failure, 2 bad config or input.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import __version__
from .cancellation import Cancellation
from .errors import RunnerError
from .protocol import PROTOCOL_VERSION, EventStream, log


class ArgumentsError(RunnerError):
    code = "INVALID_ARGUMENTS"
    exit_code = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # report through the protocol instead of printing usage and exiting
        raise ArgumentsError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="confide_runner", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser("train", help="LoRA fine-tuning")
    train.add_argument("--config", required=True, help="train config (JSON)")
    train.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in outputDir")
    generate = commands.add_parser("generate", help="greedy generation with confidence-token probabilities")
    generate.add_argument("--config", required=True, help="generate config (JSON)")
    return parser


def _ray_description(ray) -> str:
    each = f"{ray.cpusPerWorker:g} CPU" + (f" + {ray.gpusPerWorker:g} GPU" if ray.gpusPerWorker else "")
    where = ray.address or "a local cluster"
    return f"ray ({ray.backend}): {ray.workers} workers x {each} on {where}"


def main(argv: list[str] | None = None) -> int:
    events = EventStream.take_stdout()
    cancellation = Cancellation()
    cancellation.install_signal_handlers()
    if os.environ.get("CONFIDE_RUNNER_WATCH_STDIN") == "1":
        cancellation.cancel_when_stdin_closes()
    try:
        arguments = _parser().parse_args(argv)
        if arguments.command == "train":
            from .config import load_train_config

            config = load_train_config(arguments.config)
            from .data import load_sft_rows

            rows = load_sft_rows(config.trainFile)  # a bad file fails now, before the heavy imports
        else:
            from .config import load_generate_config

            config = load_generate_config(arguments.config)

        import peft
        import torch
        import transformers

        from .models import choose_placement

        placement = choose_placement(config.precision)
        ray = getattr(config, "ray", None)
        events.emit(
            "ready",
            protocolVersion=PROTOCOL_VERSION,
            command=arguments.command,
            runnerVersion=__version__,
            pid=os.getpid(),
            # With the ray engine the driver only hands out blocks: its own device is not where the model runs.
            device=placement.description if ray is None else _ray_description(ray),
            precision=placement.precision,
            worldSize=int(os.environ.get("WORLD_SIZE", "1")),
            versions={"python": sys.version.split()[0], "torch": torch.__version__,
                      "transformers": transformers.__version__, "peft": peft.__version__},
        )
        if arguments.command == "train":
            from .train import leave_process_group, run_train

            code = run_train(config, arguments.config, arguments.resume, events, cancellation, rows=rows)
            leave_process_group()
            return code
        if ray is not None:
            from .ray_engine import run_generate_ray

            return run_generate_ray(config, events, cancellation)
        from .generate import run_generate

        return run_generate(config, events, cancellation)
    except RunnerError as error:
        log(f"error: {error}")
        details = error.details()
        events.emit("error", code=error.code, message=str(error), **({"details": details} if details else {}))
        return error.exit_code
    except Exception as error:  # a crash: report it, then fail
        traceback.print_exc(file=sys.stderr)
        events.emit("error", code="RUNNER_FAILED", message=f"{type(error).__name__}: {error}")
        return 1
