"""The DQDL parser and printer: every construct of docs/dqdl.md, errors with line:column, and a
hypothesis property that AST -> text -> AST is the identity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Boolean,
    Call,
    Comparison,
    Composite,
    ConstantRef,
    Duration,
    InList,
    Keyword,
    Labels,
    Matches,
    Negate,
    Now,
    Number,
    Position,
    Rule,
    Ruleset,
    Size,
    String,
    Tag,
    ValueList,
)
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_rule, parse_ruleset
from dq_checks.dqdl.printer import analyzer_text, rule_text, ruleset_text
from dq_checks.rules.types.registry import RULE_TYPES
from dq_checks.rules.types.spec import DYNAMIC_FUNCTIONS

LAST_10 = Call("last", (Number(10),))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('IsComplete "order_id"', Rule("IsComplete", (String("order_id"),))),
        ("RowCount > 1000", Rule("RowCount", (), Comparison(">", Number(1000)))),
        (
            'ColumnValues "amount" between 0 and 100000',
            Rule("ColumnValues", (String("amount"),), Between(Number(0), Number(100000))),
        ),
        (
            'ColumnValues "x" not between -5 and 5.5',
            Rule("ColumnValues", (String("x"),), Between(Number(-5), Number(5.5), negated=True)),
        ),
        (
            'ColumnValues "c" in ["a", NULL]',
            Rule("ColumnValues", (String("c"),), InList((String("a"), Keyword("NULL")))),
        ),
        (
            'ColumnValues "c" not in [1, 2]',
            Rule("ColumnValues", (String("c"),), InList((Number(1), Number(2)), True)),
        ),
        (
            'ColumnValues "email" not matches "^x$"',
            Rule("ColumnValues", (String("email"),), Matches(String("^x$"), negated=True)),
        ),
        (
            'ColumnValues "s" != EMPTY',
            Rule("ColumnValues", (String("s"),), Comparison("!=", Keyword("EMPTY"))),
        ),
        (
            'ColumnValues "s" = WHITESPACES_ONLY',
            Rule("ColumnValues", (String("s"),), Comparison("=", Keyword("WHITESPACES_ONLY"))),
        ),
        (
            'ColumnValues "ts" > (now() - 3 days)',
            Rule(
                "ColumnValues",
                (String("ts"),),
                Comparison(">", BinaryOp("-", Now(), Duration(Number(3), "days"))),
            ),
        ),
        (
            'ColumnValues "d" >= "2024-01-31"',
            Rule("ColumnValues", (String("d"),), Comparison(">=", String("2024-01-31"))),
        ),
        (
            'DataFreshness "updated_at" <= 24 hours',
            Rule("DataFreshness", (String("updated_at"),), Comparison("<=", Duration(Number(24), "hours"))),
        ),
        (
            "RowCount between (0.9 * avg(last(10))) and (1.1 * avg(last(10)))",
            Rule(
                "RowCount",
                (),
                Between(
                    BinaryOp("*", Number(0.9), Call("avg", (LAST_10,))),
                    BinaryOp("*", Number(1.1), Call("avg", (LAST_10,))),
                ),
            ),
        ),
        (
            "RowCount = index(last(5), 1)",
            Rule("RowCount", (), Comparison("=", Call("index", (Call("last", (Number(5),)), Number(1))))),
        ),
        ("RowCount > $minimum", Rule("RowCount", (), Comparison(">", ConstantRef("minimum")))),
        (
            'ColumnValues "e" matches "[^@]+" where "country = \'US\'" labels=["pii"="yes"] '
            "with threshold > 0.9",
            Rule(
                "ColumnValues",
                (String("e"),),
                Matches(String("[^@]+")),
                where=String("country = 'US'"),
                threshold=Comparison(">", Number(0.9)),
                labels=Labels((("pii", "yes"),)),
            ),
        ),
        # dq's earlier order (threshold before labels) still reads the same
        (
            'ColumnValues "e" matches "[^@]+" with threshold > 0.9 labels=["pii"="yes"]',
            Rule(
                "ColumnValues",
                (String("e"),),
                Matches(String("[^@]+")),
                threshold=Comparison(">", Number(0.9)),
                labels=Labels((("pii", "yes"),)),
            ),
        ),
        # AWS's grammar: unquoted names, `and`/`of` between parameters, lower-case keywords
        ('IsPrimaryKey colA "colB"', Rule("IsPrimaryKey", (String("colA"), String("colB")))),
        (
            'ColumnCorrelation "height" and "weight" > 0.8',
            Rule("ColumnCorrelation", (String("height"), String("weight")), Comparison(">", Number(0.8))),
        ),
        ("IsUnique android", Rule("IsUnique", (String("android"),))),  # `and` is a whole word only
        ('ColumnValues "c" = null', Rule("ColumnValues", (String("c"),), Comparison("=", Keyword("NULL")))),
        ("RowCount between 1 AND 5", Rule("RowCount", (), Between(Number(1), Number(5)))),
        ("RowCount > avg(last())", Rule("RowCount", (), Comparison(">", Call("avg", (Call("last", ()),))))),
        (
            'ColumnValues "c" not in $allowed',
            Rule(
                "ColumnValues", (String("c"),), InList((ConstantRef("allowed"),), negated=True, spread=True)
            ),
        ),
        (
            'FileSize "s3://bucket/p/" > 1 MB with recentFiles = 1',
            Rule(
                "FileSize",
                (String("s3://bucket/p/"),),
                Comparison(">", Size(Number(1), "MB")),
                tags=(Tag("recentFiles", Comparison("=", Number(1))),),
            ),
        ),
        (
            'Uniqueness "a" "b" = 1.0 labels={"team": "sales"}',
            Rule(
                "Uniqueness",
                (String("a"), String("b")),
                Comparison("=", Number(1.0)),
                labels=Labels(pairs=(("team", "sales"),)),
            ),
        ),
        (
            '(IsUnique "order_id") and (Completeness "email" > 0.95)',
            Composite(
                "and",
                (
                    Rule("IsUnique", (String("order_id"),)),
                    Rule("Completeness", (String("email"),), Comparison(">", Number(0.95))),
                ),
            ),
        ),
        (
            '(IsComplete "a") or ((IsComplete "b") and (IsComplete "c"))',
            Composite(
                "or",
                (
                    Rule("IsComplete", (String("a"),)),
                    Composite(
                        "and", (Rule("IsComplete", (String("b"),)), Rule("IsComplete", (String("c"),)))
                    ),
                ),
            ),
        ),
        (
            'ColumnValues "p" matches "a\\\\d\\"q"',
            Rule("ColumnValues", (String("p"),), Matches(String('a\\d"q'))),
        ),
    ],
)
def test_parses_each_construct(text: str, expected: object) -> None:
    assert parse_rule(text) == expected


def test_composite_operators_may_be_upper_case_as_aws_writes_them() -> None:
    # AWS's published grammar accepts AND and OR as well as and and or; the two parse the same.
    lower = parse_rule('(IsComplete "a") or ((IsComplete "b") and (IsComplete "c"))')
    upper = parse_rule('(IsComplete "a") OR ((IsComplete "b") AND (IsComplete "c"))')

    assert upper == lower
    assert rule_text(upper) == '(IsComplete "a") or ((IsComplete "b") and (IsComplete "c"))'
    with pytest.raises(DQDLSyntaxError, match=r"1:18: unexpected 'And'; expected .*'and', 'labels', 'or'"):
        parse_rule('(IsComplete "a") And (IsComplete "b")')  # mixed case is neither


def test_positions_are_recorded_for_messages() -> None:
    composite = parse_rule('(IsComplete "a") and (IsUnique "b")')
    assert isinstance(composite, Composite)
    assert [r.position for r in composite.rules] == [Position(1, 2), Position(1, 23)]


def test_parses_a_whole_document_with_sections_constants_and_comments() -> None:
    document = """
    # thresholds
    minimum = 1000
    pattern = "^[a-z]+$"
    Metadata = {"Version": "1.0", "Owners": ["a", "b"]}
    DataSources = {"Default": "orders"}
    allowed = ["a", "b", NULL]
    DefaultLabels = ["team"="shop"]
    Rules = [
        RowCount > $minimum,   # trailing comment
        IsComplete "order_id",
    ]
    Analyzers = [
        Completeness "email",
        Distribution "age" with bins = 10, rebin = false,
        Distribution AllColumns
    ]
    """
    ruleset = parse_ruleset(document)
    assert ruleset == Ruleset(
        rules=(
            Rule("RowCount", (), Comparison(">", ConstantRef("minimum"))),
            Rule("IsComplete", (String("order_id"),)),
        ),
        constants=(
            ("minimum", Number(1000)),
            ("pattern", String("^[a-z]+$")),
            ("allowed", ValueList((String("a"), String("b"), Keyword("NULL")))),
        ),
        analyzers=(
            Rule("Completeness", (String("email"),)),
            Rule(
                "Distribution",
                (String("age"),),
                tags=(
                    Tag("bins", Comparison("=", Number(10))),
                    Tag("rebin", Comparison("=", Boolean(False))),
                ),
            ),
            Rule("Distribution", (String("AllColumns"),)),
        ),
        metadata=(("Version", "1.0"), ("Owners", ("a", "b"))),
        data_sources=(("Default", "orders"),),
        default_labels=Labels((("team", "shop"),)),
    )
    assert parse_ruleset("Rules = []") == Ruleset()


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ('IsComplete "x" >', 1, 17, "unexpected end of input"),
        ('ColumnValues "x" between 1', 1, 27, "expected 'and'"),
        ('ColumnValues "x" ~ 5', 1, 18, "unexpected '~'"),
        ('(IsComplete "a") and (IsComplete "b") or (IsComplete "c")', 1, 39, "unexpected 'or'"),
        ('IsComplete "x" where', 1, 21, 'a "quoted string"'),
        ('ColumnValues "x" = "open', 1, 20, 'unterminated string: no closing " on this line'),
    ],
)
def test_syntax_errors_say_line_column_and_what_was_expected(
    text: str, line: int, column: int, fragment: str
) -> None:
    with pytest.raises(DQDLSyntaxError) as error:
        parse_rule(text)
    assert (error.value.line, error.value.column) == (line, column)
    assert fragment in error.value.message
    assert str(error.value).startswith(f"{line}:{column}: ")


def test_errors_in_documents_point_at_the_right_line() -> None:
    with pytest.raises(DQDLSyntaxError) as error:
        parse_ruleset('Rules = [\n    IsComplete "a",\n    RowCount >> 5\n]')
    assert (error.value.line, error.value.column) == (3, 15)


def test_keywords_are_case_sensitive() -> None:
    with pytest.raises(DQDLSyntaxError):
        parse_rule('ColumnValues "x" BETWEEN 1 AND 2')


# --- AST -> text -> AST is the identity ------------------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=20)
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(Number),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(Number),
)
strings = texts.map(String)
durations = st.builds(
    Duration,
    st.integers(min_value=0, max_value=10_000).map(Number),
    st.sampled_from(["days", "hours", "minutes"]),
)
calls = st.builds(
    lambda name, k: Call(name, (Call("last", (Number(k),)),)),
    st.sampled_from([f for f in DYNAMIC_FUNCTIONS if f not in ("last", "index", "abs")]),
    st.integers(min_value=1, max_value=50),
)
atoms = st.one_of(
    numbers,
    strings,
    st.sampled_from(["NULL", "EMPTY", "WHITESPACES_ONLY"]).map(Keyword),
    st.just(Now()),
    durations,
    st.builds(
        Size, st.integers(min_value=0, max_value=10_000).map(Number), st.sampled_from(["B", "KB", "MB"])
    ),
    names.map(ConstantRef),
    calls,
)
expressions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(BinaryOp, st.sampled_from(["+", "-", "*", "/"]), inner, inner),
        inner.filter(lambda e: not isinstance(e, Number)).map(Negate),
    ),
    max_leaves=6,
)
conditions = st.one_of(
    st.builds(Comparison, st.sampled_from(["=", "!=", ">", ">=", "<", "<="]), expressions),
    st.builds(Between, expressions, expressions, st.booleans()),
    st.builds(InList, st.lists(expressions, max_size=4).map(tuple), st.booleans()),
    st.builds(lambda name, negated: InList((ConstantRef(name),), negated, spread=True), names, st.booleans()),
    st.builds(Matches, st.one_of(strings, names.map(ConstantRef)), st.booleans()),
)
# AWS's limits: one to ten labels, unique non-empty keys, non-empty values.
label_texts = texts.filter(bool)
labels = st.builds(
    Labels,
    st.lists(st.tuples(label_texts, label_texts), min_size=1, max_size=3, unique_by=lambda p: p[0]).map(
        tuple
    ),
)
# Words the grammar reserves cannot name a tag (`with in in [1]` is not DQDL).
RESERVED = {"threshold", "and", "or", "of", "in", "not", "between", "matches", "where", "with", "labels"}
RESERVED |= {"now", "days", "hours", "minutes", "true", "false", "null", "empty", "whitespaces_only"}
tag_names = names.filter(lambda n: n not in RESERVED)
tags = st.builds(Tag, tag_names, conditions)
rules = st.builds(
    Rule,
    st.sampled_from(sorted(RULE_TYPES)),
    st.lists(st.one_of(strings, names.map(ConstantRef)), max_size=3).map(tuple),
    st.none() | conditions,
    st.none() | strings,
    st.none() | conditions,
    st.none() | labels,
    st.lists(tags, max_size=2).map(tuple),
)
analyzers = st.builds(
    Rule,
    st.sampled_from(["Mean", "Completeness", "Distribution"]),
    st.lists(strings, max_size=2).map(tuple),
    tags=st.lists(
        st.builds(
            lambda name, value: Tag(name, Comparison("=", value)),
            tag_names,
            st.one_of(numbers, strings, st.booleans().map(Boolean)),
        ),
        max_size=2,
    ).map(tuple),
)
rule_expressions = st.recursive(
    rules,
    lambda inner: st.builds(
        Composite,
        st.sampled_from(["and", "or"]),
        st.lists(inner, min_size=2, max_size=3).map(tuple),
        labels=st.none() | labels,
    ),
    max_leaves=5,
)


@settings(max_examples=200, deadline=None)
@given(rule_expressions)
def test_ast_to_text_to_ast_is_identity(rule) -> None:
    assert parse_rule(rule_text(rule)) == rule


dictionaries = st.lists(
    st.tuples(texts, st.one_of(texts, st.lists(texts, min_size=1, max_size=2).map(tuple))),
    min_size=1,
    max_size=2,
    unique_by=lambda pair: pair[0],
).map(tuple)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(rule_expressions, max_size=4).map(tuple),
    st.lists(
        st.tuples(
            tag_names, st.one_of(numbers, strings, st.lists(strings, max_size=3).map(tuple).map(ValueList))
        ),
        max_size=3,
        unique_by=lambda constant: constant[0],  # a name is defined once
    ).map(tuple),
    st.lists(analyzers, max_size=3).map(tuple),
    st.none() | labels,
    st.none() | dictionaries,
    st.none() | dictionaries,
)
def test_ruleset_text_round_trips(rules, constants, analyzers, default_labels, metadata, sources) -> None:
    ruleset = Ruleset(
        rules=rules,
        constants=constants,
        analyzers=analyzers,
        default_labels=default_labels,
        metadata=metadata,
        data_sources=sources,
    )
    assert parse_ruleset(ruleset_text(ruleset)) == ruleset


# --- hostile and impossible literals ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('ColumnValues "status" in ["a', 27),  # the list's string never closes
        ('IsComplete "email', 12),  # the column name never closes
        ('IsComplete "a\\"', 12),  # the only quote after the name is escaped
        ('ColumnValues "s" matches "[a-z]\n+"', 26),  # a string cannot span lines
    ],
)
def test_an_unterminated_string_says_so_at_its_opening_quote(text: str, column: int) -> None:
    with pytest.raises(DQDLSyntaxError) as error:
        parse_rule(text)
    assert str(error.value) == f'1:{column}: unterminated string: no closing " on this line'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RowCount > 1e400", "1:12: the number 1e400 is too large for a 64-bit float"),
        (
            "RowCount > 1" + "0" * 400,
            "1:12: the number 100000000000...000000000000 (401 characters) is too large for a 64-bit float",
        ),
        ('DataFreshness "c" <= 1e999 hours', "1:22: the number 1e999 is too large for a 64-bit float"),
    ],
)
def test_a_number_no_float64_holds_is_a_syntax_error(text: str, message: str) -> None:
    with pytest.raises(DQDLSyntaxError) as error:
        parse_rule(text)
    assert str(error.value) == message


def _problems(text: str) -> list[str]:
    from dq_checks.rules.validate import validate_rule

    return [p.message for p in validate_rule(parse_rule(text), known_tables={"ref"})]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a share of rows is within [0, 1]: above it nothing passes, below it nothing fails
        (
            'ColumnValues "c" in ["a"] with threshold > 1.5',
            "the threshold is a share of rows between 0 and 1, so '> 1.5' can never be met",
        ),
        (
            'ColumnValues "c" in ["a"] with threshold > -1',
            "the threshold is a share of rows between 0 and 1, so '> -1' is always met and the rule "
            "can never fail",
        ),
        (
            'CustomSql "select id from primary" with threshold >= 0',
            "the threshold is a share of rows between 0 and 1, so '>= 0' is always met and the rule "
            "can never fail",
        ),
        ('Completeness "c" > 2', "Completeness is a share between 0 and 1, so '> 2' can never be met"),
        (
            'Completeness "c" <= 1',
            "Completeness is a share between 0 and 1, so '<= 1' is always met and the rule can never fail",
        ),
        ('Uniqueness "c" = 1.01', "Uniqueness is a share between 0 and 1, so '= 1.01' can never be met"),
        (
            'ReferentialIntegrity "c" "ref.c" > 1',
            "ReferentialIntegrity is a share between 0 and 1, so '> 1' can never be met",
        ),
        ("ColumnCount = 6.5", "ColumnCount is a whole number of at least 0, so '= 6.5' can never be met"),
        (
            "RowCount != 0.5",
            "RowCount is a whole number of at least 0, so '!= 0.5' is always met and the rule can never fail",
        ),
        (
            'DistinctValuesCount "c" in [0.5, 2.5]',
            "DistinctValuesCount is a whole number of at least 0, so 'in [0.5, 2.5]' can never be met",
        ),
        ('ColumnLength "c" = -3', "ColumnLength is a whole number of at least 0, so '= -3' can never be met"),
        (
            'ColumnLength "c" between -5 and -1',
            "ColumnLength is a whole number of at least 0, so 'between -5 and -1' can never be met",
        ),
        (
            # exclusive: no whole number lies strictly between 3 and 4
            'ColumnLength "c" between 3 and 4',
            "ColumnLength is a whole number of at least 0, so 'between 3 and 4' can never be met",
        ),
        (
            'StandardDeviation "c" < 0',
            "StandardDeviation is a number of at least 0, so '< 0' can never be met",
        ),
        (
            'ColumnCorrelation "a" "b" not between -2 and 2',
            "ColumnCorrelation is a correlation between -1 and 1, so 'not between -2 and 2' can never be met",
        ),
        ('ColumnValues "c" in []', "'in []' lists no value, so it can never be met"),
        (
            'ColumnValues "c" not in []',
            "'not in []' lists no value, so it is always met and the rule can never fail",
        ),
        ('ColumnDataType "c" in []', "'in []' lists no value, so it can never be met"),
    ],
)
def test_a_condition_its_metric_can_never_meet_or_never_fail_is_refused(text: str, message: str) -> None:
    assert _problems(text) == [message]


@pytest.mark.parametrize(
    "text",
    [
        'Completeness "c" >= 0.95',
        'Completeness "c" between -0.1 and 0.5',  # exclusive: the way to take in 0 itself
        'ColumnLength "c" between -1 and 5',  # 0 to 4 characters
        'ColumnLength "c" = 0',
        "ColumnCount > 6.5",  # 7 or more: satisfiable, and 6 fails it
        "RowCount > 0",
        'RowCountMatch "ref" >= 1.5',  # more rows than the reference is a real state
        'Mean "c" > -1',  # a mean can be any number
        'CustomSql "select count(*) from primary" > -1',  # so can a query's result
        'ColumnValues "c" > -1',  # the values' type only the table knows
        'ColumnValues "c" in ["a"] with threshold > 0.0',
        'ColumnValues "c" in ["a"] with threshold between 0.5 and 1.5',
        "RowCount > avg(last(7)) * -1",  # dynamic: judged against history, not here
        'ColumnCorrelation "a" "b" > -0.5',
    ],
)
def test_conditions_that_split_their_metrics_domain_are_accepted(text: str) -> None:
    assert _problems(text) == []


def test_a_constant_that_is_not_finite_is_refused_after_it_is_resolved() -> None:
    from dq_checks.dqdl.constants import resolve_constants
    from dq_checks.rules.validate import validate_rule

    rule = resolve_constants(parse_rule("RowCount > $big"), {"big": Number(float("inf"))})
    assert [p.message for p in validate_rule(rule, known_tables=set())] == ["the number inf is not finite"]


def test_a_rule_after_a_comma_is_never_read_as_an_analyzer_setting() -> None:
    # `, RowCount = 5` looks like an analyzer's `, rebin = false`; only an analyzer may continue so.
    ruleset = parse_ruleset("Rules = [\n    RowCount > avg(last()),\n    RowCount = 5\n]")
    assert [rule_text(r) for r in ruleset.rules] == ["RowCount > avg(last())", "RowCount = 5"]
    analyzers = parse_ruleset(
        'Analyzers = [Distribution "a" with bins = 5, rebin = true, RowCount]'
    ).analyzers
    assert [analyzer_text(a) for a in analyzers] == [
        'Distribution "a" with bins = 5, rebin = true',
        "RowCount",
    ]


def test_labels_on_a_parenthesised_rule_go_to_the_rule_inside_as_aws_parses_them() -> None:
    rule = parse_rule(
        '(IsComplete "a" labels=["k"="own", "t"="1"]) labels=["k"="group"] and (IsComplete "b")'
    )
    assert isinstance(rule, Composite)
    assert rule.rules[0].labels == Labels((("t", "1"), ("k", "group")))  # the group's value wins per key
    nested = parse_rule('((IsComplete "a") or (IsComplete "b")) labels=["team"="sales"]')
    assert isinstance(nested, Composite)
    assert nested.labels == Labels((("team", "sales"),))
    assert rule_text(nested) == '((IsComplete "a") or (IsComplete "b")) labels=["team"="sales"]'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('IsComplete "a" labels=[]', "1:23: labels must have at least one label"),
        (
            'IsComplete "a" labels=["k"="1", "k"="2"]',
            '1:23: label key "k" appears twice: keys must be unique',
        ),
        ('IsComplete "a" labels=["k"=""]', "1:23: a label's key and value cannot be empty"),
        (
            'IsComplete "a" labels=["' + "k" * 129 + '"="v"]',
            "1:23: a label key has 129 characters; at most 128 are allowed",
        ),
        (
            'IsComplete "a" labels=[' + ", ".join(f'"k{i}"="v"' for i in range(11)) + "]",
            "1:23: 11 labels: a rule takes at most 10",
        ),
    ],
)
def test_labels_aws_refuses_are_refused_where_they_are_written(text: str, message: str) -> None:
    with pytest.raises(DQDLSyntaxError) as error:
        parse_rule(text)
    assert str(error.value) == message


def test_default_labels_count_towards_each_rule_s_limit() -> None:
    defaults = ", ".join(f'"d{i}"="v"' for i in range(6))
    own = ", ".join(f'"r{i}"="v"' for i in range(5))
    with pytest.raises(DQDLSyntaxError) as error:
        parse_ruleset(f'DefaultLabels = [{defaults}]\nRules = [\n  IsComplete "a" labels=[{own}]\n]')
    assert str(error.value) == "3:3: 11 labels with DefaultLabels: a rule takes at most 10"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Unquoted parameters make `betwen` a column name; the error names it, not the `0` after it.
        ('ColumnValues "amount" betwen 0 and 10', "1:23: unexpected 'betwen': did you mean 'between'?"),
        ('ColumnValues "a" > 0 wher "a > 1"', "1:22: unexpected 'wher': did you mean 'where'?"),
    ],
)
def test_a_misspelt_keyword_is_named(text: str, message: str) -> None:
    with pytest.raises(DQDLSyntaxError) as error:
        parse_rule(text)
    assert str(error.value) == message


def test_a_misspelt_keyword_that_parses_as_a_column_is_named_by_validation() -> None:
    from dq_checks.rules.validate import validate_rule

    problems = validate_rule(parse_rule('ColumnValues "a" matchs "x"'), known_tables=())
    assert problems[0].message == (
        "ColumnValues takes \"column\", got 3 parameter(s); is 'matchs' a misspelt 'matches'?"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("Rules = []\n\nRules = [RowCount > 0]", "3:1: the Rules section appears twice"),
        ('x = "a"\nx = "b"\nRules = []', "2:1: $x is defined twice"),
        # AWS's grammar needs Rules or Analyzers: an empty or metadata-only file is not a ruleset
        ("", "1:1: a ruleset needs Rules = [...] or Analyzers = [...]"),
        ('Metadata = {"Version": "1.0"}\n', "2:1: a ruleset needs Rules = [...] or Analyzers = [...]"),
    ],
)
def test_a_document_s_structural_mistakes_are_located(document: str, message: str) -> None:
    with pytest.raises(DQDLSyntaxError) as error:
        parse_ruleset(document)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('ColumnValues "x" > 2 MB', "2 MB is a file size; only the File* rules compare sizes"),
        # ColumnLength judges each row; AWS's rule-type table gives it no dynamic rules
        (
            'ColumnLength "s" > avg(last(3))',
            "ColumnLength cannot use avg(): dynamic rules compare aggregate metrics",
        ),
    ],
)
def test_operands_a_rule_type_cannot_compare_are_refused(rule: str, message: str) -> None:
    from dq_checks.rules.validate import validate_rule

    assert [p.message for p in validate_rule(parse_rule(rule), known_tables=())] == [message]


def test_aggregate_match_may_exceed_one_since_it_is_first_over_second() -> None:
    from dq_checks.rules.validate import validate_rule

    assert validate_rule(parse_rule('AggregateMatch "sum(a)" "sum(b)" > 1.05'), known_tables=()) == []


def test_an_analyzer_written_alone_takes_its_comma_separated_settings() -> None:
    from dq_checks.dqdl.parser import parse_analyzer

    analyzer = parse_analyzer('Distribution "age" with bins = 10, rebin = false')
    assert analyzer.tags == (
        Tag("bins", Comparison("=", Number(10))),
        Tag("rebin", Comparison("=", Boolean(False))),
    )
    assert analyzer_text(analyzer) == 'Distribution "age" with bins = 10, rebin = false'
