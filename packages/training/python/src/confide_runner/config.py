"""Strict configs for ``train`` and ``generate``: unknown keys and wrong types are errors naming the key.

Keys are camelCase because the configs are written by the TypeScript side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import InvalidConfigError
from .prompts import SEED_SYSTEM_PROMPT, SEED_USER_TEMPLATE

CONFIDENCE_TOKEN_MODES = ("text", "special")
RAY_BACKENDS = ("transformers", "vllm")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")


@dataclass(frozen=True)
class LoraOptions:
    rank: int = 8
    alpha: int = 32
    dropout: float = 0.05
    targetModules: tuple[str, ...] = ("q_proj", "v_proj")
    bias: str = "none"


@dataclass(frozen=True)
class TrainConfig:
    baseModel: str
    trainFile: str
    outputDir: str
    runName: str = ""
    confidenceTokens: str = "text"
    lora: LoraOptions = field(default_factory=LoraOptions)
    learningRate: float = 5e-5
    epochs: float = 5
    perDeviceBatchSize: int = 5
    gradientAccumulationSteps: int = 4
    maxLength: int = 512
    maxSteps: int | None = None
    balance: bool = True
    seed: int = 42
    precision: str = "auto"
    checkpointEverySteps: int = 100
    keepCheckpoints: int = 2
    systemPrompt: str = SEED_SYSTEM_PROMPT
    userTemplate: str = SEED_USER_TEMPLATE
    manifest: dict | None = None


@dataclass(frozen=True)
class ProblemInput:
    id: str
    problem: str


@dataclass(frozen=True)
class VllmOptions:
    """The GPU variant's engine (Ray Data LLM's vLLM processor); see ray_vllm.py."""

    tensorParallelSize: int = 1
    maxModelLen: int | None = None
    maxLoraRank: int = 8
    topLogprobs: int = 5
    gpuMemoryUtilization: float | None = None


@dataclass(frozen=True)
class RayOptions:
    """The Ray engine: blocks of problems over a Ray cluster's workers (ray_engine.py)."""

    address: str | None = None  # None: start a local cluster; "auto" or "ray://host:10001": join one
    workers: int = 2
    cpusPerWorker: float = 1
    gpusPerWorker: float = 0
    batchesPerBlock: int = 4
    maxRetries: int = 3
    objectStoreMemoryMb: int | None = None  # a local cluster's object store; Ray's default when None
    backend: str = "transformers"  # or "vllm": the GPU variant
    vllm: VllmOptions = field(default_factory=VllmOptions)


@dataclass(frozen=True)
class GenerateConfig:
    baseModel: str
    problems: tuple[ProblemInput, ...]
    adapter: str | None = None
    confidenceTokens: str | None = None
    maxNewTokens: int = 1024
    batchSize: int = 8
    precision: str = "auto"
    systemPrompt: str = SEED_SYSTEM_PROMPT
    userTemplate: str = SEED_USER_TEMPLATE
    ray: RayOptions | None = None  # None: generate in this process
    logprobs: int | None = None  # also report each output token's top-k logprobs (1 to 20)


