"""Rule proposals end to end on the demo warehouse: propose, validate, dry-run, store as pending,
approve into the definition (comments kept), reject for good, and the approved rules catch what
was planted. The LLM path talks to a local server that speaks the Messages API.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from dq_assets.cli.main import cli
from dq_assets.definitions import build_definitions
from dq_assets.source_resources import default_resources, open_table, source_resource_key
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_checks.config.paths import PACKAGED_TABLES_DIR
from dq_checks.proposing.pending import ProposalStatus, parse_proposals
from dq_resources.llm.profile import ProfileRuleProposer
from dq_resources.proposals.store import LocalProposalStore
from dq_runs.proposals.decisions import approve_proposal
from dq_runs.proposals.pipeline import propose_for_table
from tests.fake_anthropic import FakeAnthropic, overloaded_reply, tool_use_reply
from tests.table_runs import run_table_checks

NOW = datetime.now(tz=UTC)


def copy_demo(root: Path, *, keep_rules: bool) -> Path:
    """The demo definitions in `root/tables`, with or without their rules (comments kept)."""
    folder = root / "tables"
    folder.mkdir(parents=True)
    for source in PACKAGED_TABLES_DIR.glob("*.yaml"):
        if keep_rules:
            shutil.copy(source, folder / source.name)
            continue
        yaml = YAML()
        document = yaml.load(source.read_text())
        document.pop("rules", None)
        with (folder / source.name).open("w") as stream:
            yaml.dump(document, stream)
    return folder


def open_defined(defined: object) -> object:
    resources = default_resources()
    return open_table(resources[source_resource_key(defined.spec.source)], defined.spec.source)  # type: ignore[attr-defined]


def rule_outcomes(folder: Path, table: str) -> dict[str, tuple[str, str]]:
    """Run the table's checks; each rule check's (outcome, rule text)."""
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    catalog = {t.spec.table: t for t in loaded.tables}
    defined = catalog[table]
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [build_table_asset(defined, catalog)], instance=instance, resources=default_resources()
        )
    texts = {rule.check_name: rule.text for rule in defined.rules}
    return {
        e.check_name: (e.metadata["dq/outcome"].value, texts[e.check_name])
        for e in result.get_asset_check_evaluations()
        if e.check_name in texts
    }


# What the offline proposer's rules must catch on each demo table once approved: (rule type, column).
PLANTED = {
    "customers": {("Completeness", "phone")},  # 28% of phones are NULL
    "orders": {
        ("IsPrimaryKey", "order_id"),  # 150 ids appear twice
        ("ReferentialIntegrity", "customer_id"),  # 300 orders point at customers who do not exist
        ("ColumnValues", "amount"),  # the one 4,200,000.00 order
    },
    "products": set(),  # its defect is staleness, which the freshness check catches
    "order_items": set(),  # a clean table
}


@pytest.mark.parametrize("table", sorted(PLANTED))
def test_the_offline_proposers_rules_pass_on_clean_columns_and_catch_the_planted_defects(
    table: str, demo_warehouse: dict[str, int], tmp_path: Path
) -> None:
    folder = copy_demo(tmp_path, keep_rules=False)
    loaded = load_table_specs(folder)
    catalog = {t.spec.table: t for t in loaded.tables}
    store = LocalProposalStore(directory=str(tmp_path / "proposals"))
    run = propose_for_table(
        catalog[table],
        catalog,
        open_defined=open_defined,
        proposer=ProfileRuleProposer(),
        store=store,
        now=NOW,
    )
    assert run.dropped == []
    assert len(run.added) >= 4
    for proposal in run.added:
        approve_proposal(catalog[table], store, proposal.name, known_tables=catalog, by="test", now=NOW)

    outcomes = rule_outcomes(folder, table)
    assert set(outcomes) == {p.name for p in run.added}
    failing = {
        (text.split()[0], text.split('"')[1]) for outcome, text in outcomes.values() if outcome != "pass"
    }
    assert failing == PLANTED[table], outcomes
    # the dry run said so before anyone approved
    dry = {(p.rule.split()[0], p.rule.split('"')[1]) for p in run.added if p.dry_run.outcome != "pass"}
    assert dry == PLANTED[table]


@pytest.fixture
def demo_copy(tmp_path: Path, demo_warehouse: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = copy_demo(tmp_path, keep_rules=True)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("DQ_PROPOSALS_DIR", raising=False)
    return folder


def dq(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_propose_approve_and_reject_as_an_engineer_would(demo_copy: Path) -> None:
    config = str(demo_copy)
    original = (demo_copy / "orders.yaml").read_text()
    proposed = dq(
        "propose", "orders", "order amounts are positive; every order has a status", "--config", config
    )
    assert proposed.exit_code == 0, proposed.output
    assert proposed.output.startswith("proposed by profile for orders: ")
    assert 'rule:      ColumnValues "amount" between 0 and ' in proposed.output
    # the 4,200,000.00 order
    assert "dry run:   fails: 1 of 200,000 rows do not meet it, and every row must" in proposed.output
    assert "dry run:   passes: all 200,000 rows meet it" in proposed.output
    pending_file = demo_copy.parent / ".dq" / "proposals" / "orders.yaml"
    proposals = parse_proposals(pending_file.read_text(), "orders")
    names = {p.name: p for p in proposals.proposals}
    assert {p.status for p in names.values()} == {ProposalStatus.PENDING}
    assert all(
        p.proposed_by == "profile" and p.expires_at == p.proposed_at + timedelta(days=7)
        for p in names.values()
    )

    # Pending rules never run as checks.
    checks = {
        k.name
        for k in build_definitions(demo_copy).resolve_asset_graph().asset_check_keys
        if k.asset_key == dg.AssetKey("orders")
    }
    assert not set(names) & checks  # and no proposal takes the name of an active check

    listed = dq("rules", "pending", "orders", "--config", config)
    assert all(name in listed.output for name in names)

    amount = next(n for n, p in names.items() if p.rule.startswith('ColumnValues "amount"'))
    approved = dq(
        "rules", "approve", "orders", amount, "--severity", "warn", "--by", "ana", "--config", config
    )
    assert approved.exit_code == 0, approved.output
    text = (demo_copy / "orders.yaml").read_text()
    assert text.startswith(original.rstrip("\n"))  # comments and layout kept; the rule appended
    assert f"  - name: {amount}\n" in text and "severity: warn" in text.split(amount)[1]
    assert dq("validate", "--config", config).exit_code == 0
    checks = {k.name for k in build_definitions(demo_copy).resolve_asset_graph().asset_check_keys}
    assert amount in checks  # a check on the next load

    status = next(n for n, p in names.items() if p.rule.startswith('ColumnValues "status"'))
    rejected = dq(
        "rules",
        "reject",
        "orders",
        status,
        "--reason",
        "statuses come from an API we trust",
        "--config",
        config,
    )
    assert rejected.exit_code == 0
    after = parse_proposals(pending_file.read_text(), "orders")
    assert after.named(amount).status is ProposalStatus.APPROVED and after.named(amount).approved_by == "ana"
    assert after.named(status).rejection_reason == "statuses come from an API we trust"

    # Asked again: neither the approved (now active) nor the rejected rule comes back.
    again = dq(
        "propose", "orders", "order amounts are positive; every order has a status", "--config", config
    )
    assert f"dropped {after.named(status).rule!r}: rejected by " in again.output
    assert f"dropped {after.named(amount).rule!r}: duplicate of the active rule {amount}" in again.output

    # Deciding twice, or on nothing, is a clear error.
    twice = dq("rules", "approve", "orders", amount, "--config", config)
    assert (twice.exit_code, twice.output.strip()) == (2, f"error: proposal {amount!r} is already approved")
    unknown = dq("rules", "reject", "orders", "nope", "--reason", "x", "--config", config)
    assert unknown.exit_code == 2 and "no proposal 'nope' for orders" in unknown.output
    # A misspelt pending name (its last letter doubled) gets the real one.
    waiting = parse_proposals(pending_file.read_text(), "orders").with_status(ProposalStatus.PENDING)
    intended = waiting[0].name
    misspelt = dq("rules", "approve", "orders", intended + intended[-1], "--config", config)
    assert misspelt.exit_code == 2
    assert misspelt.output.strip().endswith(f"; did you mean {intended!r}?"), misspelt.output


def test_an_expired_proposal_is_marked_and_approved_only_on_purpose(demo_copy: Path) -> None:
    config = str(demo_copy)
    assert dq("propose", "customers", "countries", "--config", config).exit_code == 0
    path = demo_copy.parent / ".dq" / "proposals" / "customers.yaml"
    proposals = parse_proposals(path.read_text(), "customers")
    first = proposals.proposals[0]
    past = NOW - timedelta(days=1)
    path.write_text(
        path.read_text().replace(first.expires_at.isoformat().replace("+00:00", "Z"), past.isoformat())
    )
    assert "expired" in dq("rules", "pending", "customers", "--config", config).output
    refused = dq("rules", "approve", "customers", first.name, "--config", config)
    assert refused.exit_code == 2 and "expired" in refused.output
    assert dq("rules", "approve", "customers", first.name, "--force", "--config", config).exit_code == 0


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as ephemeral:  # closed, so no connection outlives the test
        yield ephemeral


def test_the_propose_rules_job_and_the_automatic_asset(demo_copy: Path, instance: dg.DagsterInstance) -> None:
    # customers without its country and e-mail rules: those columns are uncovered.
    path = demo_copy / "customers.yaml"
    yaml = YAML()
    document = yaml.load(path.read_text())
    document["rules"] = [
        r for r in document["rules"] if r["name"] not in ("country_is_known", "email_is_unique")
    ]
    with path.open("w") as stream:
        yaml.dump(document, stream)
    defs = build_definitions(demo_copy)
    assert run_table_checks(defs, "customers", instance).success
    pending = demo_copy.parent / ".dq" / "proposals" / "customers.yaml"
    proposals = parse_proposals(pending.read_text(), "customers")
    columns = {p.rule.split('"')[1] for p in proposals.proposals if '"' in p.rule}
    # only what no rule covers: email keeps email_is_valid, customer_id and phone keep theirs
    assert columns == {"country", "full_name", "signup_date", "segment"}
    event = instance.get_latest_materialization_event(dg.AssetKey("customers_rule_proposals"))
    assert event.asset_materialization.metadata["proposed"].value == len(proposals.proposals)

    # Run again: everything is covered now (active, or pending), so nothing new and no scan.
    assert run_table_checks(defs, "customers", instance).success
    again = instance.get_latest_materialization_event(dg.AssetKey("customers_rule_proposals"))
    assert again.asset_materialization.metadata["proposed"].value == 0

    launched = defs.resolve_job_def("propose_rules").execute_in_process(
        instance=instance,
        run_config={
            "ops": {"propose_rules_for_table": {"config": {"table": "orders", "request": "amounts"}}}
        },
    )
    assert launched.success
    (output,) = [e for e in launched.all_node_events if e.event_type_value == "STEP_OUTPUT"]
    assert output.event_specific_data.metadata["proposed_by"].value == "profile"


@pytest.fixture
def fake_claude(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    yield server
    server.stop()


def test_claude_proposes_through_the_cli_and_its_usage_is_reported(
    demo_copy: Path, fake_claude: FakeAnthropic
) -> None:
    fake_claude.script(
        tool_use_reply(
            {
                "rules": [
                    {
                        "rule": 'ColumnValues "amount" > 0',
                        "name": "amount_is_positive",
                        "reasoning": "An order amount is a price paid.",
                        "false_positive_scenarios": ["refunds recorded as negative orders"],
                        "severity": "error",
                        "rule_type": "ColumnValues",
                    }
                ]
            },
            input_tokens=1234,
            output_tokens=56,
        )
    )
    result = dq("propose", "orders", "order amounts are positive", "--config", str(demo_copy))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("proposed by claude-sonnet-5-5 for orders: 1 pending, 0 dropped")
    assert "tokens: input_tokens 1,234, output_tokens 56" in result.output
    (proposal,) = parse_proposals(
        (demo_copy.parent / ".dq" / "proposals" / "orders.yaml").read_text(), "orders"
    ).proposals
    assert (proposal.name, proposal.proposed_by, proposal.dry_run.outcome) == (
        "amount_is_positive",
        "claude-sonnet-5-5",
        "pass",
    )
    (request,) = fake_claude.bodies()
    assert "order amounts are positive" in request["messages"][0]["content"]


def test_an_overloaded_model_is_a_clear_error_and_leaves_no_file(
    demo_copy: Path, fake_claude: FakeAnthropic
) -> None:
    fake_claude.script(overloaded_reply())
    result = dq("propose", "orders", "order amounts are positive", "--config", str(demo_copy))
    assert result.exit_code == 2
    assert "overloaded" in result.output and "sk-test-not-a-real-key" not in result.output
    assert not (demo_copy.parent / ".dq" / "proposals").exists()


def test_the_propose_rules_job_records_token_usage_on_the_run(
    demo_copy: Path, fake_claude: FakeAnthropic, instance: dg.DagsterInstance
) -> None:
    fake_claude.script(tool_use_reply({"rules": []}, input_tokens=2048, output_tokens=12))
    defs = build_definitions(demo_copy)  # ANTHROPIC_API_KEY is set: Claude, its key an EnvVar
    assert type(defs.resources["dq_rule_proposer"]).__name__ == "ClaudeRuleProposer"
    result = defs.resolve_job_def("propose_rules").execute_in_process(
        instance=instance,
        run_config={
            "ops": {"propose_rules_for_table": {"config": {"table": "products", "request": "prices"}}}
        },
    )
    assert result.success
    tags = instance.get_run_by_id(result.run_id).tags
    assert (tags["dq/llm_input_tokens"], tags["dq/llm_output_tokens"]) == ("2048", "12")
    # the key reached the SDK from the environment, never from the definitions
    assert fake_claude.requests[0].headers["Authorization"] == "Bearer sk-test-not-a-real-key"


def test_a_spoiled_proposals_file_is_a_clear_error_naming_it(demo_copy: Path) -> None:
    folder = demo_copy.parent / ".dq" / "proposals"
    folder.mkdir(parents=True)
    (folder / "orders.yaml").write_text("table: orders\nproposals:\n  - name: x\n    rule: [unclosed\n")
    listed = dq("rules", "pending", "orders", "--config", str(demo_copy))
    assert listed.exit_code == 2
    assert listed.output.startswith(f"error: {folder / 'orders.yaml'}:5: invalid YAML")
    proposed = dq("propose", "orders", "amounts", "--config", str(demo_copy))
    assert proposed.exit_code == 2 and str(folder / "orders.yaml") in proposed.output
    assert (folder / "orders.yaml").read_text().endswith("[unclosed\n")  # left as it was
