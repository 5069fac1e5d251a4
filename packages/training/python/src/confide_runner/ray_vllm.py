"""The ``ray`` engine's GPU variant (``backend: "vllm"``): Ray Data LLM's vLLM processor with the LoRA adapter.

Each problem becomes a chat request with greedy sampling, the confidence markers as stop strings kept in the text,
and top logprobs; P(c) and P(u) are read from the logprobs the way the ``core/vllm`` client reads them (the position
of the marker token, else the last one). The processor's settings are built from the same runner config as the
transformers backend (``vllm_processor_settings``) and tested on that dictionary; Ray Data LLM and vLLM are imported
only when the processor is built, on a machine that has them (never in this repository's CI, which has no GPU).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
from pathlib import Path

from .config import GenerateConfig, RayOptions
from .confidence import CONFIDENT_TOKEN, UNCERTAIN_TOKEN
from .errors import RunnerError

END_OF_TURN = "<|im_end|>"
STOP_STRINGS = (CONFIDENT_TOKEN, UNCERTAIN_TOKEN, END_OF_TURN)
REMOTE_SCHEMES = ("s3://", "gs://", "abfss://", "azure://")


class VllmMissingError(RunnerError):
    code = "MISSING_DEPENDENCY"
    exit_code = 2


def _is_remote(path: str) -> bool:
    return path.startswith(REMOTE_SCHEMES)


def adapter_request_name(config: GenerateConfig) -> str | None:
    """What a request names as its ``model`` to get the adapter: a local folder by its absolute path (every node
    must see it, e.g. on a shared disk); an adapter in cloud storage by its folder name under
    ``dynamic_lora_loading_path``."""
    if config.adapter is None:
        return None
    if _is_remote(config.adapter):
        return config.adapter.rstrip("/").rsplit("/", 1)[-1]
    return str(Path(config.adapter).resolve())


def vllm_processor_settings(config: GenerateConfig) -> dict:
    """The keyword arguments of ``ray.data.llm.vLLMEngineProcessorConfig`` for this config."""
    options = config.ray
    assert options is not None
    vllm = options.vllm
    engine_kwargs: dict = {"tensor_parallel_size": vllm.tensorParallelSize}
    if vllm.maxModelLen is not None:
        engine_kwargs["max_model_len"] = vllm.maxModelLen
    if vllm.gpuMemoryUtilization is not None:
        engine_kwargs["gpu_memory_utilization"] = vllm.gpuMemoryUtilization
    if config.adapter is not None:
        engine_kwargs.update(enable_lora=True, max_lora_rank=vllm.maxLoraRank, max_loras=1)
    settings: dict = {
        "model_source": config.baseModel,
        "engine_kwargs": engine_kwargs,
        "concurrency": options.workers,
        "batch_size": config.batchSize * options.batchesPerBlock,
    }
    if config.adapter is not None and _is_remote(config.adapter):
        settings["dynamic_lora_loading_path"] = config.adapter.rstrip("/").rsplit("/", 1)[0]
    return settings


def sampling_params(config: GenerateConfig) -> dict:
    """Greedy, up to maxNewTokens, stopping after a marker (kept in the text), with top logprobs for P(c)."""
    assert config.ray is not None
    return {
        "temperature": 0.0,
        "max_tokens": config.maxNewTokens,
        "stop": list(STOP_STRINGS),
        "include_stop_str_in_output": True,
        "skip_special_tokens": False,
        "logprobs": config.ray.vllm.topLogprobs,
    }


def vllm_request(config: GenerateConfig, row: dict) -> dict:
    """The processor's input row for a problem (``id``, ``problem``, ``block``): chat messages, sampling, adapter."""
    request = {
        **row,
        "messages": [
            {"role": "system", "content": config.systemPrompt},
            {"role": "user", "content": config.userTemplate.replace("{problem}", row["problem"])},
        ],
        "sampling_params": sampling_params(config),
    }
    adapter = adapter_request_name(config)
    if adapter is not None:
        request["model"] = adapter
    return request


