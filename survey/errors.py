"""Errors raised by zoneblanche, one hierarchy for the CLI and the HTTP API.

::

    ZoneblancheError            every error meant for the user; carries a stable ``code``
    ├── InputError              bad user input: names the file, line, column, value and fix
    │   ├── FormatError         the file is not in a format we read, or is not a log at all
    │   └── PolicyError         an invalid policy file
    ├── NotFoundError           a site, level, room, survey or upload that does not exist
    ├── ConflictError           a name or ref that already exists
    └── LimitError              an upload larger than the configured maximum

Messages are translated when the error is raised, in the language of the current request or
command. The API maps each class to an HTTP status in one table (``api.errors``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RowError:
    """One rejected row of an input file; ``line`` is 1-based, counting the header."""

    line: int | None
    column: str | None
    value: str | None
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


class ZoneblancheError(Exception):
    """Base class of every error shown to the user."""

    code = "error"

    def __init__(self, message: str, *, detail: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class InputError(ZoneblancheError):
    """Invalid user input, located as precisely as the input allows."""

    code = "invalid_input"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        fix: str | None = None,
        errors: list[RowError] | None = None,
    ) -> None:
        location = ":".join(str(part) for part in (file, line) if part is not None)
        parts = [f"{location}: {message}" if location else message]
        if column is not None:
            parts.append(f"[{column}={value!s}]" if value is not None else f"[{column}]")
        if fix:
            parts.append(f"→ {fix}")
        detail = {
            "file": file,
            "line": line,
            "column": column,
            "value": None if value is None else str(value),
            "fix": fix,
        }
        if errors:
            detail["errors"] = [error.as_dict() for error in errors]
        super().__init__(" ".join(parts), detail=detail)
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.fix = fix
        self.errors = errors or []


class FormatError(InputError):
    """A file whose format is unknown, or a companion file that holds no measurements."""

    code = "unsupported_format"


class PolicyError(InputError):
    """An invalid value in a policy file."""

    code = "invalid_policy"


class NotFoundError(ZoneblancheError):
    """A named object that does not exist."""

    code = "not_found"


class ConflictError(ZoneblancheError):
    """An object that already exists under that name or ref."""

    code = "conflict"


class LimitError(ZoneblancheError):
    """An input larger than a configured limit."""

    code = "too_large"
