"""The `schema` check: the column schema against the previous run's.

Dagster's `build_column_schema_change_checks` semantics: with no earlier run there is
nothing to compare and the check passes; otherwise added, removed and re-typed columns are
listed. Here each kind of change has its own severity (added and re-typed: WARN, removed:
ERROR, by default), because dropping a column breaks readers while adding one rarely does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dq_checks.config.models import RuleSeverity, SchemaChangeSettings
from dq_checks.results.model import CheckResult, CheckSeverity, Outcome
from dq_checks.results.names import SCHEMA_CHECK

Columns = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class SchemaDiff:
    """Columns added, removed, and re-typed (name, old type, new type)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    retyped: tuple[tuple[str, str, str], ...]

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return bool(self.added or self.removed or self.retyped)


def schema_diff(previous: Columns, current: Columns) -> SchemaDiff:
    """Compare by column name; order is ignored."""
    before, after = dict(previous), dict(current)
    return SchemaDiff(
        added=tuple(name for name in after if name not in before),
        removed=tuple(name for name in before if name not in after),
        retyped=tuple(
            (name, before[name], after[name])
            for name in after
            if name in before and before[name] != after[name]
        ),
    )


_SEVERITY = {RuleSeverity.ERROR: CheckSeverity.ERROR, RuleSeverity.WARN: CheckSeverity.WARN}


def schema_result(previous: Columns | None, current: Columns, settings: SchemaChangeSettings) -> CheckResult:
    """Pass when nothing changed (or there is no earlier run); else fail with the worst severity."""
    if previous is None:
        return CheckResult(
            SCHEMA_CHECK, Outcome.PASS, "no earlier run to compare with", None, {"columns": len(current)}
        )
    diff = schema_diff(previous, current)
    metadata: dict[str, object] = {
        "added": list(diff.added),
        "removed": list(diff.removed),
        "retyped": [{"column": n, "from": old, "to": new} for n, old, new in diff.retyped],
    }
    if not diff.changed:
        return CheckResult(
            SCHEMA_CHECK, Outcome.PASS, f"no change to the {len(current)} columns", None, metadata
        )
    parts, severities = [], []
    if diff.removed:
        parts.append(f"removed {', '.join(diff.removed)}")
        severities.append(_SEVERITY[settings.removed])
    if diff.added:
        parts.append(f"added {', '.join(diff.added)}")
        severities.append(_SEVERITY[settings.added])
    if diff.retyped:
        parts.append("re-typed " + ", ".join(f"{n} ({old} -> {new})" for n, old, new in diff.retyped))
        severities.append(_SEVERITY[settings.retyped])
    severity = CheckSeverity.ERROR if CheckSeverity.ERROR in severities else CheckSeverity.WARN
    return CheckResult(SCHEMA_CHECK, Outcome.FAIL, "schema changed: " + "; ".join(parts), severity, metadata)
