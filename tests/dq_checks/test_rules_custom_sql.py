"""CustomSql: a scalar query compared with the condition, or a row query whose returned rows
are the passing ones (`with threshold`), reading `primary` and the monitored references only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from dq_checks.results.model import Outcome
from dq_checks.rules.model import RuleError
from tests.dq_checks.rule_harness import RuleBench

COLUMNS = ("id", "age", "customer_id")
# fmt: off
PEOPLE = [dict(zip(COLUMNS, row, strict=True)) for row in [
    (1, 34, 1),
    (2, 17, 2),       # a minor
    (3, None, 2),     # NULL age: "age < 100" is not true, so the row query does not return it
    (4, 101, 3),      # implausible age
    (5, 45, 9),       # customer 9 does not exist
    (6, 62, 1),
    (7, 250, None),   # implausible age; NULL customer
    (8, 29, 3),
    (9, 8, 2),        # a minor
    (10, 51, 1),
]]
# fmt: on
CUSTOMER_IDS = [1, 2, 3, 4]


def people_table() -> pa.Table:
    return pa.table({name: pa.array([p[name] for p in PEOPLE], pa.int64()) for name in COLUMNS})


@pytest.fixture(scope="module")
def bench() -> Iterator[RuleBench]:
    customers = pa.table({"customer_id": pa.array(CUSTOMER_IDS, pa.int64())})
    with RuleBench(people_table(), key=("id",), references={"customers": customers}) as opened:
        yield opened


def test_scalar_query_is_compared_with_the_condition(bench: RuleBench) -> None:
    adults = sum(1 for p in PEOPLE if p["age"] is not None and p["age"] >= 18)
    assert adults == 7
    outcome = bench.run('CustomSql "select count(*) from primary where age >= 18" between 6 and 8')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 7.0)
    assert bench.run('CustomSql "select count(*) from primary where age >= 18" between 7 and 8').outcome is (
        Outcome.FAIL  # exclusive
    )
    average = bench.run('CustomSql "select avg(age) from primary" > 60')
    ages = [p["age"] for p in PEOPLE if p["age"] is not None]
    assert (average.outcome, average.observed) == (Outcome.PASS, pytest.approx(sum(ages) / len(ages)))


def test_scalar_query_may_read_a_monitored_reference(bench: RuleBench) -> None:
    known = sum(1 for p in PEOPLE if p["customer_id"] in CUSTOMER_IDS)
    assert known == 8  # customer 9 and the NULL customer are not found
    rule = 'CustomSql "select count(*) from primary p join customers c on p.customer_id = c.customer_id" = 8'
    outcome = bench.run(rule)
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 8.0)
    ctes = bench.run('CustomSql "with c as (select * from customers) select count(*) from c" = 4')
    assert ctes.outcome is Outcome.PASS


def test_row_query_with_threshold_reports_the_rows_it_did_not_return(bench: RuleBench) -> None:
    passing = [p for p in PEOPLE if p["age"] is not None and p["age"] < 100]
    failing = [p for p in PEOPLE if p not in passing]
    assert [p["id"] for p in failing] == [3, 4, 7]

    rule = 'CustomSql "select id, age from primary where age < 100" with threshold > 0.6'
    outcome = bench.run(rule)
    assert outcome.outcome is Outcome.PASS
    assert outcome.observed == 0.7
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"]) == (10, 3)
    assert outcome.details["failed_sample"] == [{"id": p["id"], "age": p["age"]} for p in failing]

    strict = bench.run('CustomSql "select id, age from primary where age < 100" with threshold > 0.7')
    assert (strict.outcome, strict.observed) == (Outcome.FAIL, 0.7)


def test_row_query_without_condition_or_threshold_needs_every_row_returned(bench: RuleBench) -> None:
    # AWS: the rows the query returns pass, the others fail, and with no threshold every row must
    # pass. Rows 3 (NULL age), 4 (101) and 7 (250) are not returned.
    outcome = bench.run('CustomSql "select id from primary where age < 100"')
    assert (outcome.outcome, outcome.observed) == (Outcome.FAIL, 0.7)
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"]) == (10, 3)
    assert [row["id"] for row in outcome.details["failed_sample"]] == [3, 4, 7]
    assert outcome.details["condition"] == "every row returned"
    every = bench.run('CustomSql "select id from primary where id > 0"')
    assert (every.outcome, every.observed, every.details["failed_count"]) == (Outcome.PASS, 1.0, 0)


def test_row_query_names_columns_ignoring_case(bench: RuleBench) -> None:
    outcome = bench.run('CustomSql "select ID, Age from primary where Age < 100"')
    assert (outcome.outcome, outcome.details["failed_count"]) == (Outcome.FAIL, 3)


def test_row_query_without_a_threshold_must_return_table_columns(bench: RuleBench) -> None:
    from dq_checks.dqdl.parser import parse_rule
    from dq_checks.rules.validate import validate_rule

    # dq validate refuses a query computing one number with no condition...
    problems = validate_rule(parse_rule('CustomSql "select count(*) from primary"'), known_tables=set())
    assert [p.message for p in problems] == [
        "CustomSql without a condition returns the passing rows, so it must select columns of primary "
        "(select id from primary where ...); a query computing one number needs a condition, like > 0"
    ]
    # ...and a computed column that cannot be matched back is an error at run time, not a guess.
    with pytest.raises(RuleError, match="it must select columns of primary, and it returned twice"):
        bench.run('CustomSql "select id * 2 as twice from primary"')


def test_row_query_selecting_star_samples_every_column(bench: RuleBench) -> None:
    outcome = bench.run('CustomSql "select * from primary where age >= 18" with threshold >= 0.7')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 0.7)
    minors_or_unknown = [p for p in PEOPLE if p["age"] is None or p["age"] < 18]
    assert outcome.details["failed_sample"] == minors_or_unknown  # id 2, 3 and 9 with all their columns


def test_row_query_against_a_reference(bench: RuleBench) -> None:
    query = "select id from primary where customer_id in (select customer_id from customers)"
    rule = f'CustomSql "{query}" with threshold > 0.75'
    outcome = bench.run(rule)
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 0.8)
    assert outcome.details["failed_sample"] == [{"id": 5}, {"id": 7}]


def test_row_query_of_computed_columns_has_no_sample(bench: RuleBench) -> None:
    outcome = bench.run('CustomSql "select id * 2 as twice from primary where age > 40" with threshold > 0.5')
    # 45, 62, 250, 51 and 101: five rows of ten
    assert (outcome.outcome, outcome.observed) == (Outcome.FAIL, 0.5)
    assert outcome.details["failed_count"] == 5
    assert "failed_sample" not in outcome.details  # computed rows cannot be matched back to the table


def test_row_query_counts_each_table_row_once() -> None:
    people = pa.table({"id": pa.array(range(1, 11), pa.int64()), "cid": pa.array([1] + [2] * 9, pa.int64())})
    orders = pa.table({"cid": pa.array([1] * 8, pa.int64())})  # planted: customer 1 has 8 orders, 2 has none
    with RuleBench(people, key=("id",), references={"orders": orders}) as bench:
        query = "select p.id from primary p join orders o on p.cid = o.cid"
        outcome = bench.run(f'CustomSql "{query}" with threshold > 0.7')
    assert outcome.details["failed_sample"] == [{"id": i} for i in range(2, 11)]  # holds today
    assert (outcome.outcome, outcome.observed, outcome.details["failed_count"]) == (Outcome.FAIL, 0.1, 9)


def test_scalar_query_that_returns_rows_is_an_error(bench: RuleBench) -> None:
    with pytest.raises(RuleError, match=r"must return one number, got 10 row\(s\) of 1 column\(s\)"):
        bench.run('CustomSql "select id from primary" > 0')
    with pytest.raises(RuleError, match="not a number"):
        bench.run('CustomSql "select max(age) from primary where id < 0" > 0')  # NULL


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("delete from primary", "CustomSql must be a SELECT statement, got DELETE"),
        ("drop table primary", "CustomSql must be a SELECT statement, got DROP"),
        ("select 1; select 2", "CustomSql must be a single SELECT statement, got 2 statements"),
        ("select count(*) from primary; delete from primary", "got 2 statements"),
        (
            "select count(*) from secrets",
            "CustomSql reads table 'secrets', which it may not; allowed: customers, primary",
        ),
        ("select count(*) from read_csv('/etc/passwd')", "function read_csv() is not allowed"),
        ("select count(*) from 'data.csv'", "CustomSql reads table 'data.csv', which it may not"),
        ("select count(*) from main.primary", "CustomSql may not name schemas or catalogs"),
        ("select length(getenv('HOME'))", "function getenv() is not allowed"),
    ],
)
def test_unsafe_sql_is_refused_at_compile_time(bench: RuleBench, sql: str, message: str) -> None:
    with pytest.raises(RuleError) as raised:
        bench.compile(f'CustomSql "{sql}" > 0')
    assert message in str(raised.value)


def test_a_cte_cannot_smuggle_in_another_table(bench: RuleBench) -> None:
    with pytest.raises(RuleError, match="sqlite_master"):
        query = "with sqlite_master as (select * from sqlite_master) select count(*) from sqlite_master"
        bench.compile(f'CustomSql "{query}" > 0')


# -- the allow-list: only `primary`, the references and functions known to be pure


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        # functions that reach outside the query, whatever the engine: refused by name
        (
            "select query_to_xml('select v from other_schema.secrets', true, false, '')::text",
            "function query_to_xml() is not allowed: only functions known to be pure may be called",
        ),
        ("select length(pg_read_file('/etc/passwd'))", "function pg_read_file() is not allowed"),
        ("select length(current_setting('data_directory'))", "function current_setting() is not allowed"),
        ("select count(*) from dblink('host=x', 'select 1') as t(a int)", "function dblink() is not allowed"),
        ("select length(version())", "function version() is not allowed"),
        ("select count(*) from primary where pg_sleep(10) is null", "function pg_sleep() is not allowed"),
        ("select nextval('s')", "function nextval() is not allowed"),
        ("select count(*) from generate_series(1, 3)", "function generate_series() is not allowed"),
        ("select count(*) from primary, unnest([1, 2])", "function unnest() is not allowed"),
        ("select length(current_user)", "function current_user() is not allowed"),
        ("select length(getvariable('x'))", "function getvariable() is not allowed"),
        (
            "select count(*) from primary where user = 'x'",
            'user reads the session\'s state, which is not allowed; write "user"',
        ),
        (
            "select count(*) from primary where public.f(id) > 0",
            "function calls may not name a schema: public.f(id)",
        ),
        (
            "select count(*) from primary where pg_catalog.upper('a') = 'A'",
            "function calls may not name a schema",
        ),
        ("select count(*) from primary where id::regclass is null", "a cast to regclass is not allowed"),
        ("select length(cast('<a/>' as xml)::text)", "a cast to xml is not allowed"),
        ("select count(*) from primary where id = $1", "parameters ($1, ?, :name, @@name) are not allowed"),
        # system catalogs: not `primary`, not a reference, with or without their schema
        ("select count(*) from pg_authid", "CustomSql reads table 'pg_authid', which it may not"),
        ("select count(*) from pg_shadow", "CustomSql reads table 'pg_shadow', which it may not"),
        ("select count(*) from pg_user", "CustomSql reads table 'pg_user', which it may not"),
        ("select count(*) from pg_roles", "CustomSql reads table 'pg_roles', which it may not"),
        ("select count(*) from information_schema", "CustomSql reads table 'information_schema', which"),
        ("select count(*) from tables", "CustomSql reads table 'tables', which it may not"),
        ("select count(*) from information_schema.tables", "CustomSql may not name schemas or catalogs"),
        ("select count(*) from pg_catalog.pg_authid", "CustomSql may not name schemas or catalogs"),
        ("select count(*) from primary where id in (select oid from pg_class)", "reads table 'pg_class'"),
    ],
)
def test_what_is_not_known_to_be_pure_is_refused_with_its_name(
    bench: RuleBench, sql: str, message: str
) -> None:
    with pytest.raises(RuleError) as raised:
        bench.compile(f'CustomSql "{sql}" > 0')
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "where",
    [
        "length(query_to_xml('select 1', true, false, '')::text) > 0",
        "current_setting('data_directory') <> ''",
        "session_user = 'postgres'",
    ],
)
def test_a_where_predicate_is_held_to_the_same_allow_list(bench: RuleBench, where: str) -> None:
    with pytest.raises(RuleError, match="is not allowed"):
        bench.compile(f'RowCount > 0 where "{where}"')


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select count(*) from primary where id % 2 = 0", 5),  # ids 2, 4, 6, 8, 10
        ("select count(*) from primary where cast(id as varchar) like '1%'", 2),  # 1 and 10
        ("select sum(case when age >= 18 then 1 else 0 end) from primary", 7),
        ("select count(*) from primary where coalesce(customer_id, 0) = 0", 1),  # id 7's NULL customer
        ("select max(length(upper(trim(cast(id as text))))) from primary", 2),
        # customers of ids 4, 5, 6, 7 and 10: 3, 9, 1, NULL and 1
        ("select count(distinct customer_id) filter (where age > 40) from primary", 3),
        ("select round(avg(abs(age - 50)), 0) from primary where age between 18 and 100", 11),  # 55 / 5
        ("select count(*) from primary where date_trunc('day', now()) <= current_timestamp", 10),
        ("select max(rn) from (select row_number() over (order by id) as rn from primary) t", 10),
        ("select greatest(count(*), 3) from primary where age > 200", 3),  # one row: 250
    ],
)
def test_pure_sql_runs_as_written(bench: RuleBench, sql: str, expected: float) -> None:
    outcome = bench.run(f'CustomSql "{sql}" >= 0')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, expected)


def test_a_scalar_query_that_returns_text_is_described_by_type_and_size_only(bench: RuleBench) -> None:
    with pytest.raises(RuleError) as raised:
        bench.run("CustomSql \"select 'secret-' || max(id) from primary\" > 0")
    assert str(raised.value) == "CustomSql returned a str of 9 characters, not a number"  # 'secret-10'


# -- an engine's refusal keeps the names it quotes and hides the values


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            'invalid input syntax for type integer: "alice@example.com"',
            "invalid input syntax for type integer: <value>",
        ),
        (
            "Could not convert string 'alice's note' to INT32 when casting from source column note",
            "Could not convert string <value> to INT32 when casting from source column note",
        ),
        (
            "Conversion Error: Type VARCHAR with value 'a''b' can't be cast to the destination type INT32",
            "Conversion Error: Type VARCHAR with value <value> can't be cast to the destination type INT32",
        ),
        ("Type INT64 with value 9999999999 can't be cast", "Type INT64 with value <value> can't be cast"),
        (
            'value "99999999999" is out of range for type integer',
            "value <value> is out of range for type integer",
        ),
        ("unterminated 'alice@example.com", "unterminated <value>"),
        # names come from the definition, and say what to fix: kept
        ('column "ghost" does not exist', 'column "ghost" does not exist'),
        ('missing FROM-clause entry for table "q"', 'missing FROM-clause entry for table "q"'),
        ('syntax error at or near "selct"', 'syntax error at or near "selct"'),
        (
            'Referenced column "ghost" not found in FROM clause! Candidate bindings: "id", "age"',
            'Referenced column "ghost" not found in FROM clause! Candidate bindings: "id", "age"',
        ),
    ],
)
def test_engine_messages_keep_names_and_hide_values(message: str, shown: str) -> None:
    from dq_checks.rules.engine_errors import without_values

    assert without_values(message) == shown


def test_row_query_outputs_are_named_as_written_for_every_engine() -> None:
    # Snowflake names an unquoted output column in capitals (ORDER_ID), Postgres in lower case: the
    # rows are matched by the name as written, so the query's outputs are given that name, quoted.
    from sqlglot import exp, parse_one

    from dq_checks.rules.types.custom_sql.engine import _output_names_quoted

    query = parse_one("select order_id, Amount as Total, amount + 1 from primary")
    written = _output_names_quoted(query).sql(dialect="snowflake")
    assert written == 'SELECT order_id AS "order_id", Amount AS "Total", amount + 1 FROM primary'
    assert isinstance(query.expressions[0], exp.Column)  # the rule's own query is left as it was
