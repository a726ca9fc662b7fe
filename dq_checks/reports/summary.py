"""The executive summary of one table's run: a few sentences people read before anything else.

`summary_facts` gathers the facts as plain JSON-ready values: the quality score, the checks
that did not pass (errors before warnings), the worst anomalies, and what changed since the
previous run. `executive_summary` writes them as markdown from a template, offline and
deterministically; a language model can later write its own version from the same facts.

Everything here reads values that are already redacted: descriptions and anomalies of PII
columns never quote their values, and no failing-row sample is ever quoted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from dq_checks.anomalies.model import Anomaly, Severity
from dq_checks.history.earlier_runs import PastRun
from dq_checks.profile.model import TableProfile
from dq_checks.results.inspection import TableInspection
from dq_checks.results.model import CheckResult, CheckSeverity, Outcome
from dq_checks.results.names import ANOMALIES_CHECK, QUALITY_SCORE_CHECK
from dq_checks.rules.scores import Scores
from dq_checks.schema_change import schema_diff

SHOWN = 3
"""How many failing checks, anomalies and null-rate changes the summary names."""
FACTS_LIMIT = 10
"""How many of each the facts list (the rest are counted)."""
NULL_JUMP_POINTS = 5.0
"""A column's null rate must move by this many percentage points to count as a change."""
DESCRIPTION_CHARS = 160

_SEVERITY_RANK = {CheckSeverity.ERROR: 0, CheckSeverity.WARN: 1, None: 2}
_OUTCOME_RANK = {Outcome.FAIL: 0, Outcome.ERROR: 1}
_COUNT_KEYS = ("failed_count", "duplicate_rows", "missing_rows_count")


def ranked_failures(checks: Sequence[CheckResult]) -> list[CheckResult]:
    """Checks that did not pass, worst first: ERROR severity before WARN, failures before errors.

    The quality score and a failing anomalies check are left out: the summary cites the score
    and the anomalies on their own. Ties keep the checks' order.
    """
    candidates = [
        (index, check)
        for index, check in enumerate(checks)
        if not check.passed
        and check.name != QUALITY_SCORE_CHECK
        and not (check.name == ANOMALIES_CHECK and check.outcome is Outcome.FAIL)
    ]
    candidates.sort(
        key=lambda pair: (_SEVERITY_RANK[pair[1].severity], _OUTCOME_RANK.get(pair[1].outcome, 2), pair[0])
    )
    return [check for _, check in candidates]


def ranked_anomalies(anomalies: Sequence[Anomaly]) -> list[Anomaly]:
    """Worst severity first, then by column and type."""
    return sorted(anomalies, key=lambda a: (-a.severity.rank, a.column, a.type, a.method))


def failing_count(check: CheckResult) -> int | None:
    """How many rows a rule found failing (or duplicated, or missing), when it says."""
    for key in _COUNT_KEYS:
        value = check.metadata.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def summary_facts(table: str, inspection: TableInspection, previous: PastRun | None) -> dict[str, Any]:
    """The facts the summary states, as JSON-ready values (what a language model would be given).

    `previous` is the run to compare with (usually the latest earlier run), or None.
    """
    profile = inspection.profile
    checks = list(inspection.checks)
    failures = ranked_failures(checks)
    anomalies = ranked_anomalies(inspection.anomalies)
    loud = [a for a in anomalies if a.severity is not Severity.INFO]
    return {
        "table": table,
        "row_count": profile.row_count,
        "column_count": profile.column_count,
        "profile_level": profile.level,
        "data_version": inspection.description.data_version,
        "score": _score_facts(inspection.scores, checks),
        "checks": {
            "total": len(checks),
            "passed": sum(1 for c in checks if c.outcome is Outcome.PASS),
            "failed": sum(1 for c in checks if c.outcome is Outcome.FAIL),
            "errors": sum(1 for c in checks if c.outcome is Outcome.ERROR),
            "skipped": sum(1 for c in checks if c.outcome is Outcome.SKIP),
        },
        "failing_checks": [_check_facts(c) for c in failures[:FACTS_LIMIT]],
        "failing_checks_not_listed": max(0, len(failures) - FACTS_LIMIT),
        "anomalies": {
            "critical": sum(1 for a in anomalies if a.severity is Severity.CRITICAL),
            "warning": sum(1 for a in anomalies if a.severity is Severity.WARNING),
            "info": sum(1 for a in anomalies if a.severity is Severity.INFO),
            "worst": [_anomaly_facts(a) for a in loud[:FACTS_LIMIT]],
        },
        "changes": None if previous is None else _changes(inspection, previous),
    }


def _score_facts(scores: Scores | None, checks: Sequence[CheckResult]) -> dict[str, Any]:
    check = next((c for c in checks if c.name == QUALITY_SCORE_CHECK), None)
    minimum = check.metadata.get("minimum") if check is not None else None
    overall = None if scores is None or scores.overall is None else round(scores.overall, 6)
    return {
        "overall": overall,
        "rules_passed": 0 if scores is None else scores.passed,
        "rules_evaluated": 0 if scores is None else scores.evaluated,
        "dimensions": {} if scores is None else {k: round(v, 6) for k, v in scores.dimensions.items()},
        "minimum": minimum,
        "below_minimum": None if overall is None or minimum is None else overall < minimum,
        "has_rules": scores is not None,
    }


