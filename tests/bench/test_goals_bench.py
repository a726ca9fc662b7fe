"""The goals benchmark's own logic: which tables it builds, how it judges a goal, its table.

The benchmark's numbers decide nothing here: these tests feed it made-up runs.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def goals() -> Iterator[ModuleType]:
    """bench/goals_bench.py, imported as its scripts import each other: from the bench folder."""
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    try:
        import goals_bench

        yield goals_bench
    finally:
        sys.path.remove(str(REPO_ROOT / "bench"))


def plain(goals: ModuleType, text: str) -> str:
    """The text with the table's typographic signs in ASCII: x, <=, -."""
    return text.replace(goals.TIMES, "x").replace(goals.LE, "<=").replace(goals.DASH, "-")


def planted_run(goals: ModuleType, seconds: float, rows: int, cols: int, rules: int):
    """A successful run whose every rule has its planted outcome."""
    grid_rules = sys.modules["grid_rules"]
    checks = {rule.name: rule.planted for rule in grid_rules.grid_rules(rows, cols, rules, goals.utc_now())}
    return goals.gb.Run("ok", seconds=seconds, peak_mib=500.0, extra={"checks": checks})


def test_a_goal_is_met_at_its_limit_unless_strict_and_unjudged_without_a_number(goals):
    assert goals.met(1.5, 1.5) == "yes"
    assert goals.met(1.51, 1.5) == "no"
    assert goals.met(1.0, 1.0, strict=True) == "no"
    assert goals.met(0.99, 1.0, strict=True) == "yes"
    assert goals.met(math.nan, 1.0) == goals.DASH


def test_linearity_is_the_wide_time_over_the_reference_scaled_by_columns(goals):
    assert goals.over_linear(10.0, 100, 100.0, 1_000) == pytest.approx(1.0)
    assert goals.over_linear(10.0, 100, 120.0, 1_000) == pytest.approx(1.2)
    assert math.isnan(goals.over_linear(0.0, 100, 120.0, 1_000))


def test_quick_builds_only_million_row_tables_and_each_table_once(goals):
    quick = goals.plan(set(goals.GOALS), set(goals.PEERS), (goals.MILLION,))
    full = goals.plan(set(goals.GOALS), set(goals.PEERS), (goals.MILLION, goals.TEN_MILLION))

    assert {t.rows for t in quick} == {goals.MILLION}
    assert len({(t.rows, t.cols) for t in full}) == len(full) == 6  # 2 x 2 grid tables, 2 wide ones
    big = next(t for t in full if (t.rows, t.cols) == goals.BIG_TABLE)
    assert goals.Measure(("ours@exact",), 0) in big.measures
    assert all(m.rules for t in quick if t.build == "build" for m in t.measures)  # goal 4 is 10M only
    wide = [t for t in full if t.build == "build-wide"]
    assert [t.cols for t in wide] == [goals.WIDE_REF_COLS, goals.WIDE_COLS]


def test_ten_million_rows_alone_still_build_the_million_row_table_of_goals_1_and_6(goals):
    tables = goals.plan({1, 2, 4, 6}, {"soda"}, (goals.TEN_MILLION,))

    first = tables[0]
    assert (first.rows, first.cols) == (goals.MILLION, 10)
    assert first.measures == (goals.Measure(("cold-dq", "cold-soda"), 10),)
    assert [(t.rows, t.cols) for t in tables[1:]] == [(goals.TEN_MILLION, 10), (goals.TEN_MILLION, 50)]


def test_skipped_goals_and_peers_are_not_planned(goals):
    tables = goals.plan({1, 3}, {"gx"}, (goals.MILLION,))

    names = {name for t in tables for m in t.measures for name in m.names}
    assert names == {"cold-dq", "cold-gx", "ours@off"}
    assert all(t.build == "build" for t in tables)


def test_the_goals_table_judges_ratios_and_agreement_and_says_what_did_not_run(goals):
    rows, cols, rules = goals.COLD_CELL
    results = {
        ("cold-dq", rows, cols, rules): planted_run(goals, 3.0, rows, cols, rules),
        ("cold-soda", rows, cols, rules): planted_run(goals, 2.0, rows, cols, rules),
        ("cold-gx", rows, cols, rules): planted_run(goals, 6.0, rows, cols, rules),
    }
    judge = goals.Judge(results, None)

    lines = [plain(goals, line) for line in goals.format_goals(judge.rows({1, 4}, (goals.MILLION,)))]

    assert lines[0] == "| measure | ours | peer | ratio | goal | met? | agree |"
    soda, gx, ydata, big = lines[2:]
    assert "| 3.00 s | 2.00 s | 1.50x | <= 2x (stretch < 1x) | yes | yes |" in soda
    assert "| 3.00 s | 6.00 s | 0.50x | <= 0.4x (2.5x faster) | no | yes |" in gx
    assert "| 3.00 s | not run | - |" in ydata
    assert "not run (no 10M rows)" in big
    assert judge.disagreements == []


def test_a_rule_outcome_off_the_planted_one_is_a_disagreement(goals):
    rows, cols, rules = goals.COLD_CELL
    ours = planted_run(goals, 3.0, rows, cols, rules)
    ours.extra["checks"]["row_count"] = "fail"
    judge = goals.Judge({("cold-dq", rows, cols, rules): ours}, None)

    row = judge.cold()[0]

    assert row.agree == "NO (1)"
    assert [plain(goals, line) for line in judge.disagreements] == [
        "1M x 10 x 10: row_count: planted pass, ours fail"
    ]


def test_a_peer_killed_at_a_limit_meets_a_ratio_goal_that_ours_finished(goals):
    rows, cols, rules = goals.MILLION, 50, 100
    results = {
        ("ours@off", rows, cols, rules): planted_run(goals, 80.0, rows, cols, rules),
        ("soda", rows, cols, rules): goals.gb.Run("memory"),
    }
    grid = goals.gb.Grid(REPO_ROOT, REPO_ROOT, 1800.0, 12 * 2**20, 1)

    row = goals.Judge(results, grid).check_step(
        "off", rules, [(rows, cols)], goals.Limit("< 1x", 1.0, strict=True)
    )[0]

    assert (row.peer, row.met, row.agree) == ("> 12 GiB", "yes (peer over the limit)", "yes")
