"""``generate`` with the ``ray`` engine: the problems in blocks over a Ray cluster's workers (Ray Data).

The driver (this process) starts a local cluster or joins one, puts the problems in the plain path's order, cuts that
order into blocks of ``batchesPerBlock`` batches and hands the blocks to a pool of workers (``BlockWorker``: one
model each). Records come back a block at a time and go out as ``generation`` events, once per problem: a block whose
worker died is run again (Ray restarts the worker, ``maxRetries`` times at most), and a record for a problem already
sent is dropped. The TypeScript side reads the events exactly as from the plain path.

The GPU variant (``backend: "vllm"``) hands the problems to Ray Data LLM's vLLM processor instead (``ray_vllm.py``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import time
from dataclasses import dataclass

from .cancellation import Cancellation
from .config import GenerateConfig, ProblemInput, RayOptions
from .errors import RunnerError
from .generate import emit_generate_progress, generation_order, load_prompt_tokenizer, render_prompts, resolve_model_choice
from .protocol import EventStream, log

# Test-only: "<block>:<marker file>" makes the first worker to reach that block kill itself mid-block (ray_block_worker).
KILL_BLOCK_VARIABLE = "CONFIDE_RUNNER_TEST_KILL_BLOCK"


class RayEngineError(RunnerError):
    code = "RAY_FAILED"


class RayMissingError(RunnerError):
    code = "MISSING_DEPENDENCY"
    exit_code = 2


@dataclass(frozen=True)
class Block:
    index: int
    problems: list[ProblemInput]


def plan_blocks(ordered: list[ProblemInput], batch_size: int, batches_per_block: int) -> list[Block]:
    """Consecutive runs of ``batches_per_block`` batches: every block boundary is a batch boundary of the plain path."""
    size = batch_size * batches_per_block
    return [Block(index, ordered[offset : offset + size]) for index, offset in enumerate(range(0, len(ordered), size))]


class RecordGate:
    """Lets one record per problem out: a record for a problem already sent is dropped (counted), one for a problem
    that was never asked is an error."""

    def __init__(self, problem_ids: list[str]):
        self._expected = set(problem_ids)
        self._sent: set[str] = set()
        self.duplicates = 0

    def admit(self, problem_id: str) -> bool:
        if problem_id not in self._expected:
            raise RayEngineError(f"a worker returned a record for {problem_id!r}, which was not asked")
        if problem_id in self._sent:
            self.duplicates += 1
            return False
        self._sent.add(problem_id)
        return True

    def missing(self) -> list[str]:
        return sorted(self._expected - self._sent)


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError as error:
        raise RayMissingError(
            f"the ray engine needs Ray Data in the runner's environment ({error}): run tools/python/setup.sh, "
            "or pip install 'ray[data]' (the pinned version is in tools/python/requirements.txt)"
        ) from None
    return ray


def start_cluster(options: RayOptions) -> str:
    """Start a local cluster sized for the workers, or join ``options.address``. Returns a description for logs."""
    ray = _import_ray()
    common = {"include_dashboard": False, "logging_level": logging.WARNING, "log_to_driver": True}
    if options.address is None:
        cpus = max(1, math.ceil(options.workers * options.cpusPerWorker))
        extra = {"object_store_memory": options.objectStoreMemoryMb * 1024 * 1024} if options.objectStoreMemoryMb else {}
        ray.init(num_cpus=cpus, **extra, **common)
        where = f"a local cluster ({cpus} CPUs)"
    else:
        ray.init(address=options.address, **common)
        where = f"the cluster at {options.address}"
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    return where


def _kill_once_from_environment():
    value = os.environ.get(KILL_BLOCK_VARIABLE)
    if not value:
        return None
    from .ray_block_worker import KillOnce

    block, _, marker = value.partition(":")
    return KillOnce(int(block), marker)


def transformers_records(config: GenerateConfig, blocks: list[Block]):
    """Rows (``block``, ``id``, ``record``) as the workers finish blocks, in no particular order."""
    ray = _import_ray()
    from .ray_block_worker import BlockWorker

    options = config.ray
    worker_config = dataclasses.replace(config, problems=(), ray=None)
    rows = [
        {"block": block.index, "ids": [problem.id for problem in block.problems], "problems": [problem.problem for problem in block.problems]}
        for block in blocks
    ]
    dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
    return dataset.map_batches(
        BlockWorker,
        fn_constructor_kwargs={"config": worker_config, "kill": _kill_once_from_environment()},
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=options.workers),
        num_cpus=options.cpusPerWorker,
        num_gpus=options.gpusPerWorker,
        max_restarts=options.maxRetries,
        max_task_retries=options.maxRetries,
    ).iter_rows()


def run_generate_ray(config: GenerateConfig, events: EventStream, cancellation: Cancellation) -> int:
    started = time.monotonic()
    options = config.ray
    assert options is not None
    events.emit("progress", phase="load", step=0, totalSteps=None, message=f"ray: starting {options.workers} workers")
    if options.backend == "vllm":
        from .ray_vllm import check_vllm_available, vllm_records

        check_vllm_available(options)
    ray = _import_ray()
    if options.backend == "vllm":
        ordered = list(config.problems)  # vLLM schedules its own batches; the adapter may live in cloud storage
    else:
        # The plain path's order (longest prompt first), rendered once here; workers render only their own blocks.
        tokenizer = load_prompt_tokenizer(resolve_model_choice(config))
        ordered = generation_order(config, render_prompts(tokenizer, config))
    blocks = plan_blocks(ordered, config.batchSize, options.batchesPerBlock)
    where = start_cluster(options)
    log(f"ray: {len(ordered)} problems in {len(blocks)} blocks over {options.workers} workers on {where}")
    gate = RecordGate([problem.id for problem in ordered])
    left_in_block = {block.index: len(block.problems) for block in blocks}
    done = 0
    output_tokens_total = 0
    status = "completed"
    try:
        records = vllm_records(config, blocks) if options.backend == "vllm" else transformers_records(config, blocks)
        for row in records:
            if cancellation.requested:
                status = "cancelled"
                break
            record = json.loads(row["record"])
            if not gate.admit(record["id"]):
                continue
            events.emit("generation", **record)
            done += 1
            output_tokens_total += record["usage"]["output"]
            block = int(row["block"])
            left_in_block[block] -= 1
            if left_in_block[block] == 0:
                emit_generate_progress(events, done, len(ordered), output_tokens_total, started)
    except RunnerError:
        raise
    except Exception as error:  # a block that failed past its retries, a lost cluster, a worker that cannot load
        raise RayEngineError(f"ray: {type(error).__name__}: {error}") from error
    finally:
        ray.shutdown()
    if gate.duplicates:
        log(f"ray: dropped {gate.duplicates} record(s) of problems already sent (a block that ran twice)")
    missing = gate.missing()
    if status == "completed" and missing:
        raise RayEngineError(f"ray: the cluster returned no record for {len(missing)} problem(s), e.g. {missing[0]!r}")
    log(f"generated {done} of {len(ordered)} ({output_tokens_total} output tokens) in {time.monotonic() - started:.1f}s")
    events.emit("result", command="generate", status=status, count=done, outputTokens=output_tokens_total,
                durationSeconds=time.monotonic() - started)
    return 0