def _check_facts(check: CheckResult) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "name": check.name,
        "outcome": check.outcome.value,
        "severity": None if check.severity is None else check.severity.value,
        "description": check.description,
    }
    if "rule" in check.metadata:
        facts["rule"] = str(check.metadata["rule"])
    count = failing_count(check)
    if count is not None:
        facts["failing_rows"] = count
    return facts


def _anomaly_facts(anomaly: Anomaly) -> dict[str, Any]:
    return {
        "column": anomaly.column,
        "type": anomaly.type,
        "method": anomaly.method,
        "severity": anomaly.severity.value,
        "value": anomaly.value,
        "threshold": anomaly.threshold,
        "description": anomaly.description,
    }


def _changes(inspection: TableInspection, previous: PastRun) -> dict[str, Any]:
    current_rows = inspection.profile.row_count
    rows: dict[str, Any] = {"previous": None, "current": current_rows, "delta": None, "delta_pct": None}
    if previous.row_count is not None:
        before = round(previous.row_count)
        rows.update(previous=before, delta=current_rows - before)
        if before:
            rows["delta_pct"] = round(100.0 * (current_rows - before) / before, 4)
    schema = None
    if previous.schema is not None:
        current = [(c.name, c.data_type) for c in inspection.description.columns]
        diff = schema_diff(previous.schema, current)
        schema = {
            "added": list(diff.added),
            "removed": list(diff.removed),
            "retyped": [{"column": n, "from": old, "to": new} for n, old, new in diff.retyped],
        }
    version = inspection.description.data_version
    return {
        "previous_at": _instant(previous.at),
        "same_data_version": None
        if version is None or previous.data_version is None
        else version == previous.data_version,
        "row_count": rows,
        "schema": schema,
        "null_rate_changes": _null_changes(inspection.profile, previous.metrics)[:FACTS_LIMIT],
    }


def _null_changes(profile: TableProfile, metrics: Mapping[str, float]) -> list[dict[str, Any]]:
    changes = []
    for name, column in profile.columns.items():
        before = metrics.get(f"{name}.null_pct")
        if before is None:
            continue
        delta = column.null_pct - before
        if abs(delta) >= NULL_JUMP_POINTS:
            changes.append(
                {
                    "column": name,
                    "previous_pct": round(before, 4),
                    "current_pct": round(column.null_pct, 4),
                    "delta_points": round(delta, 4),
                }
            )
    return sorted(changes, key=lambda c: (-abs(c["delta_points"]), c["column"]))