def _entries(position) -> list[dict]:
    """A position's alternatives, whether Ray kept them as {token id: entry} or as a list of entries."""
    if position is None:
        return []
    values = position.values() if isinstance(position, dict) else position
    return [entry for entry in values if isinstance(entry, dict)]


def confidence_from_logprobs(logprobs: list | None) -> dict[str, float]:
    """P(c) and P(u) at the position where the model wrote a marker token (the last such position), else at the
    last position; a marker outside the top-k has probability 0. As ``core/vllm``'s ``confidenceFromLogprobs``.
    Sampling is greedy, so the token written at a position is its rank-1 alternative."""
    positions = list(logprobs or [])
    if not positions:
        return {"confident": 0.0, "uncertain": 0.0}
    chosen = len(positions) - 1
    for index in range(len(positions) - 1, -1, -1):
        if any(entry.get("decoded_token") in (CONFIDENT_TOKEN, UNCERTAIN_TOKEN) and entry.get("rank") == 1 for entry in _entries(positions[index])):
            chosen = index
            break
    found = {entry.get("decoded_token"): math.exp(entry["logprob"]) for entry in _entries(positions[chosen]) if entry.get("logprob") is not None}
    confident, uncertain = found.get(CONFIDENT_TOKEN, 0.0), found.get(UNCERTAIN_TOKEN, 0.0)
    total = confident + uncertain
    if total > 1:  # rounding in the engine's logprobs
        confident, uncertain = confident / total, uncertain / total
    return {"confident": confident, "uncertain": uncertain}


def vllm_record(max_new_tokens: int, row: dict) -> dict:
    """The processor's output row as the engine's common row: ``block``, ``id`` and the generation event as JSON."""
    text = row["generated_text"]
    token = next((marker for marker in (CONFIDENT_TOKEN, UNCERTAIN_TOKEN) if text.rstrip().endswith(marker)), None)
    output_tokens = int(row["num_generated_tokens"])
    stopped = token is not None or text.endswith(END_OF_TURN) or output_tokens < max_new_tokens
    record = {
        "id": row["id"],
        "text": text[: -len(END_OF_TURN)] if text.endswith(END_OF_TURN) else text,
        "confidenceToken": token,
        "confidenceProbabilities": confidence_from_logprobs(row.get("logprobs")),
        "usage": {"input": int(row["num_input_tokens"]), "output": output_tokens},
        "finishReason": "stop" if stopped else "length",
        "latencyMs": 0.0,
    }
    return {"block": row["block"], "id": row["id"], "record": json.dumps(record, ensure_ascii=False)}


def check_vllm_available(options: RayOptions) -> None:
    """A clear error before any cluster starts: the GPU variant needs Ray Data LLM and vLLM here, and a local cluster
    needs a GPU (a joined cluster's GPUs are Ray's to find)."""
    for module, what in (("vllm", "vLLM"), ("pydantic", "Ray Data LLM (ray[llm])")):
        if importlib.util.find_spec(module) is None:
            raise VllmMissingError(
                f'ray.backend "vllm" needs {what} in the runner\'s environment, and a GPU: install ray[llm] (it brings '
                'vLLM) on a GPU machine, or use backend "transformers"'
            )
    if options.address is None:
        import torch

        if not torch.cuda.is_available():
            raise VllmMissingError('ray.backend "vllm" on a local cluster needs a CUDA GPU on this machine')


def vllm_records(config: GenerateConfig, blocks) -> object:
    """Rows (``block``, ``id``, ``record``) from Ray Data LLM's vLLM processor, as they finish."""
    import ray.data
    from ray.data.llm import build_processor, vLLMEngineProcessorConfig

    processor = build_processor(
        vLLMEngineProcessorConfig(**vllm_processor_settings(config)),
        preprocess=functools.partial(vllm_request, config),
        postprocess=functools.partial(vllm_record, config.maxNewTokens),
    )
    return processor(ray.data.from_items(problem_rows(blocks))).iter_rows()


def problem_rows(blocks) -> list[dict]:
    """The processor's input: a row per problem, with the block it belongs to (for progress)."""
    return [{"id": problem.id, "problem": problem.problem, "block": block.index} for block in blocks for problem in block.problems]

