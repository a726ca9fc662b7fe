"""The GX importer against Great Expectations' own test cases, run on real DuckDB.

Every case GX defines for an expectation type the importer converts (the JSON files under
tests/data/gx_test_definitions, copied from GX's repository; see its README) is imported
through `expectation_to_dqdl` and the rule it became is run through dq's rule evaluation
(compiled against the table, measured in the profile's shared scan, evaluated) on the
case's own data. Each case ends as exactly one of:

- agree: dq's outcome is GX's `success`, and where dq reports a failing-row count (failed
  rows of a row-level rule, duplicate rows of a uniqueness rule) it is GX's unexpected count;
- not converted: the importer refused the expectation, with its reason (a string);
- refused when run: dq refused the rule on this table with its distinct error outcome (a
  column of a type the rule does not take), where GX raises too, or where GX's result is
  one PostgreSQL refuses (GX runs the case on pandas only: a boolean's mean, a text column
  compared with a number). DQDL on DuckDB is judged as GX on PostgreSQL;
- disagree / error: anything else, which this test forbids. A rule the importer writes that
  dq's own validator refuses (`dq validate`, as `dq rules import-gx` runs it) is an error.

A case where GX raises (a bad kwarg, min above max, mixed types) must be refused by the
importer: a rule that runs where GX refuses would be a rule GX never meant. Which cases run
on this engine is described in `gx_cases` (GX's own rule, as for its postgresql backend).
All datasets are loaded into one DuckDB engine; each case runs against its own table there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pytest
from sqlglot import exp

from dq_checks.config.models import AnomalySettings
from dq_checks.dqdl.parser import parse_rule
from dq_checks.dqdl.printer import rule_text
from dq_checks.gx import SUPPORTED_EXPECTATIONS, Unsupported, expectation_to_dqdl
from dq_checks.profile.profiler import profile_and_measure
from dq_checks.results.model import Outcome
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import Evidence, RuleError, RuleOutcome, TableContext, no_history
from dq_checks.rules.validate import validate_rule
from dq_resources.engines import LocalDuckDB
from tests.dq_checks.gx_cases import Case, datasets, load_cases
from tests.dq_checks.rule_harness import NOW, description_of
from tests.runners import duckdb_over


@dataclass(frozen=True)
class Verdict:
    """How one case ended: `agree`, `not converted`, `disagree` or `error`, and why."""

    kind: str
    detail: str
    rule: str | None = None


class _OneTable:
    """The shared engine, seen as holding only one case's table: rules and the profile read `relation`."""

    def __init__(self, engine: LocalDuckDB, relation: exp.Table) -> None:
        self._engine = engine
        self.relation = relation

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


def _run(engine: LocalDuckDB, relation: exp.Table, table: pa.Table, text: str) -> RuleOutcome:
    """Compile, measure and evaluate one rule against one case's table, as the inspect step does."""
    runner = _OneTable(engine, relation)
    description = description_of(table)
    context = TableContext(description, relation, (), NOW)
    compiled = compile_rule(parse_rule(text), context)
    measured = profile_and_measure(runner, description.columns, AnomalySettings(), extra=[compiled.metrics])
    if measured.failed_groups:
        raise RuleError(f"the engine refused the rule's metrics: {measured.failed_groups}")
    return compiled.evaluate(Evidence(measured.values, runner, no_history, measured.profile))


def _failing_rows(outcome: RuleOutcome) -> int | None:
    """The failing-row count dq reports, where it reports one."""
    for key in ("failed_count", "duplicate_rows"):
        if key in outcome.details:
            return int(outcome.details[key])
    return None


def judge(engine: LocalDuckDB, relation: exp.Table, case: Case) -> Verdict:
    """Import the case's expectation, run the rule on the case's table, compare with GX."""
    try:
        rule = rule_text(expectation_to_dqdl(case.expectation_type, case.kwargs))
    except Unsupported as reason:
        if not isinstance(reason.args[0], str) or not reason.args[0]:
            return Verdict("error", f"refused without a reason: {reason!r}")
        return Verdict("not converted", str(reason))
    problems = validate_rule(parse_rule(rule), known_tables=())
    if problems:
        return Verdict("error", f"dq's validator refuses the imported rule: {problems[0].message}", rule)
    try:
        outcome = _run(engine, relation, case.dataset.table, rule)
    except RuleError as error:
        if case.raises or not case.on_postgresql:
            return Verdict("refused when run", _first_words(str(error)), rule)
        return Verdict("error", f"dq refused the rule: {error}", rule)
    if case.raises:
        return Verdict("disagree", f"GX raises on this expectation, dq judged it: {outcome.message}", rule)
    if outcome.outcome not in (Outcome.PASS, Outcome.FAIL):
        return Verdict("error", f"{outcome.outcome.value}: {outcome.message}", rule)
    success = outcome.outcome is Outcome.PASS
    if success is not case.out.get("success"):
        return Verdict("disagree", f"GX success={case.out.get('success')}, dq: {outcome.message}", rule)
    ours, theirs = _failing_rows(outcome), case.unexpected_count
    if ours is not None and theirs is not None and ours != theirs:
        return Verdict("disagree", f"GX finds {theirs} unexpected rows, dq {ours}: {outcome.message}", rule)
    return Verdict("agree", outcome.message, rule)


def _first_words(message: str) -> str:
    """A refusal's reason without the column's name, so that like reasons count together."""
    return message.split(";", maxsplit=1)[0].split(":", maxsplit=1)[0]


@pytest.fixture(scope="module")
def verdicts() -> Iterator[dict[str, Verdict]]:
    cases, _ = load_cases(SUPPORTED_EXPECTATIONS)
    engine = duckdb_over(pa.table({"unused": [0]}))
    relations = {
        dataset.name: engine.load_reference(dataset.name, dataset.table.to_reader())
        for dataset in datasets(cases)
    }
    engine.seal()
    try:
        yield {case.label: judge(engine, relations[case.dataset.name], case) for case in cases}
    finally:
        engine.close()


def summary(verdicts: dict[str, Verdict], skipped: Sequence[Any]) -> str:
    """Counts by kind and by refusal reason, then every disagreement and error, readable as a report."""
    kinds = Counter(v.kind for v in verdicts.values())
    reasons = Counter(
        (v.kind, v.detail) for v in verdicts.values() if v.kind in ("not converted", "refused when run")
    )
    lines = [f"{len(verdicts)} cases: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))]
    lines.append(f"{len(skipped)} cases left out: GX runs them on neither PostgreSQL nor pandas")
    lines += [f"  {kind} ({n}): {reason}" for (kind, reason), n in reasons.most_common()]
    for label, verdict in verdicts.items():
        if verdict.kind in ("disagree", "error"):
            lines.append(
                f"  {verdict.kind.upper()} {label}\n      rule: {verdict.rule}\n      {verdict.detail}"
            )
    return "\n".join(lines)


def test_every_gx_case_agrees_or_is_refused_with_a_reason(verdicts: dict[str, Verdict]) -> None:
    _, skipped = load_cases(SUPPORTED_EXPECTATIONS)
    report = summary(verdicts, skipped)
    print(report)
    kinds = Counter(v.kind for v in verdicts.values())
    assert kinds["disagree"] == 0 and kinds["error"] == 0, report
    assert all(v.detail for v in verdicts.values() if v.kind in ("not converted", "refused when run")), report
