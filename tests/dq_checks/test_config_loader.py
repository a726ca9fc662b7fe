"""Behaviour of dq_checks.config: loading a folder of table definitions, with `path:line` problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from dq_checks.config.loader import ConfigError, ConfigProblem, load_table_specs
from dq_checks.config.models import AnomalySettings, AnomalyThresholds, Detector, FreshnessSpec, TableSpec
from dq_checks.config.paths import CONFIG_DIR_ENV, PACKAGED_TABLES_DIR, default_config_dir


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_with(path: Path, needle: str) -> int:
    """The 1-based line of the single line of `path` that contains `needle` (the test's own oracle)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [n for n, line in enumerate(lines, start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} must occur on exactly one line of {path}, found {hits}"
    return hits[0]


def at(path: Path, needle: str) -> str:
    """`path:line` of the line containing `needle`."""
    return f"{path}:{line_with(path, needle)}"


def valid(folder: Path, table: str, *, file_name: str | None = None, extra: str = "") -> Path:
    """A valid definition of `table`, with a leading comment so line numbers are not trivially 1."""
    body = (
        f"# definition of {table}\n"
        f"table: {table}\n"
        "source:\n"
        "  type: iceberg\n"
        "  catalog: demo\n"
        f"  identifier: shop.{table}\n"
        f"{textwrap.dedent(extra).lstrip(chr(10))}"
    )
    path = folder / (file_name or f"{table}.yaml")
    path.write_text(body, encoding="utf-8")
    return path


def only_problem(folder: Path) -> ConfigProblem:
    loaded = load_table_specs(folder)
    assert len(loaded.problems) == 1, [str(p) for p in loaded.problems]
    return loaded.problems[0]


# --- the packaged demo folder ---------------------------------------------------------------


def test_packaged_demo_folder_loads_four_tables_without_problems():
    loaded = load_table_specs(PACKAGED_TABLES_DIR)

    assert loaded.problems == ()
    assert sorted(t.spec.table for t in loaded.tables) == ["customers", "order_items", "orders", "products"]
    loaded.raise_for_problems()  # no problems: must not raise


def test_packaged_demo_folder_content_is_parsed():
    loaded = load_table_specs(PACKAGED_TABLES_DIR)

    orders = loaded.by_name("orders")
    assert orders is not None
    assert orders.path == PACKAGED_TABLES_DIR / "orders.yaml"
    assert orders.spec.source.identifier == "shop.orders"
    assert orders.spec.source.display() == "iceberg:demo/shop.orders"
    assert orders.spec.deps == ("customers",)
    assert orders.spec.owners == ("team:data-eng", "data-eng@example.com")
    assert orders.spec.key == ("order_id",)
    assert loaded.by_name("order_items").spec.deps == ("orders", "products")
    customers = loaded.by_name("customers").spec
    assert customers.pii_columns == ("email", "full_name", "phone")
    assert customers.anomalies.for_column("email").skip == (Detector.HIGH_CARDINALITY,)
    assert customers.anomalies.for_column("customer_id").skip == ()
    assert loaded.by_name("no_such_table") is None
    assert {s.table for s in loaded.specs} == {"customers", "order_items", "orders", "products"}


def test_demo_definition_line_lookup_points_at_written_keys():
    orders = load_table_specs(PACKAGED_TABLES_DIR).by_name("orders")

    path = PACKAGED_TABLES_DIR / "orders.yaml"
    assert orders.line_of("table") == line_with(path, "table: orders")
    assert orders.line_of("source", "identifier") == line_with(path, "identifier: shop.orders")
    assert orders.where("deps") == f"{at(path, 'deps:')}"


# --- a valid file in a temporary folder -----------------------------------------------------


def test_valid_yaml_and_yml_files_load_and_other_files_are_ignored(tmp_path):
    valid(tmp_path, "alpha")
    valid(tmp_path, "beta", file_name="beta.yml")
    write(tmp_path, "notes.txt", "this: is not a definition\n")
    write(tmp_path, "README.md", "# not a definition\n")
    (tmp_path / "folder.yaml").mkdir()  # a directory with a YAML suffix is not a file

    loaded = load_table_specs(tmp_path)

    assert loaded.problems == ()
    assert [t.spec.table for t in loaded.tables] == ["alpha", "beta"]
    assert [t.path for t in loaded.tables] == [tmp_path / "alpha.yaml", tmp_path / "beta.yml"]


def test_missing_folder_is_one_problem(tmp_path):
    missing = tmp_path / "nowhere"

    loaded = load_table_specs(missing)

    assert loaded.tables == ()
    assert loaded.problems == (ConfigProblem(missing, None, "definitions folder does not exist"),)


def test_config_problem_str_is_path_line_message(tmp_path):
    problem = ConfigProblem(tmp_path / "x.yaml", 7, "something is wrong")

    assert str(problem) == f"{tmp_path / 'x.yaml'}:7: something is wrong"


# --- one problem per file, each with the right line -----------------------------------------


def test_unknown_top_level_key(tmp_path):
    path = valid(tmp_path, "alpha", extra="description: fine\ncolour: blue\n")

    problem = only_problem(tmp_path)

    assert problem.path == path
    assert problem.line == line_with(path, "colour:")
    assert str(problem) == f"{at(path, 'colour:')}: unknown key 'colour'"


def test_unknown_nested_key_under_source(tmp_path):
    path = write(
        tmp_path,
        "alpha.yaml",
        """
        # the source has a typo'd key
        table: alpha
        source:
          type: iceberg
          catalog: demo
          idnetifier_hint: nope
          identifier: shop.alpha
        """,
    )

    problem = only_problem(tmp_path)

    assert str(problem) == (
        f"{at(path, 'idnetifier_hint')}: unknown key 'source.idnetifier_hint'; did you mean 'identifier'?"
    )


@pytest.mark.parametrize(
    "cron",
    [
        "every day",  # not cron at all
        "0 0 * * * *",  # six fields: Dagster schedules take five
        "61 * * * *",  # minute out of range
    ],
)
def test_bad_cron_in_schedule(tmp_path, cron):
    path = valid(tmp_path, "alpha", extra=f'owners: [team:x]\nschedule: "{cron}"\n')

    problem = only_problem(tmp_path)

    assert str(problem) == (
        f"{at(path, 'schedule:')}: schedule: {cron!r} is not a valid five-field cron expression"
    )


def test_good_cron_is_accepted(tmp_path):
    valid(tmp_path, "alpha", extra='schedule: "*/15 2-5 * * mon-fri"\n')

    loaded = load_table_specs(tmp_path)

    assert loaded.problems == ()
    assert loaded.specs[0].schedule == "*/15 2-5 * * mon-fri"


def test_missing_source_identifier_points_at_the_source_key(tmp_path):
    path = write(
        tmp_path,
        "alpha.yaml",
        """
        # no identifier below
        table: alpha
        description: something
        source:
          type: iceberg
          catalog: demo
        """,
    )

    problem = only_problem(tmp_path)

    # A missing key is reported on the line of the mapping that should have held it.
    assert str(problem) == f"{at(path, 'source:')}: missing required key 'source.identifier'"


def test_missing_table_key_points_at_the_document(tmp_path):
    path = write(
        tmp_path,
        "alpha.yaml",
        """
        source:
          type: iceberg
          catalog: demo
          identifier: shop.alpha
        """,
    )

    assert str(only_problem(tmp_path)) == f"{path}:1: missing required key 'table'"


@pytest.mark.parametrize("identifier", ["orders", ".orders", "shop."])
def test_identifier_without_namespace(tmp_path, identifier):
    path = write(
        tmp_path,
        "alpha.yaml",
        f"""
        table: alpha
        source:
          type: iceberg
          catalog: demo
          identifier: "{identifier}"
        owners: [team:x]
        """,
    )

    problem = only_problem(tmp_path)

    assert str(problem) == (
        f"{at(path, 'identifier:')}: source.identifier: "
        f"identifier must be 'namespace.table', got {identifier!r}"
    )


def test_duplicate_table_name_names_the_first_definition(tmp_path):
    first = valid(tmp_path, "orders", file_name="a_orders.yaml")
    second = write(
        tmp_path,
        "b_orders_again.yaml",
        """
        # copied and forgotten
        # a second comment line, so the two table lines differ
        table: orders
        source: {type: iceberg, catalog: other, identifier: shop.orders}
        """,
    )

    loaded = load_table_specs(tmp_path)

    assert [str(p) for p in loaded.problems] == [
        f"{at(second, 'table: orders')}: duplicate table name 'orders', "
        f"already defined at {at(first, 'table: orders')}"
    ]
    # The first definition is kept; the duplicate is not.
    assert [(t.spec.table, t.path) for t in loaded.tables] == [("orders", first)]
    assert loaded.by_name("orders").spec.source.catalog == "demo"


def test_unknown_dependency_points_at_its_list_item(tmp_path):
    valid(tmp_path, "customers")
    path = valid(
        tmp_path,
        "orders",
        extra="""
        deps:
          - customers
          - custmers
        """,
    )

    loaded = load_table_specs(tmp_path)

    assert [str(p) for p in loaded.problems] == [
        f"{at(path, '- custmers')}: deps: 'custmers' is not a monitored table; did you mean 'customers'?"
    ]
    # A bad dependency is a problem, but the definition itself validated.
    assert sorted(t.spec.table for t in loaded.tables) == ["customers", "orders"]


def test_unknown_dependency_in_flow_list(tmp_path):
    valid(tmp_path, "customers")
    path = valid(tmp_path, "orders", extra="owners: [team:x]\ndeps: [customers, ghost]\n")

    assert str(only_problem(tmp_path)) == f"{at(path, 'deps:')}: deps: 'ghost' is not a monitored table"


def test_dependency_cycle(tmp_path):
    a = valid(tmp_path, "a", extra="description: first\ndeps: [b]\n")
    valid(tmp_path, "b", extra="deps: [c]\n")
    valid(tmp_path, "c", extra="deps:\n  - a\n")
    valid(tmp_path, "d", extra="deps: [a]\n")  # depends on the cycle, is not part of it

    loaded = load_table_specs(tmp_path)

    # "a -> b" reads "a depends on b"; the problem sits on the deps line of the first table named.
    assert [str(p) for p in loaded.problems] == [f"{at(a, 'deps:')}: deps form a cycle: a -> b -> c -> a"]
    assert sorted(t.spec.table for t in loaded.tables) == ["a", "b", "c", "d"]


def test_table_depending_on_itself_is_a_cycle(tmp_path):
    path = valid(tmp_path, "loop", extra="deps: [loop]\n")

    assert str(only_problem(tmp_path)) == f"{at(path, 'deps:')}: deps form a cycle: loop -> loop"


def test_broken_yaml_syntax_reports_the_line_of_the_error(tmp_path):
    path = write(
        tmp_path,
        "alpha.yaml",
        """
        # fine so far
        table: alpha
        source:
          type: iceberg
          catalog: demo
        description: this: breaks the mapping
          identifier: shop.alpha
        """,
    )

    problem = only_problem(tmp_path)

    assert problem.path == path
    assert problem.line == line_with(path, "description:")
    assert problem.message == "invalid YAML: mapping values are not allowed here"


def test_duplicate_yaml_key_is_invalid_yaml_on_the_second_key(tmp_path):
    path = write(
        tmp_path,
        "alpha.yaml",
        """
        table: alpha
        source: {type: iceberg, catalog: demo, identifier: shop.alpha}
        table: beta
        """,
    )

    problem = only_problem(tmp_path)

    assert problem.line == line_with(path, "table: beta")
    assert problem.message.startswith('invalid YAML: found duplicate key "table"')


@pytest.mark.parametrize(
    "text",
    [
        "- table: alpha\n- source: x\n",  # a YAML list
        "just a string\n",  # a scalar
        "",  # an empty file
    ],
)
def test_document_that_is_not_a_mapping(tmp_path, text):
    path = write(tmp_path, "alpha.yaml", text)

    problem = only_problem(tmp_path)

    assert str(problem) == f"{path}:1: a table definition must be a YAML mapping with a 'table:' key"


@pytest.mark.parametrize(
    "owner",
    [
        "bob",  # neither an email nor a team
        "team:",  # a team with no name
        "bob@example",  # an email with no domain suffix
        "bob smith@example.com",  # whitespace in an email
    ],
)
def test_invalid_owner(tmp_path, owner):
    path = valid(tmp_path, "alpha", extra=f'description: d\nowners: [team:data, "{owner}"]\n')

    problem = only_problem(tmp_path)

    assert str(problem) == (
        f"{at(path, 'owners:')}: owners.1: owner {owner!r} must be an email address or 'team:<name>'"
    )


def test_valid_owners_are_accepted(tmp_path):
    valid(tmp_path, "alpha", extra="owners: [team:data-eng, a.b+c@example.co.uk]\n")

    loaded = load_table_specs(tmp_path)

    assert loaded.problems == ()
    assert loaded.specs[0].owners == ("team:data-eng", "a.b+c@example.co.uk")


def test_problems_deep_in_nested_lists_and_maps(tmp_path):
    path = valid(
        tmp_path,
        "alpha",
        extra="""
        rules:
          - rule: "RowCount > 0"
          - rule: ""
            severity: fatal
        anomalies:
          null_rate_max: 2
          columns:
            email:
              skip: [nonsense]
              colour: red
        """,
    )

    loaded = load_table_specs(tmp_path)

    detectors = ", ".join(f"'{d.value}'" for d in list(Detector)[:-1]) + f" or '{list(Detector)[-1].value}'"
    assert {str(p) for p in loaded.problems} == {
        at(path, 'rule: ""') + ": rules.1.rule: String should have at least 1 character",
        f"{at(path, 'severity:')}: rules.1.severity: Input should be 'error' or 'warn'",
        f"{at(path, 'null_rate_max')}: anomalies.null_rate_max: Input should be less than or equal to 1",
        f"{at(path, 'nonsense')}: anomalies.columns.email.skip.0: Input should be {detectors}",
        f"{at(path, 'colour:')}: unknown key 'anomalies.columns.email.colour'",
    }
    assert loaded.tables == ()


def test_several_problems_in_one_file_are_all_reported(tmp_path):
    path = write(
        tmp_path,
        "alpha.yaml",
        """
        table: alpha
        source:
          type: iceberg
          catalog: demo
          identifier: shop.alpha
          colour: blue
        bogus: 1
        schedule: "every day"
        """,
    )

    loaded = load_table_specs(tmp_path)

    assert {str(p) for p in loaded.problems} == {
        f"{at(path, 'colour:')}: unknown key 'source.colour'",
        f"{at(path, 'bogus:')}: unknown key 'bogus'",
        f"{at(path, 'schedule:')}: schedule: 'every day' is not a valid five-field cron expression",
    }


def test_one_broken_file_does_not_stop_the_others(tmp_path):
    # Valid tables, one of which depends on another valid one.
    valid(tmp_path, "customers")
    valid(tmp_path, "orders", extra="deps: [customers]\n")
    # Broken ones, each broken differently.
    syntax = write(tmp_path, "b_syntax.yaml", "table: broken\nsource: [unclosed\n")
    listing = write(tmp_path, "c_list.yaml", "- table: x\n")
    unknown = valid(tmp_path, "d_unknown", extra="colour: red\n")
    owner = valid(tmp_path, "e_owner", extra="owners: [nobody]\n")

    loaded = load_table_specs(tmp_path)

    assert sorted(t.spec.table for t in loaded.tables) == ["customers", "orders"]
    assert sorted(p.path for p in loaded.problems) == sorted([syntax, listing, unknown, owner])

    with pytest.raises(ConfigError) as raised:
        loaded.raise_for_problems()
    assert raised.value.problems == loaded.problems
    assert str(raised.value) == "invalid check definitions:\n" + "\n".join(str(p) for p in loaded.problems)
    for problem in loaded.problems:
        assert str(problem) in str(raised.value)


def test_config_error_lists_every_problem():
    problems = [ConfigProblem(Path("a.yaml"), 3, "first"), ConfigProblem(Path("b.yaml"), 9, "second")]

    error = ConfigError(problems)

    assert error.problems == tuple(problems)
    assert str(error) == "invalid check definitions:\na.yaml:3: first\nb.yaml:9: second"


# --- where definitions live -----------------------------------------------------------------


def test_default_config_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path))
    assert CONFIG_DIR_ENV == "DQ_CONFIG_DIR"
    assert default_config_dir() == tmp_path

    valid(tmp_path, "from_env")
    assert [s.table for s in load_table_specs(default_config_dir()).specs] == ["from_env"]


