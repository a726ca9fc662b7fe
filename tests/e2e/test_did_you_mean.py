"""Every misspelt name a user writes gets the closest real one: "did you mean 'freshness'?".

Definitions with planted typos (each commented with the name it should have been) go through the
real `dq` CLI, a process per command, as a user runs it: `dq validate` for keys, rule types,
tables and channels, `dq run` for the columns only the data can tell, and the CLI's own lookups
for table and command names.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.e2e.hostile.workspace import Workspace, checks_of, line_of

ORDERS = """\
table: orders
source:
  type: file
  path: ../orders.parquet
  delimter: ","                # delimiter
fresshness:                    # freshness
  max_age_hours: 24
anomalies:
  columns:
    email:
      nul_rate_max: 0.1        # null_rate_max
deps: [custmers]               # customers
rules:
  - name: complete
    rule: IsCompete "email"                                   # IsComplete
  - name: customer_exists
    rule: ReferentialIntegrity "customer_id" "custmer.customer_id" = 1.0   # customers
"""
CUSTOMERS = """\
table: customers
source: {type: file, path: ../orders.parquet}
alerts: {channels: [opps]}     # ops
"""
ALERTS = """\
renotify_after_hour: 24        # renotify_after_hours
channels:
  ops: {type: slack, channel: "#dq", token_env: SLACK_TOKEN, api_ur: "http://127.0.0.1:9"}   # api_url
"""
# The columns are order_id, email and updated_at; each name below misses one of them.
COLUMN_TYPOS = """\
table: orders
source: {type: file, path: ../orders.parquet}
key: [ordr_id]                                   # order_id
pii_columns: [emial]                             # email
freshness: {max_age_hours: 24, timestamp_column: updatd_at}   # updated_at
anomalies:
  columns:
    emal: {null_rate_max: 0.1}                   # email
rules:
  - name: unique_id
    rule: IsUnique "ordre_id"                    # order_id
  - name: email_shape
    rule: ColumnValues "emali" matches "a.*"     # email
"""


@pytest.fixture
def space(tmp_path: Path) -> Workspace:
    workspace = Workspace.create(tmp_path)
    duckdb.sql(
        "COPY (SELECT i AS order_id, i AS customer_id, 'a' || i AS email, now() AS updated_at "
        f"FROM range(100) t(i)) TO '{tmp_path / 'orders.parquet'}'"
    )
    return workspace


def test_dq_validate_names_the_closest_key_rule_type_table_and_channel(space: Workspace) -> None:
    orders = space.define("orders", ORDERS)
    customers = space.define("customers", CUSTOMERS)
    alerts = space.root / "alerts.yaml"
    alerts.write_text(ALERTS)

    ran = space.dq("validate")

    assert ran.returncode == 2, ran.stderr
    at = {
        "orders": lambda text: f"{orders}:{line_of(orders, text)}:",
        "customers": lambda text: f"{customers}:{line_of(customers, text)}:",
        "alerts": lambda text: f"{alerts}:{line_of(alerts, text)}:",
    }
    expected = [
        f"{at['orders']('delimter')} unknown key 'source.delimter'; did you mean 'delimiter'?",
        f"{at['orders']('fresshness')} unknown key 'fresshness'; did you mean 'freshness'?",
        f"{at['orders']('nul_rate_max')} unknown key 'anomalies.columns.email.nul_rate_max'; "
        "did you mean 'null_rate_max'?",
        f"{at['alerts']('renotify_after_hour')} unknown key 'renotify_after_hour'; "
        "did you mean 'renotify_after_hours'?",
        f"{at['alerts']('api_ur')} unknown key 'channels.ops.api_ur'; did you mean 'api_url'?",
    ]
    for line in expected:
        assert line in ran.stdout + ran.stderr, (line, ran.stdout, ran.stderr)

    # With the keys fixed, the rest of what is misspelt comes to light.
    orders.write_text(
        ORDERS.replace('  delimter: ","', "")
        .replace("fresshness", "freshness")
        .replace("nul_rate_max", "null_rate_max")
    )
    alerts.write_text(
        ALERTS.replace("renotify_after_hour:", "renotify_after_hours:").replace("api_ur:", "api_url:")
    )

    ran = space.dq("validate")

    output = ran.stdout + ran.stderr
    assert ran.returncode == 2, output
    expected = [
        f"{at['orders']('deps:')} deps: 'custmers' is not a monitored table; did you mean 'customers'?",
        f"{at['orders']('IsCompete')} rule 'IsCompete \"email\"': 1:1: unknown rule type 'IsCompete'; "
        "did you mean IsComplete?",
        f"{at['orders']('custmer.')} rule "
        '\'ReferentialIntegrity "customer_id" "custmer.customer_id" = 1.0\': 1:1: '
        "ReferentialIntegrity references table 'custmer', which is not a monitored table; "
        "did you mean 'customers'?",
        f"{at['customers']('opps')} alerts: unknown channel 'opps'; channels: log, ops; did you mean 'ops'?",
    ]
    for line in expected:
        assert line in output, (line, output)
    assert output.count("did you mean") == len(expected), output


def test_dq_run_names_the_closest_column(space: Workspace) -> None:
    space.define("orders", COLUMN_TYPOS)

    _, output = space.run_json()

    checks = checks_of(output, "orders")
    outcomes = {
        name: checks[name]["outcome"]
        for name in ("profile", "anomalies", "unique_id", "email_shape", "freshness")
    }
    assert outcomes == dict.fromkeys(outcomes, "error")
    hints = {name: checks[name]["description"] for name in outcomes}
    assert (
        "'emial' is not a column of the table; every column's values are redacted until it is fixed; "
        "did you mean 'email'?" in hints["profile"]
    )
    assert "key: 'ordr_id' is not a column of the table; did you mean 'order_id'?" in hints["profile"]
    assert hints["anomalies"].endswith(
        "anomalies.columns: 'emal' is not a column of the table; did you mean 'email'?"
    )
    assert hints["unique_id"].endswith(
        "column 'ordre_id' does not exist; the table has: order_id, customer_id, email, updated_at; "
        "did you mean 'order_id'?"
    )
    assert hints["email_shape"].endswith(
        "column 'emali' does not exist; the table has: order_id, customer_id, email, updated_at; "
        "did you mean 'email'?"
    )
    assert hints["freshness"].endswith(
        "freshness.timestamp_column 'updatd_at' is not a column of the table; did you mean 'updated_at'?"
    )


def test_the_cli_names_the_closest_table_and_command(space: Workspace) -> None:
    space.define("orders", COLUMN_TYPOS)
    space.define("customers", CUSTOMERS.replace("alerts: {channels: [opps]}     # ops\n", ""))

    run = space.dq("run", "ordrs")
    rules = space.dq("rules", "export-dqdl", "custmers")
    command = space.dq("rnu", config=False)
    subcommand = space.dq("rules", "aprove", config=False)

    unknown = "unknown table 'ordrs'; defined tables: customers, orders; did you mean 'orders'?"
    assert run.returncode == 2 and unknown in run.stdout + run.stderr, (run.stdout, run.stderr)
    assert rules.returncode == 2
    assert (
        "unknown table 'custmers'; defined tables: customers, orders; did you mean 'customers'?"
        in rules.stderr
    )
    assert "No such command 'rnu'. Did you mean 'run'?" in command.stderr
    assert "No such command 'aprove'. Did you mean 'approve'?" in subcommand.stderr
