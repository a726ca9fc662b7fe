"""What one doctor check found, and the whole report: kept apart from how checks run and print.

A finding is data, not text, so the table, the `fix:` lines and `--json` are three views of the
same objects and a test can assert on each field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """How a check came out. Only `error` makes `dq doctor` exit 2."""

    OK = "ok"
    WARN = "warn"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Finding:
    """One row of the report: the check's name, its status, a one-line detail and, if not ok, a fix.

    `notes` carries extra lines a one-line detail cannot hold (each definition problem, as
    path:line), printed under the fix.
    """

    check: str
    status: Status
    detail: str
    fix: str | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready values."""
        return {
            "check": self.check,
            "status": self.status.value,
            "detail": self.detail,
            "fix": self.fix,
            "notes": list(self.notes),
        }


def one_line(text: str) -> str:
    """`text` with every run of whitespace (newlines included) made one space: a detail is one line."""
    return " ".join(text.split())


def ok(check: str, detail: str) -> Finding:
    """A passing finding."""
    return Finding(check, Status.OK, one_line(detail))


def warn(check: str, detail: str, fix: str) -> Finding:
    """Works, but something will bite later: a fix is always given."""
    return Finding(check, Status.WARN, one_line(detail), one_line(fix))


def error(check: str, detail: str, fix: str, notes: Sequence[str] = ()) -> Finding:
    """Broken: a fix is always given."""
    return Finding(check, Status.ERROR, one_line(detail), one_line(fix), tuple(one_line(n) for n in notes))


def skipped(check: str, detail: str) -> Finding:
    """Nothing to check here (not configured, or not applicable)."""
    return Finding(check, Status.SKIPPED, one_line(detail))


@dataclass(frozen=True)
class DoctorReport:
    """Every finding, in the order the checks ran."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def exit_code(self) -> int:
        """0 when nothing is an error (warnings and skips included), else 2."""
        return 2 if any(f.status is Status.ERROR for f in self.findings) else 0

    def counts(self) -> dict[str, int]:
        """How many findings have each status, every status present."""
        return {status.value: sum(f.status is status for f in self.findings) for status in Status}

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "checks": [f.to_dict() for f in self.findings],
            "counts": self.counts(),
            "exit_code": self.exit_code,
        }