def _instant(moment: datetime) -> str:
    """ISO-8601 in UTC; a naive time is taken as UTC, never as this machine's zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


# -- the template


def executive_summary(table: str, inspection: TableInspection, previous: PastRun | None) -> str:
    """Three to six sentences of markdown on the table's state, from `summary_facts`.

    The score, the worst checks that did not pass (errors before warnings, at most three),
    the worst anomalies, and the changes since `previous` (row count, schema, null rates).
    """
    return summary_from_facts(summary_facts(table, inspection, previous))


def summary_from_facts(facts: Mapping[str, Any]) -> str:
    """The template: `summary_facts` as one paragraph of markdown."""
    sentences = [
        _state_sentence(facts),
        _checks_sentence(facts),
        _anomalies_sentence(facts["anomalies"]),
        *_change_sentences(facts["changes"]),
    ]
    return " ".join(sentences)


def _state_sentence(facts: Mapping[str, Any]) -> str:
    score = facts["score"]
    shape = f"**{escape(facts['table'])}** has {facts['row_count']:,} rows in {facts['column_count']} columns"
    if not score["has_rules"]:
        return f"{shape}; it has no rules, so it has no quality score."
    if score["overall"] is None:
        return f"{shape}; none of its rules could be evaluated, so it has no quality score."
    text = (
        f"{shape} and a quality score of **{score['overall']:.2f}** "
        f"({score['rules_passed']} of {score['rules_evaluated']} rules pass)"
    )
    if score["below_minimum"]:
        text += f", below its minimum of {score['minimum']:.2f}"
    elif score["minimum"] is not None:
        text += f", meeting its minimum of {score['minimum']:.2f}"
    return text + "."


def _checks_sentence(facts: Mapping[str, Any]) -> str:
    counts, failures = facts["checks"], facts["failing_checks"]
    if not failures:
        skipped = f" ({counts['skipped']} skipped)" if counts["skipped"] else ""
        if facts["anomalies"]["worst"]:
            return f"Apart from the anomalies, every check passes{skipped}."
        return f"Every check passes{skipped}."
    total = len(failures) + facts["failing_checks_not_listed"]
    noun = "check does" if total == 1 else "checks do"
    named = "; ".join(_check_phrase(f) for f in failures[:SHOWN])
    rest = total - min(SHOWN, len(failures))
    more = f"; and {rest} more" if rest else ""
    lead = "" if total == 1 else ", worst first"
    besides = [
        what
        for what, failed in (
            ("the score", facts["score"]["below_minimum"]),
            ("the anomalies", facts["anomalies"]["worst"]),
        )
        if failed
    ]
    apart = f"Apart from {' and '.join(besides)}, " if besides else ""
    return f"{apart}{total} {noun} not pass{lead}: {named}{more}."


def _check_phrase(check: Mapping[str, Any]) -> str:
    if check["outcome"] == Outcome.ERROR.value:
        status = "could not be evaluated"
    else:
        status = (check["severity"] or "fail").lower()
    return f"{code(check['name'])} ({status}): {escape(_short(check['description']))}"


def _anomalies_sentence(anomalies: Mapping[str, Any]) -> str:
    worst = anomalies["worst"]
    if not worst:
        info = anomalies["info"]
        return (
            f"No anomaly needs attention ({info} informational)." if info else "No anomalies were detected."
        )
    parts = []
    if anomalies["critical"]:
        parts.append(f"{anomalies['critical']} critical")
    if anomalies["warning"]:
        parts.append(f"{anomalies['warning']} warning")
    total = anomalies["critical"] + anomalies["warning"]
    noun = "anomaly" if total == 1 else "anomalies"
    named = "; ".join(
        f"{code(a['column'])} {code(a['type'])} ({a['severity']}): {escape(_short(a['description']))}"
        for a in worst[:SHOWN]
    )
    more = f"; and {total - SHOWN} more" if total > SHOWN else ""
    return f"The profile shows {' and '.join(parts)} {noun}: {named}{more}."


def _change_sentences(changes: Mapping[str, Any] | None) -> list[str]:
    if changes is None:
        return ["There is no earlier run to compare with."]
    when = _when(changes["previous_at"])
    same = " (same data version)" if changes["same_data_version"] else ""
    rows = changes["row_count"]
    if rows["previous"] is None:
        row_text = f"the earlier row count is not known (now {rows['current']:,})"
    elif rows["delta"] == 0:
        row_text = f"the row count is unchanged at {rows['current']:,}"
    else:
        pct = "" if rows["delta_pct"] is None else f", {rows['delta_pct']:+.1f}%"
        row_text = (
            f"the row count went from {rows['previous']:,} to {rows['current']:,} ({rows['delta']:+,}{pct})"
        )
    schema = changes["schema"]
    if schema is None:
        schema_text = "the earlier schema is not known"
    elif schema["added"] or schema["removed"] or schema["retyped"]:
        schema_text = "the schema changed (" + _schema_phrase(schema) + ")"
    else:
        schema_text = "the schema is unchanged"
    first = f"Since the previous run on {when}{same}, {row_text} and {schema_text}."
    nulls = changes["null_rate_changes"]
    if not nulls:
        return [first, f"No column's null rate moved by {NULL_JUMP_POINTS:g} points or more."]
    moved = ", ".join(
        f"{code(c['column'])} from {c['previous_pct']:.1f}% to {c['current_pct']:.1f}%" for c in nulls[:SHOWN]
    )
    more = f" and {len(nulls) - SHOWN} more" if len(nulls) > SHOWN else ""
    return [first, f"Null rates moved: {moved}{more}."]


def _schema_phrase(schema: Mapping[str, Any]) -> str:
    parts = []
    if schema["added"]:
        parts.append("added " + ", ".join(code(n) for n in schema["added"]))
    if schema["removed"]:
        parts.append("removed " + ", ".join(code(n) for n in schema["removed"]))
    if schema["retyped"]:
        parts.append(
            "re-typed "
            + ", ".join(
                f"{code(r['column'])} from {escape(r['from'])} to {escape(r['to'])}"
                for r in schema["retyped"]
            )
        )
    return "; ".join(parts)


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def _short(text: str) -> str:
    flat = " ".join(str(text).split()).rstrip(".")
    return flat if len(flat) <= DESCRIPTION_CHARS else flat[: DESCRIPTION_CHARS - 1].rstrip() + "…"


# -- markdown pieces


# Intraword underscores never start emphasis (order_id stays as written); `[`, `>`, `|` and `#`
# are markup only in places a sentence of the summary never puts them.
_ESCAPED = re.compile(r"([\\`*<]|(?<!\w)_|_(?!\w))")
_MARKUP = re.compile(r"\\(.)|\*\*|`")


def escape(text: str) -> str:
    """Text with markdown's special characters backslash-escaped, so it shows as written."""
    return _ESCAPED.sub(lambda match: "\\" + match.group(0), str(text))


def code(text: str) -> str:
    """A code span (a name: a check, a column); backticks inside become quotes."""
    return "`" + str(text).replace("`", "'") + "`"


def plain_text(markdown: str) -> str:
    """The summary's markdown as plain text: no `**`, no backticks, escapes undone."""
    return _MARKUP.sub(lambda match: match.group(1) or "", markdown)
