"""The pending-proposals file and rule coverage: plain values in, plain values out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dq_checks.dqdl.parser import parse_rule
from dq_checks.proposing.coverage import canonical, covered_columns, rule_columns
from dq_checks.proposing.model import TABLE_LEVEL
from dq_checks.proposing.pending import (
    DryRun,
    Proposal,
    ProposalsFile,
    ProposalStatus,
    parse_proposals,
    render_proposals,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def proposal(
    name: str = "amount_in_range", rule: str = 'ColumnValues "amount" between 0 and 52000'
) -> Proposal:
    return Proposal(
        name=name,
        rule=rule,
        rule_type=rule.split(maxsplit=1)[0],
        proposed_by="profile",
        proposed_at=NOW,
        expires_at=NOW + timedelta(days=7),
        reasoning="amounts observed between 1.15 and 47,533 once the one isolated extreme is set aside",
        false_positive_scenarios=["a legitimate bulk order"],
        dry_run=DryRun(
            outcome="fail", message="1 of 200,000 rows fail", evaluated_rows=200_000, failed_rows=1
        ),
    )


def test_a_file_round_trips_and_says_how_to_act_on_it() -> None:
    original = ProposalsFile(table="orders").add([proposal(), proposal("ts_fresh", 'IsComplete "order_ts"')])
    text = render_proposals(original)
    assert text.startswith("# Rules proposed for orders. Nothing here runs as a check.\n")
    assert "`dq rules approve orders NAME`" in text
    assert parse_proposals(text, "orders") == original
    assert parse_proposals("", "orders") == ProposalsFile(table="orders")


def test_names_stay_unique_when_the_same_name_is_proposed_again() -> None:
    names = [p.name for p in ProposalsFile(table="t").add([proposal(), proposal(), proposal()]).proposals]
    assert names == ["amount_in_range", "amount_in_range_2", "amount_in_range_3"]
    # an active check's name is taken too
    (added,) = ProposalsFile(table="t").add([proposal()], taken=["amount_in_range"]).proposals
    assert added.name == "amount_in_range_2"


def test_expiry_is_a_pending_proposal_past_its_time() -> None:
    pending = proposal()
    assert (pending.expired(NOW + timedelta(days=6)), pending.expired(NOW + timedelta(days=7))) == (
        False,
        True,
    )
    assert pending.shown_status(NOW + timedelta(days=8)) == "expired"
    rejected = pending.model_copy(update={"status": ProposalStatus.REJECTED})
    assert (rejected.expired(NOW + timedelta(days=8)), rejected.shown_status(NOW)) == (False, "rejected")


def test_an_unknown_key_in_a_hand_edited_file_is_an_error() -> None:
    text = render_proposals(ProposalsFile(table="t").add([proposal()])).replace("reasoning:", "reasonning:")
    with pytest.raises(ValueError, match="reasonning"):
        parse_proposals(text, "t")


@pytest.mark.parametrize(
    ("rule", "columns"),
    [
        ('IsPrimaryKey "order_id"', {"order_id"}),
        ('IsUnique "a" "b"', {"a", "b"}),
        ('ReferentialIntegrity "city,state" "ref.{c,s}" = 1.0', {"city", "state"}),
        ('ColumnCorrelation "x" "y" > 0.5', {"x", "y"}),
        ("RowCount > 10", {TABLE_LEVEL}),
        ('DetectAnomalies "Completeness" "email"', {"email"}),
        ('DetectAnomalies "RowCount"', {TABLE_LEVEL}),
        ('CustomSql "select count(*) from primary" = 0', set()),
        ('(IsComplete "a") and (ColumnValues "b" > 0)', {"a", "b"}),
    ],
)
def test_the_columns_a_rule_covers(rule: str, columns: set[str]) -> None:
    assert rule_columns(parse_rule(rule)) == columns


def test_equal_rules_written_differently_have_one_canonical_text() -> None:
    assert canonical('ColumnValues  "amount"   between 0 and 10') == canonical(
        'ColumnValues "amount" between 0 and 10'
    )
    assert canonical('IsComplete "a"') != canonical('IsComplete "b"')
    assert canonical('IsComplete "a" >') is None  # does not parse
    assert covered_columns([parse_rule('IsComplete "a"'), parse_rule("RowCount > 1")]) == {"a", TABLE_LEVEL}