class _Reader:
    def __init__(self, file: str):
        self.file = file

    def fail(self, key: str | None, problem: str) -> InvalidConfigError:
        return InvalidConfigError(self.file, key, problem)

    def object(self, value: Any, key: str | None, cls: type) -> Any:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be an object, got {type(value).__name__}")
        known = {item.name: item for item in fields(cls)}
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise self.fail(_join(key, unknown[0]), f"unknown key (known: {', '.join(sorted(known))})")
        arguments = {}
        for name, item in known.items():
            path = _join(key, name)
            if name not in value:
                if item.default is item.default_factory is _missing():
                    raise self.fail(path, "is required")
                continue
            arguments[name] = self.value(value[name], path, cls.__annotations__[name], name)
        return cls(**arguments)

    def value(self, value: Any, key: str, annotation: Any, name: str) -> Any:
        text = str(annotation)
        optional = "None" in text
        if value is None:
            if optional:
                return None
            raise self.fail(key, "must not be null")
        if name == "lora":
            return self.object(value, key, LoraOptions)
        if name == "ray":
            return self.object(value, key, RayOptions)
        if name == "vllm":
            return self.object(value, key, VllmOptions)
        if name == "problems":
            if not isinstance(value, list) or not value:
                raise self.fail(key, "must be a non-empty list of {id, problem}")
            problems = tuple(self.object(item, f"{key}[{index}]", ProblemInput) for index, item in enumerate(value))
            seen: set[str] = set()
            for index, problem in enumerate(problems):
                if problem.id in seen:
                    raise self.fail(f"{key}[{index}].id", f"duplicate id {problem.id!r}")
                seen.add(problem.id)
            return problems
        if name == "targetModules":
            if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
                raise self.fail(key, "must be a non-empty list of module names")
            return tuple(value)
        if name == "manifest":
            if not isinstance(value, dict):
                raise self.fail(key, "must be an object")
            return value
        if text.startswith("bool"):
            if not isinstance(value, bool):
                raise self.fail(key, "must be true or false")
            return value
        if text.startswith("int"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise self.fail(key, "must be a non-negative integer")
            return value
        if text.startswith("float"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise self.fail(key, "must be a non-negative number")
            return float(value)
        if text.startswith("str"):
            if not isinstance(value, str):
                raise self.fail(key, "must be a string")
            return value
        raise self.fail(key, f"unsupported type {text}")


def _missing() -> Any:
    from dataclasses import MISSING

    return MISSING


def _join(parent: str | None, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _load_json(path: str) -> Any:
    file = Path(path)
    if not file.is_file():
        raise InvalidConfigError(path, None, "config file not found")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InvalidConfigError(path, None, f"not valid JSON (line {error.lineno}: {error.msg})") from None


def _check_choice(reader: _Reader, key: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise reader.fail(key, f"must be one of {', '.join(choices)}, got {value!r}")


def _check_positive(reader: _Reader, config: Any, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(config, name)
        if value is not None and value <= 0:
            raise reader.fail(name, "must be greater than 0")


def _check_template(reader: _Reader, template: str) -> None:
    if "{problem}" not in template:
        raise reader.fail("userTemplate", "must contain {problem}")


def load_train_config(path: str) -> TrainConfig:
    reader = _Reader(path)
    config: TrainConfig = reader.object(_load_json(path), None, TrainConfig)
    _check_choice(reader, "confidenceTokens", config.confidenceTokens, CONFIDENCE_TOKEN_MODES)
    _check_choice(reader, "precision", config.precision, PRECISIONS)
    _check_choice(reader, "lora.bias", config.lora.bias, ("none", "all", "lora_only"))
    _check_positive(
        reader,
        config,
        ("learningRate", "epochs", "perDeviceBatchSize", "gradientAccumulationSteps", "maxLength", "maxSteps",
         "checkpointEverySteps", "keepCheckpoints"),
    )
    if config.lora.rank <= 0 or config.lora.alpha <= 0:
        raise reader.fail("lora.rank", "rank and alpha must be greater than 0")
    if not config.lora.dropout < 1:
        raise reader.fail("lora.dropout", "must be below 1")
    _check_template(reader, config.userTemplate)
    return config


def load_generate_config(path: str) -> GenerateConfig:
    reader = _Reader(path)
    config: GenerateConfig = reader.object(_load_json(path), None, GenerateConfig)
    _check_choice(reader, "confidenceTokens", config.confidenceTokens, CONFIDENCE_TOKEN_MODES)
    _check_choice(reader, "precision", config.precision, PRECISIONS)
    _check_positive(reader, config, ("maxNewTokens", "batchSize"))
    _check_template(reader, config.userTemplate)
    if config.ray is not None:
        _check_ray(reader, config.ray)
    if config.logprobs is not None:
        if not 1 <= config.logprobs <= 20:
            raise reader.fail("logprobs", "must be between 1 and 20")
        if config.ray is not None and config.ray.backend == "vllm":
            raise reader.fail("logprobs", "the ray engine's vllm backend does not record token logprobs; use its transformers backend")
    return config


def _check_ray(reader: _Reader, ray: RayOptions) -> None:
    _check_choice(reader, "ray.backend", ray.backend, RAY_BACKENDS)
    for name in ("workers", "batchesPerBlock", "objectStoreMemoryMb"):
        value = getattr(ray, name)
        if value is not None and value <= 0:
            raise reader.fail(f"ray.{name}", "must be greater than 0")
    if ray.cpusPerWorker <= 0 and ray.gpusPerWorker <= 0:
        raise reader.fail("ray.cpusPerWorker", "a worker needs a CPU or a GPU (cpusPerWorker or gpusPerWorker above 0)")
    if ray.address is not None and ray.objectStoreMemoryMb is not None:
        raise reader.fail("ray.objectStoreMemoryMb", "only for a local cluster (no address): a cluster you join has its own")
    for name in ("tensorParallelSize", "maxModelLen", "maxLoraRank", "topLogprobs"):
        value = getattr(ray.vllm, name)
        if value is not None and value <= 0:
            raise reader.fail(f"ray.vllm.{name}", "must be greater than 0")
    if ray.vllm.gpuMemoryUtilization is not None and not 0 < ray.vllm.gpuMemoryUtilization <= 1:
        raise reader.fail("ray.vllm.gpuMemoryUtilization", "must be in (0, 1]")


def config_to_json(config: Any) -> Any:
    """A config as plain JSON values (for training-config.json and comparisons on --resume)."""
    if hasattr(config, "__dataclass_fields__"):
        return {item.name: config_to_json(getattr(config, item.name)) for item in fields(config)}
    if isinstance(config, tuple):
        return [config_to_json(item) for item in config]
    return config
