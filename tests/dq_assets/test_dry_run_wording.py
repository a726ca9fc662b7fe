"""A proposal's dry run says what the threshold made of today's rows, never "passes: N rows fail"."""

from __future__ import annotations

import pytest

from dq_assets.cli.proposals import describe_dry_run
from dq_checks.proposing.pending import DryRun


@pytest.mark.parametrize(
    ("dry_run", "said"),
    [
        (  # planted: 950 of 50,000 rows fail a rule that tolerates 5% of them
            DryRun(
                outcome="pass",
                message="950 of 50,000 rows fail",
                evaluated_rows=50_000,
                failed_rows=950,
                condition="'customer_id' in [...], with threshold >= 0.95",
            ),
            "passes: 98.1% of rows meet it (threshold >= 0.95); 950 of 50,000 rows do not",
        ),
        (  # a share rule's condition is the bare comparison
            DryRun(outcome="fail", message="", evaluated_rows=5_000, failed_rows=1_400, condition="> 0.9"),
            "fails: 72% of rows meet it (threshold > 0.9); 1,400 of 5,000 rows do not",
        ),
        (  # one bad row in 200,000: the share never rounds up to 100%
            DryRun(outcome="pass", message="", evaluated_rows=200_000, failed_rows=1, condition=">= 0.99"),
            "passes: 99.999% of rows meet it (threshold >= 0.99); 1 of 200,000 rows do not",
        ),
        (
            DryRun(
                outcome="fail",
                message="",
                evaluated_rows=200_000,
                failed_rows=1,
                condition="'amount' between 0 and 10 on every row",
            ),
            "fails: 1 of 200,000 rows do not meet it, and every row must",
        ),
        (
            DryRun(outcome="pass", message="", evaluated_rows=200_000, failed_rows=0, condition="> 0.9"),
            "passes: all 200,000 rows meet it",
        ),
        (
            DryRun(outcome="pass", message="RowCount = 5,000 meets > 1000"),
            "passes: RowCount = 5,000 meets > 1000",
        ),
        (DryRun(outcome="error", message="error: no column 'emial'"), "error: no column 'emial'"),
        (None, "not run"),
    ],
)
def test_the_dry_run_is_said_in_the_thresholds_terms(dry_run: DryRun | None, said: str) -> None:
    assert describe_dry_run(dry_run) == said
