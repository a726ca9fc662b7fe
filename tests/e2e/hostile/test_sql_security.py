"""Hostile and unlucky input to the `sql` source and to user SQL, run through the real `dq` CLI on a
real PostgreSQL: what a rule may read, how long a statement may run, what a message may carry.

Every leak test plants a secret and looks for it everywhere a run writes: stdout and stderr, the
`--json` output, the Dagster event log (read through the instance), every file of DAGSTER_HOME
and the results store.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlalchemy.engine import make_url

from dq_checks.config.loader import load_table_specs
from dq_checks.config.sources import SqlSourceSpec
from dq_resources.source_contract import SourceError
from dq_resources.sql.resource import SqlSourceResource
from tests.e2e.hostile.workspace import Workspace, line_of, plant_secret, warehouse_fixture
from tests.silent_server import SilentServer

if TYPE_CHECKING:
    import psycopg2.extensions

pytestmark = pytest.mark.postgres

SECRET = "PLANTED-SECRET-5b8e1d"
"""Planted in other_schema.secrets, in shop.notes, and as the value of ANTHROPIC_API_KEY."""
NOTE = f"{SECRET} in a customer's note"
BIG_ROWS = 3_000  # a three-way self-join of 3,000 rows is 2.7e10 row combinations: it never ends in time

ORDERS = [
    # (id, status, email)
    (1, "50%", "a@x.io"),  # planted: the only status `in ["50%"]`
    (2, "%", "b@x.io"),  # planted: the only status `!= "%"` fails on
    (3, "ok", "c@x.io"),
    (4, "abc", "alice@example.com"),  # planted: an email a failing cast would quote
    (5, "a%", "e@x.io"),
    (6, "ab", "f@x.io"),
]
# ids 2, 4 and 6 are even (`id % 2 = 0`); 'abc', 'a%' and 'ab' are `like 'a%'`


def seed_warehouse(cursor: psycopg2.extensions.cursor) -> None:
    """shop.orders, shop.notes, shop.big and shop.seq, and the secret in a schema of its own."""
    cursor.execute("CREATE SCHEMA shop")
    cursor.execute("CREATE TABLE shop.orders (id int, status text, email text)")
    cursor.executemany("INSERT INTO shop.orders VALUES (%s, %s, %s)", ORDERS)
    cursor.execute("CREATE TABLE shop.notes (id int, note text)")
    cursor.execute("INSERT INTO shop.notes VALUES (1, %s)", (NOTE,))
    cursor.execute(
        "CREATE TABLE shop.big AS SELECT g AS id, md5(g::text) AS s FROM generate_series(1, %s) g",
        (BIG_ROWS,),
    )
    cursor.execute("CREATE SEQUENCE shop.seq")
    plant_secret(cursor, SECRET)


warehouse = warehouse_fixture("dq_hostile", seed_warehouse)
"""A database seeded as above; yields its URL."""


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path, env={"ANTHROPIC_API_KEY": SECRET}, timeout=180)


def assert_nowhere(workspace: Workspace, secret: str, *runs: subprocess.CompletedProcess[str]) -> str:
    """`secret` is in no output, event, stored row or file; returns what was searched."""
    for ran in runs:
        assert secret not in ran.stdout
        assert secret not in ran.stderr
    stored = workspace.stored_text()
    assert secret not in stored
    return stored


def sql_source(url: str, table: str, extra: str = "") -> str:
    return f"source: {{type: sql, url: '{url}', table: {table}{extra}}}\n"


# -- 1. CustomSql and `where` read only `primary` and the references, call only pure functions


def test_custom_sql_that_reads_beyond_its_tables_is_refused_by_validate_and_errors_in_a_run(
    warehouse: str, workspace: Workspace
) -> None:
    attack = "select query_to_xml('select v from other_schema.secrets', true, false, '')::text"
    with psycopg2.connect(warehouse) as connection, connection.cursor() as cursor:
        cursor.execute(attack)
        (leaked,) = cursor.fetchone()
    assert SECRET in leaked  # the role can read the secret: only the vetting stands in the way

    path = workspace.define(
        "orders",
        "table: orders\n" + sql_source(warehouse, "shop.orders") + "rules:\n"
        f'  - name: reads_another_schema\n    rule: CustomSql "{attack}" = 0\n'
        '  - name: reads_role_passwords\n    rule: CustomSql "select count(*) from pg_authid" = 0\n'
        "  - name: reads_settings_in_where\n"
        "    rule: RowCount > 0 where \"current_setting('data_directory') <> ''\"\n"
        "  - name: orders_exist\n    rule: RowCount = 6\n",
    )
    validated = workspace.dq("validate")
    assert validated.returncode == 2
    said = validated.stdout + validated.stderr
    problems = {
        "reads_another_schema": "function query_to_xml() is not allowed: only functions known to be pure",
        "reads_role_passwords": "CustomSql reads table 'pg_authid', which it may not; allowed: primary",
        "reads_settings_in_where": "function current_setting() is not allowed",
    }
    for name, message in problems.items():
        where = f"{path}:{line_of(path, name) + 1}:"
        assert any(line.startswith(where) and message in line for line in said.splitlines()), (name, said)
    assert "orders_exist" not in said

    ran, checks = workspace.run_checks()
    assert ran.returncode == 2
    orders = checks["orders"]
    outcomes = {name: orders[name]["outcome"] for name in [*problems, "orders_exist"]}
    assert outcomes == {**dict.fromkeys(problems, "error"), "orders_exist": "pass"}
    for name, message in problems.items():
        assert orders[name]["description"].startswith(f"error: {path}:{line_of(path, name) + 1}: ")
        assert message in orders[name]["description"]
    stored = assert_nowhere(workspace, SECRET, validated, ran)
    assert "query_to_xml() is not allowed" in stored  # the refusal itself was stored and logged


# -- 2. (issue point 1 and 7) pushdown statements are read-only and cancelled past timeout_seconds


def test_a_runaway_custom_sql_errors_alone_after_timeout_seconds(
    warehouse: str, workspace: Workspace
) -> None:
    runaway = "select count(*) from primary a, primary b, primary c where a.s < b.s and b.s < c.s"
    path = workspace.define(
        "big",
        "table: big\n"
        + sql_source(warehouse, "shop.big", ", timeout_seconds: 2")
        + f'rules:\n  - name: runaway\n    rule: CustomSql "{runaway}" > 0\n'
        f"  - name: rows\n    rule: RowCount = {BIG_ROWS}\n",
    )
    ran, checks = workspace.run_checks()
    assert ran.returncode == 2
    big = checks["big"]
    assert big["runaway"]["outcome"] == "error"
    assert big["runaway"]["description"] == (
        f"error: {path}:{line_of(path, 'runaway') + 1}: the engine could not evaluate the rule: "
        "sql:postgresql/shop.big: the statement exceeded timeout_seconds (2 s) and was cancelled"
    )
    assert (big["rows"]["outcome"], big["profile"]["outcome"]) == ("pass", "pass")  # the rest went on
    with psycopg2.connect(warehouse) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone() == (0,)  # the server cancelled it: nothing is left running


def test_pushdown_statements_run_in_a_read_only_transaction(warehouse: str, workspace: Workspace) -> None:
    workspace.define("orders", "table: orders\n" + sql_source(warehouse, "shop.orders"))
    spec = load_table_specs(workspace.folder).by_name("orders").spec.source
    opened = SqlSourceResource().open(spec)
    with opened.query_runner() as runner:
        # not a vetted rule (the allow-list refuses nextval): the transaction itself must refuse it
        with pytest.raises(SourceError, match=r"cannot execute nextval\(\) in a read-only transaction"):
            runner.fetch_rows(sqlglot.parse_one("select nextval('shop.seq')", read="postgres"))
        assert runner.fetch_rows(sqlglot.parse_one("select count(*) from shop.orders")) == [(6,)]
    with psycopg2.connect(warehouse) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT is_called FROM shop.seq")
        assert cursor.fetchone() == (False,)  # the sequence never moved


# -- 3. a query's result and the values a driver quotes never reach a message


def test_messages_carry_no_query_result_and_no_quoted_data_value(
    warehouse: str, workspace: Workspace, tmp_path: Path
) -> None:
    notes_file = tmp_path / "notes.parquet"
    pq.write_table(pa.table({"id": pa.array([1], pa.int64()), "note": pa.array([NOTE])}), notes_file)
    # The note is PII: the profile keeps its values to itself, so the rules are the only way out.
    rules = (
        "pii_columns: [note]\nrules:\n"
        '  - name: returns_text\n    rule: CustomSql "select max(note) from primary" = 0\n'
        '  - name: casts_text\n    rule: CustomSql "select sum(cast(note as int)) from primary" = 0\n'
    )
    workspace.define("notes", "table: notes\n" + sql_source(warehouse, "shop.notes") + rules)
    workspace.define(
        "local_notes", f"table: local_notes\nsource: {{type: file, path: '{notes_file}'}}\n{rules}"
    )
    ran, checks = workspace.run_checks()
    assert ran.returncode == 2
    for table in ("notes", "local_notes"):
        returned = checks[table]["returns_text"]["description"]
        assert returned.endswith(f": CustomSql returned a str of {len(NOTE)} characters, not a number")
    assert checks["notes"]["casts_text"]["description"].endswith(
        "sql:postgresql/shop.notes: invalid input syntax for type integer: <value>"
    )
    local_cast = checks["local_notes"]["casts_text"]["description"]
    assert "Could not convert string <value> to INT32" in local_cast
    assert_nowhere(workspace, SECRET, ran)
    assert_nowhere(workspace, "customer's note", ran)


# -- 4. (issue point 3) `${VAR}` in a url: DQ_* and env: only, every substituted value hidden


def test_url_placeholders_name_only_allowed_variables_and_their_values_stay_hidden(
    warehouse: str, workspace: Workspace
) -> None:
    server = make_url(warehouse).set(database="${ANTHROPIC_API_KEY}").render_as_string(hide_password=False)
    path = workspace.define(
        "keyed", f"table: keyed\nsource:\n  type: sql\n  url: '{server}'\n  table: shop.orders\n"
    )
    validated = workspace.dq("validate")
    assert validated.returncode == 2
    assert (
        f"{path}:4: source.url: ${{ANTHROPIC_API_KEY}} may not be used: a url may name only DQ_* variables "
        "and those listed under env:"
    ) in validated.stdout + validated.stderr
    refused = workspace.dq("run")
    assert refused.returncode == 2
    assert "${ANTHROPIC_API_KEY} may not be used" in refused.stdout + refused.stderr

    # Built in code, past the definition's validation: still refused before the variable is read.
    unchecked = SqlSourceSpec.model_construct(type="sql", url=server, table="shop.orders", env=[])
    with pytest.raises(SourceError, match=r"\$\{ANTHROPIC_API_KEY\} may not be used in url") as raised:
        SqlSourceResource().open(unchecked)
    assert SECRET not in str(raised.value)

    # Listed under env:, the variable is read; the database it names does not exist, and the
    # error says so with the value hidden, in every place the run writes to.
    listed = "table: keyed\nsource:\n  type: sql\n  env: [ANTHROPIC_API_KEY]\n"
    path.write_text(f"{listed}  url: '{server}'\n  table: shop.orders\n")
    assert workspace.dq("validate").returncode == 0
    ran, checks = workspace.run_checks()
    assert ran.returncode == 2
    assert {c["outcome"] for c in checks["keyed"].values()} == {"error"}
    assert checks["keyed"]["profile"]["description"].endswith('FATAL:  database "***" does not exist')
    stored = assert_nowhere(workspace, SECRET, validated, refused, ran)
    assert 'database \\"***\\" does not exist' in stored or 'database "***" does not exist' in stored


# -- 5. (issue point 11) `%` anywhere in a rule works on Postgres


def test_percent_signs_in_rules_work_on_postgres(warehouse: str, workspace: Workspace) -> None:
    workspace.define(
        "orders",
        "table: orders\n" + sql_source(warehouse, "shop.orders") + "rules:\n"
        '  - name: in_list\n    rule: ColumnValues "status" in ["50%"]\n'
        '  - name: not_equal\n    rule: ColumnValues "status" != "%"\n'
        '  - name: modulo\n    rule: CustomSql "select count(*) from primary where id % 2 = 0" = 3\n'
        "  - name: like\n    rule: CustomSql \"select count(*) from primary where status like 'a%'\" = 3\n"
        "  - name: like_in_where\n    rule: RowCount = 3 where \"status like 'a%'\"\n",
    )
    ran, checks = workspace.run_checks()
    orders = checks["orders"]
    summary = {
        name: (
            orders[name]["outcome"],
            orders[name]["metadata"].get("failed_count"),
            orders[name]["metadata"]["observed"],
        )
        for name in ("in_list", "not_equal", "modulo", "like", "like_in_where")
    }
    assert summary == {
        "in_list": ("fail", 5, pytest.approx(1 / 6)),  # only '50%' is in the list
        "not_equal": ("fail", 1, pytest.approx(5 / 6)),  # only '%' equals '%'
        "modulo": ("pass", None, 3.0),  # ids 2, 4, 6
        "like": ("pass", None, 3.0),  # 'abc', 'a%', 'ab'
        "like_in_where": ("pass", None, 3.0),
    }
    assert ran.returncode == 1  # failures, and no error


# -- 6. a server that accepts the connection and never answers


def test_a_server_that_never_answers_is_a_timeout_error_and_the_other_tables_run(
    warehouse: str, workspace: Workspace, silent: SilentServer
) -> None:
    hung = f"postgresql://postgres@127.0.0.1:{silent.port}/nowhere"
    workspace.define(
        "hung", "table: hung\n" + sql_source(hung, "shop.orders", ", connect_timeout_seconds: 2")
    )
    workspace.define("orders", "table: orders\n" + sql_source(warehouse, "shop.orders"))
    timeout = (
        "sql:postgresql/shop.orders: cannot describe the table: "
        "no answer within connect_timeout_seconds (2 s)"
    )

    tested = workspace.dq("sources", "test", "--json")  # subprocess timeout: a hang fails the test
    assert tested.returncode == 2
    rows = {row["table"]: row for row in json.loads(tested.stdout)}
    assert rows["hung"]["status"] == "error"
    assert rows["hung"]["detail"].startswith(f"{timeout}: ")  # then the driver's own words
    assert rows["orders"]["status"] == "ok"

    ran, checks = workspace.run_checks()
    assert ran.returncode == 2
    assert {c["outcome"] for c in checks["hung"].values()} == {"error"}
    assert all(c["description"].startswith(f"error: {timeout}") for c in checks["hung"].values())
    assert checks["orders"]["profile"]["outcome"] == "pass"


# -- 7. (issue point 15) a CustomSql runtime error names the rule's path:line


def test_a_custom_sql_runtime_error_names_the_rules_path_and_line(
    warehouse: str, workspace: Workspace
) -> None:
    path = workspace.define(
        "orders",
        "table: orders\n"
        + sql_source(warehouse, "shop.orders")
        + 'rules:\n  - name: ghost\n    rule: CustomSql "select count(*) from primary where ghost > 0" = 0\n',
    )
    ran, checks = workspace.run_checks()
    assert ran.returncode == 2
    assert checks["orders"]["ghost"]["description"] == (
        f"error: {path}:5: the engine could not evaluate the rule: "
        'sql:postgresql/shop.orders: column "ghost" does not exist'
    )
