"""Run checks one after another, each isolated: a check that raises becomes an error naming it.

A doctor that stops at the first surprise would hide the rest of what is wrong; so every check
runs whatever the ones before it did, and an exception is one more finding, not the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.model import DoctorReport, Finding, error
from dq_resources.source_contract import redact

CheckFunction = Callable[[DoctorContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """A named check; it may return several findings (one per source, one per channel)."""

    name: str
    run: CheckFunction


def run_one(check: Check, context: DoctorContext) -> list[Finding]:
    """The check's findings, or one error naming the check and what it raised."""
    try:
        return list(check.run(context))
    except Exception as raised:  # isolation is the point: anything a check raises is reported, not fatal
        detail = redact(f"the check could not run: {type(raised).__name__}: {raised}")
        return [error(check.name, detail, "fix what the message names; the other checks ran regardless")]


def run_checks(checks: Sequence[Check], context: DoctorContext) -> DoctorReport:
    """Every check, in order."""
    findings: list[Finding] = []
    for check in checks:
        findings += run_one(check, context)
    return DoctorReport(tuple(findings))
