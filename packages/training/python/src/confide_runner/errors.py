"""Errors the runner reports as an ``error`` event with a stable code (the TypeScript side maps them)."""

from __future__ import annotations


class RunnerError(Exception):
    code = "RUNNER_FAILED"
    exit_code = 1

    def details(self) -> dict | None:
        """Structured fields for the error event, when the error has them."""
        return None


class InvalidConfigError(RunnerError):
    """The config file is wrong: names the file and the key."""

    code = "INVALID_CONFIG"
    exit_code = 2

    def __init__(self, file: str, key: str | None, problem: str):
        where = f"{file}, key \"{key}\"" if key else file
        super().__init__(f"{where}: {problem}")


class InvalidInputError(RunnerError):
    """A data file is wrong: names the file, the 1-based line and the field."""

    code = "INVALID_INPUT"
    exit_code = 2

    def __init__(self, file: str, line: int | None, field: str | None, problem: str):
        parts = [file]
        if line is not None:
            parts.append(f"line {line}")
        if field is not None:
            parts.append(f"field \"{field}\"")
        super().__init__(f"{', '.join(parts)}: {problem}")
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem

    def details(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "problem": self.problem}


class NotFoundError(RunnerError):
    code = "NOT_FOUND"
    exit_code = 2