def test_default_config_dir_expands_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DQ_CONFIG_DIR", "~/definitions")

    assert default_config_dir() == tmp_path / "definitions"


@pytest.mark.parametrize("value", [None, ""])
def test_default_config_dir_falls_back_to_packaged_folder(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("DQ_CONFIG_DIR", raising=False)
    else:
        monkeypatch.setenv("DQ_CONFIG_DIR", value)

    assert default_config_dir() == PACKAGED_TABLES_DIR
    assert (PACKAGED_TABLES_DIR / "orders.yaml").is_file()


# --- models ---------------------------------------------------------------------------------


def test_for_column_merges_only_the_keys_the_column_sets():
    settings = AnomalySettings.model_validate(
        {
            "null_rate_max": 0.3,
            "zscore_threshold": 4.0,
            "iqr_multiplier": 2.0,
            "columns": {
                "a": {"null_rate_max": 0.5},
                # Setting a key to the library default still overrides the table's value.
                "b": {"zscore_threshold": 3.0},
            },
        }
    )

    a = settings.for_column("a")
    assert type(a) is AnomalyThresholds
    assert (a.null_rate_max, a.zscore_threshold, a.iqr_multiplier) == (0.5, 4.0, 2.0)
    b = settings.for_column("b")
    assert (b.null_rate_max, b.zscore_threshold, b.iqr_multiplier) == (0.3, 3.0, 2.0)
    other = settings.for_column("not_overridden")
    assert (other.null_rate_max, other.zscore_threshold, other.iqr_multiplier) == (0.3, 4.0, 2.0)
    # Every other key is the table's value, which here is the default.
    untouched = set(AnomalyThresholds.model_fields) - {"null_rate_max", "zscore_threshold", "iqr_multiplier"}
    for key in untouched:
        assert getattr(a, key) == getattr(AnomalyThresholds(), key)


def test_for_column_skip_set_on_the_column_replaces_the_tables():
    # `skip` is a key like any other: a column that sets it overrides the table's list (documented:
    # "the table's, overridden by the column's own keys"); a column that does not set it inherits it.
    settings = AnomalySettings(
        skip=(Detector.NULL_RATE,),
        columns={
            "email": AnomalyThresholds(skip=(Detector.HIGH_CARDINALITY,)),
            "phone": AnomalyThresholds(null_rate_max=0.9),
        },
    )

    assert settings.for_column("email").skip == (Detector.HIGH_CARDINALITY,)
    assert settings.for_column("phone").skip == (Detector.NULL_RATE,)
    assert settings.for_column("phone").null_rate_max == 0.9


def test_anomaly_settings_defaults_follow_the_design():
    t = AnomalySettings().for_column("x")

    assert t.model_dump() == {
        "zscore_threshold": 3.0,
        "zscore_max_fraction": 0.05,
        "iqr_multiplier": 1.5,
        "iqr_max_fraction": 0.10,
        "null_rate_max": 0.20,
        "cardinality_max_ratio": 0.90,
        "cardinality_min_distinct": 100,
        "dominance_max_share": 0.95,
        "isolation_min_gap_ratio": 10.0,
        "isolation_min_robust_z": 10.0,
        "skip": (),
    }


@pytest.mark.parametrize("warn", [5.0, 6.0])
def test_freshness_rejects_warn_at_or_after_max_age(warn):
    with pytest.raises(ValidationError, match="warn_after_hours must be smaller than max_age_hours"):
        FreshnessSpec(max_age_hours=5.0, warn_after_hours=warn)


def test_freshness_accepts_warn_before_max_age_and_no_warn():
    assert FreshnessSpec(max_age_hours=5.0, warn_after_hours=4.99).warn_after_hours == 4.99
    assert FreshnessSpec(max_age_hours=5.0).warn_after_hours is None


def test_freshness_problem_in_a_file_points_at_freshness(tmp_path):
    path = valid(tmp_path, "alpha", extra="freshness:\n  max_age_hours: 5\n  warn_after_hours: 5\n")

    assert str(only_problem(tmp_path)) == (
        f"{at(path, 'freshness:')}: freshness: warn_after_hours must be smaller than max_age_hours"
    )


def test_freshness_rejects_bad_deadline_cron():
    with pytest.raises(ValidationError, match="is not a valid five-field cron expression"):
        FreshnessSpec(max_age_hours=5.0, deadline_cron="at noon")


def test_table_name_key_path_and_slug():
    spec = TableSpec.model_validate(
        {
            "table": "shop/orders",
            "source": {"type": "iceberg", "catalog": "demo", "identifier": "shop.orders"},
        }
    )

    assert spec.key_path == ("shop", "orders")
    assert spec.slug == "shop__orders"
    with pytest.raises(ValidationError, match="is not a valid table name"):
        TableSpec.model_validate(
            {"table": "shop orders", "source": {"type": "iceberg", "catalog": "demo", "identifier": "s.o"}}
        )


def test_invalid_owner_in_block_list_points_at_its_item(tmp_path):
    path = valid(
        tmp_path,
        "alpha",
        extra="""
        owners:
          - team:data
          - a@example.com
          - bob
        """,
    )

    problem = only_problem(tmp_path)

    assert problem.message == "owners.2: owner 'bob' must be an email address or 'team:<name>'"
    assert problem.line == line_with(path, "- bob")


# --- hostile YAML ---------------------------------------------------------------------------


def billion_laughs() -> str:
    """Ten levels of nine aliases each: 9**10 (3.5 billion) strings once expanded, in 600 bytes."""
    lines = ["table: laughs", "source: {type: iceberg, catalog: demo, identifier: shop.laughs}"]
    lines.append('a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]')
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines.append("description: *a9")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_its_first_anchor(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    assert len(path.read_bytes()) < 700

    assert [str(p) for p in load_table_specs(tmp_path).problems] == [
        f"{path}:3: YAML anchors and aliases are not allowed"
    ]


def test_a_merge_key_is_an_alias_and_is_refused(tmp_path):
    path = write(
        tmp_path,
        "alpha.yaml",
        """
        table: alpha
        base: &base {type: iceberg, catalog: demo}
        source:
          <<: *base
          identifier: shop.alpha
        """,
    )

    assert str(only_problem(tmp_path)) == f"{at(path, '&base')}: YAML anchors and aliases are not allowed"


def test_an_alias_alone_is_refused_on_its_line(tmp_path):
    # planted: the anchor-less alias is invalid YAML anyway; the refusal comes first
    path = write(tmp_path, "alpha.yaml", "table: alpha\nsource: {type: iceberg}\ndescription: *nowhere\n")

    assert str(only_problem(tmp_path)) == f"{path}:3: YAML anchors and aliases are not allowed"


def test_nesting_past_the_limit_is_refused_before_the_document_is_built(tmp_path):
    from dq_checks.config.safe_yaml import MAX_NESTING

    path = tmp_path / "deep.yaml"
    # planted: 100,000 nested lists on line 2 would exhaust ruamel's recursion
    path.write_text("table: deep\ndescription: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")

    assert str(only_problem(tmp_path)) == f"{path}:2: YAML nested deeper than {MAX_NESTING} levels"


def test_a_latin1_file_names_its_first_bad_byte_and_line_and_the_others_still_load(tmp_path):
    path = tmp_path / "latin.yaml"
    # planted: 'café' in latin-1 on line 4: the byte 0xe9 is no UTF-8
    path.write_bytes("table: latin\nsource: {type: iceberg}\n# note\ndescription: caf\xe9\n".encode("latin1"))
    valid(tmp_path, "alpha")

    loaded = load_table_specs(tmp_path)

    assert [str(p) for p in loaded.problems] == [f"{path}: not UTF-8 (byte 0xe9 at line 4)"]
    assert [t.spec.table for t in loaded.tables] == ["alpha"]


def test_a_file_that_cannot_be_read_is_a_problem_not_a_traceback(tmp_path):
    from dq_checks.config.loader import read_yaml_document

    folder = tmp_path / "alerts.yaml"
    folder.mkdir()  # planted: a folder where a file should be

    assert read_yaml_document(folder) == (None, [ConfigProblem(folder, None, "cannot read: Is a directory")])


# --- asset: checks attached to an asset the user's project defines --------------------------


@pytest.mark.parametrize(
    ("asset", "path", "table"),
    [
        ("orders", ("orders",), "orders"),
        ("analytics/orders", ("analytics", "orders"), "analytics/orders"),
        ("[analytics, orders]", ("analytics", "orders"), "analytics/orders"),
    ],
)
def test_asset_names_the_key_and_the_table_defaults_to_its_path(tmp_path, asset, path, table):
    write(tmp_path, "o.yaml", f"asset: {asset}\nsource: {{type: iceberg, catalog: demo, identifier: a.o}}\n")

    loaded = load_table_specs(tmp_path)

    assert loaded.problems == ()
    (spec,) = loaded.specs
    assert (spec.asset, spec.asset_path, spec.table, spec.attached) == (path, path, table, True)


def test_a_table_name_given_beside_asset_is_the_name_rules_use(tmp_path):
    write(
        tmp_path,
        "o.yaml",
        """
        asset: [dbt, marts, fct-orders]
        table: orders
        source: {type: iceberg, catalog: demo, identifier: a.o}
        """,
    )

    (spec,) = load_table_specs(tmp_path).specs

    assert (spec.asset_path, spec.table) == (("dbt", "marts", "fct-orders"), "orders")


def test_without_asset_the_key_is_the_table_name(tmp_path):
    valid(tmp_path, "alpha")

    (spec,) = load_table_specs(tmp_path).specs

    assert (spec.asset, spec.asset_path, spec.attached) == (None, ("alpha",), False)


def test_an_asset_key_that_is_no_table_name_asks_for_one_on_the_asset_line(tmp_path):
    path = write(
        tmp_path,
        "o.yaml",
        """
        # a dbt model whose name has a dash
        asset: marts/fct-orders
        source: {type: iceberg, catalog: demo, identifier: a.o}
        """,
    )

    assert str(only_problem(tmp_path)) == (
        f"{at(path, 'asset:')}: missing required key 'table': the asset key is no table name (letters, "
        "digits and underscores, '/' between parts), so name the table that rules and deps refer to"
    )


@pytest.mark.parametrize("asset", ["'shop orders'", "[shop, '']", "[]", "'a//b'"])
def test_a_bad_asset_key_is_a_problem_on_its_line(tmp_path, asset):
    path = write(
        tmp_path,
        "o.yaml",
        f"table: o\nasset: {asset}\nsource: {{type: iceberg, catalog: demo, identifier: a.o}}\n",
    )

    problem = only_problem(tmp_path)

    assert problem.line == line_with(path, "asset:")
    assert problem.message.startswith("asset")


@pytest.mark.parametrize("key", ["deps: [customers]", "group: shop", "owners: [team:data]"])
def test_keys_of_dqs_own_asset_are_refused_beside_asset(tmp_path, key):
    valid(tmp_path, "customers")
    path = write(
        tmp_path,
        "orders.yaml",
        f"""
        asset: orders
        source: {{type: iceberg, catalog: demo, identifier: a.o}}
        {key}
        """,
    )

    name = key.split(":")[0]
    assert str(only_problem(tmp_path)) == (
        f"{at(path, name + ':')}: {name}: is set by the asset's own definition; dq defines no asset "
        "for a table with asset:"
    )


def test_a_sql_table_may_be_left_to_the_assets_table_name_only_with_asset(tmp_path):
    write(tmp_path, "a.yaml", "asset: a\nsource: {type: sql, resource: warehouse}\n")
    path = write(
        tmp_path,
        "b.yaml",
        """
        table: b
        # no table: and no asset: to take it from
        source: {type: sql, resource: warehouse}
        """,
    )

    loaded = load_table_specs(tmp_path)

    assert [t.spec.table for t in loaded.tables] == ["a"]
    assert loaded.tables[0].spec.source.table is None
    assert loaded.tables[0].spec.source.display() == "sql:warehouse/<dagster/table_name>"
    assert [str(p) for p in loaded.problems] == [
        f"{at(path, 'source:')}: missing required key 'source.table' (it may be left out only with "
        "asset:, whose dagster/table_name metadata then names the table)"
    ]


def test_two_definitions_on_one_asset_key_is_a_problem_naming_the_first(tmp_path):
    first = write(
        tmp_path, "a.yaml", "asset: shop/orders\nsource: {type: iceberg, catalog: demo, identifier: a.o}\n"
    )
    second = write(
        tmp_path,
        "b.yaml",
        "table: again\nasset: [shop, orders]\nsource: {type: iceberg, catalog: demo, identifier: a.o}\n",
    )

    assert str(only_problem(tmp_path)) == (
        f"{at(second, 'asset:')}: asset 'shop/orders' already has dq's checks from {at(first, 'asset:')}"
    )


def test_a_standalone_table_and_an_attached_one_on_the_same_key_clash(tmp_path):
    first = valid(tmp_path, "orders")
    second = write(
        tmp_path,
        "z.yaml",
        "table: other\nasset: orders\nsource: {type: iceberg, catalog: demo, identifier: a.o}\n",
    )

    assert str(only_problem(tmp_path)) == (
        f"{at(second, 'asset:')}: asset 'orders' already has dq's checks from {at(first, 'table:')}"
    )


def test_history_min_points_below_three_is_refused_at_its_line(tmp_path):
    # The robust detector's spread needs three earlier runs; two used to pass validation and then
    # crash the volume check at run time.
    path = valid(tmp_path, "alpha", extra="history: {min_points: 2}\n")

    problem = only_problem(tmp_path)

    assert str(problem) == (
        f"{at(path, 'history:')}: history.min_points: Input should be greater than or equal to 3"
    )
