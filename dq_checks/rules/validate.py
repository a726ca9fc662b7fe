"""Static checks of a parsed rule: everything that can be known without reading the table.

Unknown rule types, wrong parameters, a condition a rule type does not take, `between`
with min > max, a condition its metric can never meet or never fail (`Completeness > 2`,
`with threshold > -1`, `ColumnCount = 6.5`, `in []`: see domains.py), a number that is not
finite, a regex that does not compile, an unsafe CustomSql statement or `where` predicate,
and what a rule type checks of its own parameters (a reference to a table that is not
monitored, a CustomSql statement: see each type's `check_statically` in its home module under
`dq_checks/rules/types/`). Column names and types are checked later, against the real schema.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection
from dataclasses import dataclass

from dq_checks.dqdl.ast import (
    GRAMMAR_KEYWORDS,
    Between,
    BinaryOp,
    Call,
    Comparison,
    Composite,
    Condition,
    Duration,
    Expr,
    InList,
    Keyword,
    Matches,
    Negate,
    Now,
    Number,
    Position,
    Rule,
    RuleExpr,
    Size,
    String,
)
from dq_checks.dqdl.printer import expr_text
from dq_checks.rules.domains import THRESHOLD_DOMAIN, Domain, domain_problem, empty_list_problem
from dq_checks.rules.types.definition import RuleTypeDefinition, TablesInReach
from dq_checks.rules.types.detect_anomalies import is_aws_spelling
from dq_checks.rules.types.registry import REGISTRY, RULE_TYPES
from dq_checks.rules.types.spec import (
    AGGREGATE_FUNCTIONS,
    DATA_TYPES,
    DYNAMIC_FUNCTIONS,
    FILE_RULE_TYPES,
    RULE_TAGS,
    ConditionKind,
    RuleTypeSpec,
)
from dq_checks.suggestions import closest, did_you_mean


@dataclass(frozen=True)
class RuleProblem:
    """Something wrong with a rule, and where in its text."""

    message: str
    position: Position | None = None

    def where(self) -> str:
        """`line:column: ` when the position is known."""
        return f"{self.position.line}:{self.position.column}: " if self.position else ""


def validate_rule(
    rule: RuleExpr, *, known_tables: Collection[str], sql_tables: Collection[str] | None = None
) -> list[RuleProblem]:
    """Every static problem of a rule whose constants are already resolved.

    `known_tables` are the monitored tables a reference may name; `sql_tables` the ones a
    CustomSql statement may read besides `primary` (the table's `deps`), all by default.
    """
    readable = known_tables if sql_tables is None else sql_tables
    if isinstance(rule, Composite):
        return [
            problem
            for child in rule.rules
            for problem in validate_rule(child, known_tables=known_tables, sql_tables=readable)
        ]
    definition = REGISTRY.get(rule.rule_type)
    if definition is None:
        return [RuleProblem(_unknown_type(rule.rule_type), rule.position)]
    spec = definition.spec
    problems = [
        *_params(rule, spec),
        *_condition(rule, spec),
        *_clauses(rule, spec),
        *_tags(rule, spec),
    ]
    if not problems:
        problems += _in_reach(rule, definition, TablesInReach(known_tables, readable))
    return [p if p.position else RuleProblem(p.message, rule.position) for p in problems]


def _unknown_type(name: str) -> str:
    if name in FILE_RULE_TYPES:
        return f"{name} checks files, not tables; the File* rules are not supported"
    if is_aws_spelling(name) or name == "AllStatistics":
        return f"{name} is not a rule type here" + (
            "; AllStatistics is an analyzer: put it in Analyzers = [...]" if name == "AllStatistics" else ""
        )
    close = closest(name, RULE_TYPES)
    hint = f"; did you mean {close}?" if close else ""
    return f"unknown rule type {name!r}{hint}"


def _keyword_hint(rule: Rule) -> str:
    """`ColumnValues "a" matchs "x"`: an unquoted parameter that is a misspelt keyword, named."""
    for param in rule.params:
        if isinstance(param, String):
            close = difflib.get_close_matches(param.value, GRAMMAR_KEYWORDS, n=1, cutoff=0.75)
            if close and param.value != close[0]:
                return f"; is {param.value!r} a misspelt {close[0]!r}?"
    return ""


def _params(rule: Rule, spec: RuleTypeSpec) -> list[RuleProblem]:
    count = len(rule.params)
    if count < spec.min_params or (spec.max_params is not None and count > spec.max_params):
        expected = spec.param_help or "no parameters"
        return [RuleProblem(f"{spec.name} takes {expected}, got {count} parameter(s){_keyword_hint(rule)}")]
    return [
        RuleProblem(f"{spec.name}: parameters must be quoted strings")
        for p in rule.params
        if not isinstance(p, String)
    ]


def _condition(rule: Rule, spec: RuleTypeSpec) -> list[RuleProblem]:
    condition, kind = rule.condition, spec.condition
    if kind is ConditionKind.NONE:
        return [] if condition is None else [RuleProblem(f"{spec.name} takes no condition")]
    if condition is None:
        if kind is ConditionKind.NUMERIC_OR_THRESHOLD:
            return []  # CustomSql returning rows: the share returned against the threshold, or all
        return [RuleProblem(f"{spec.name} needs a condition ({kind.value})")]
    problems = _bounds(condition) + _finite(condition) + _empty_list(condition)
    if kind in (ConditionKind.NUMERIC, ConditionKind.NUMERIC_OR_THRESHOLD):
        # ColumnLength judges each row's length: like ColumnValues, it has no one metric whose
        # history a dynamic bound could read (AWS's rule-type table: no dynamic rules).
        problems += _numeric(condition, spec.name, allow_dynamic=not spec.row_level)
    elif kind is ConditionKind.DURATION:
        problems += _durations(condition, spec.name)
    elif kind is ConditionKind.TYPE_NAME:
        problems += _type_names(condition)
    elif kind is ConditionKind.VALUE:
        problems += _values(condition)
    if not problems and spec.domain is not None:
        problems += _in_domain(condition, spec.domain, spec.name)
    return problems


def _finite(condition: Condition) -> list[RuleProblem]:
    """A number that is not finite (a `$constant` of `.inf`, say) compares with nothing usefully."""
    return [
        RuleProblem(f"the number {number.value} is not finite")
        for operand in _operands(condition)
        for number in _numbers(operand)
        if not math.isfinite(number.value)
    ]


def _numbers(expr: Expr) -> list[Number]:
    match expr:
        case Number():
            return [expr]
        case Negate():
            return _numbers(expr.operand)
        case BinaryOp():
            return _numbers(expr.left) + _numbers(expr.right)
        case Call():
            return [n for arg in expr.args for n in _numbers(arg)]
        case Duration():
            return [expr.amount]
    return []


def _empty_list(condition: Condition) -> list[RuleProblem]:
    problem = empty_list_problem(condition)
    return [RuleProblem(problem)] if problem else []


def _in_domain(condition: Condition, domain: Domain, subject: str) -> list[RuleProblem]:
    problem = domain_problem(condition, domain, subject)
    return [RuleProblem(problem)] if problem else []


def _operands(condition: Condition) -> tuple[Expr, ...]:
    match condition:
        case Comparison():
            return (condition.operand,)
        case Between():
            return (condition.low, condition.high)
        case InList():
            return condition.values
        case Matches():
            return (condition.pattern,)
    return ()


def _numeric(condition: Condition, rule_type: str, *, allow_dynamic: bool) -> list[RuleProblem]:
    if isinstance(condition, Matches):
        return [RuleProblem(f"{rule_type} compares numbers; 'matches' needs ColumnValues")]
    problems = []
    for operand in _operands(condition):
        problems += _numeric_expr(operand, rule_type, allow_dynamic=allow_dynamic)
    return problems


def _numeric_expr(expr: Expr, rule_type: str, *, allow_dynamic: bool) -> list[RuleProblem]:
    match expr:
        case Number():
            return []
        case Negate():
            return _numeric_expr(expr.operand, rule_type, allow_dynamic=allow_dynamic)
        case BinaryOp():
            return _numeric_expr(expr.left, rule_type, allow_dynamic=allow_dynamic) + _numeric_expr(
                expr.right, rule_type, allow_dynamic=allow_dynamic
            )
        case Call():
            if not allow_dynamic:
                return [
                    RuleProblem(
                        f"{rule_type} cannot use {expr.name}(): dynamic rules compare aggregate metrics"
                    )
                ]
            return _dynamic_call(expr, bare=True)
    return [RuleProblem(f"{rule_type} compares numbers, got {_describe(expr)}")]


def _dynamic_call(call: Call, *, bare: bool = False) -> list[RuleProblem]:
    """Problems of a dynamic call; `bare` when the rule compares with its value directly.

    As AWS documents it, `last(k)` is a list of k values: only `last()` / `last(1)` may stand
    alone (`RowCount > last()`); a larger k needs a function that reduces it to one number.
    """
    if call.name not in DYNAMIC_FUNCTIONS:
        return [
            RuleProblem(f"unknown function {call.name}(); dynamic rules use {', '.join(DYNAMIC_FUNCTIONS)}")
        ]
    if call.name == "last":
        k = _last_count(call)
        if k is None:
            return [RuleProblem("last(k) takes one whole number k >= 1, or nothing: last() is last(1)")]
        if bare and k > 1:
            return [
                RuleProblem(
                    f"last({k}) is a list of {k} earlier values and cannot be compared with a number; "
                    f"reduce it with {', '.join(AGGREGATE_FUNCTIONS)} (avg(last({k}))) or pick one "
                    f"with index(last({k}), i)"
                )
            ]
        return []
    if call.name == "index":
        if len(call.args) != 2 or not _is_last(call.args[0]):
            return [RuleProblem("index takes last(k) and a position: index(last(10), 1)")]
        found = _dynamic_call(call.args[0])  # type: ignore[arg-type]
        if found:
            return found
        k = _last_count(call.args[0])  # type: ignore[arg-type]
        position = call.args[1]
        if not isinstance(position, Number) or not isinstance(position.value, int) or position.value < 0:
            return [
                RuleProblem(f"index(last({k}), i): the position i is a whole number from 0 (the most recent)")
            ]
        if k is not None and position.value >= k:
            return [
                RuleProblem(
                    f"index(last({k}), {position.value}) is past the end: "
                    f"last({k}) has positions 0 to {k - 1}"
                )
            ]
        return []
    if call.name == "abs":
        if len(call.args) != 1:
            return [RuleProblem("abs takes one argument")]
        return _numeric_expr(call.args[0], "abs", allow_dynamic=True)
    if len(call.args) != 1 or not _is_last(call.args[0]):
        return [RuleProblem(f"{call.name} takes last(k): {call.name}(last(10))")]
    return _dynamic_call(call.args[0])  # type: ignore[arg-type]


def _last_count(call: Call) -> int | None:
    """The k of `last(k)` (1 for `last()`), or None when it is not a whole number >= 1."""
    if not call.args:
        return 1
    amount = call.args[0]
    if (
        len(call.args) == 1
        and isinstance(amount, Number)
        and isinstance(amount.value, int)
        and amount.value >= 1
    ):
        return amount.value
    return None


def _is_last(expr: Expr) -> bool:
    return isinstance(expr, Call) and expr.name == "last"


def _durations(condition: Condition, rule_type: str) -> list[RuleProblem]:
    if not isinstance(condition, Comparison | Between):
        return [RuleProblem(f"{rule_type} compares ages: use a comparison or between with durations")]
    bad = [o for o in _operands(condition) if not isinstance(o, Duration)]
    return [RuleProblem(f"{rule_type} compares ages, like '<= 24 hours'; got {_describe(o)}") for o in bad]


def _type_names(condition: Condition) -> list[RuleProblem]:
    if isinstance(condition, Comparison) and condition.op == "=":
        names = [condition.operand]
    elif isinstance(condition, InList) and not condition.negated:
        names = list(condition.values)
    else:
        return [RuleProblem('ColumnDataType takes = "TYPE" or in ["TYPE", ...]')]
    return [
        RuleProblem(f"ColumnDataType: {_describe(n)} is not one of {', '.join(DATA_TYPES)}")
        for n in names
        if not (isinstance(n, String) and n.value.upper() in DATA_TYPES)
    ]


def _values(condition: Condition) -> list[RuleProblem]:
    if isinstance(condition, Matches):
        pattern = condition.pattern
        if not isinstance(pattern, String):
            return [RuleProblem("matches takes a quoted regular expression")]
        try:
            re.compile(pattern.value)
        except re.error as error:
            return [RuleProblem(f"regex {pattern.value!r} does not compile: {error}")]
        return []
    problems = []
    for operand in _operands(condition):
        if isinstance(operand, Call) or (isinstance(operand, BinaryOp) and _has_call(operand)):
            problems.append(
                RuleProblem("ColumnValues compares each value; dynamic expressions need an aggregate rule")
            )
        if isinstance(operand, Keyword) and not isinstance(condition, Comparison | InList):
            problems.append(
                RuleProblem(f"{operand.name} can only be compared with = or != or listed with in")
            )
        if isinstance(operand, Duration):
            problems.append(RuleProblem("a bare duration is not a value; write (now() - 3 days)"))
        if isinstance(operand, Size):
            size = expr_text(operand)
            problems.append(RuleProblem(f"{size} is a file size; only the File* rules compare sizes"))
    return problems


def _has_call(expr: Expr) -> bool:
    if isinstance(expr, Call):
        return True
    if isinstance(expr, BinaryOp):
        return _has_call(expr.left) or _has_call(expr.right)
    if isinstance(expr, Negate):
        return _has_call(expr.operand)
    return False


def _bounds(condition: Condition) -> list[RuleProblem]:
    if not isinstance(condition, Between):
        return []
    low, high = _literal_number(condition.low), _literal_number(condition.high)
    if low is not None and high is not None and low >= high:
        return [RuleProblem(f"between {low:g} and {high:g}: the lower bound must be below the upper bound")]
    low_d, high_d = condition.low, condition.high
    if isinstance(low_d, Duration) and isinstance(high_d, Duration) and low_d.seconds >= high_d.seconds:
        return [RuleProblem("between: the shorter duration must come first")]
    return []


def _literal_number(expr: Expr) -> float | None:
    return float(expr.value) if isinstance(expr, Number) else None


def _clauses(rule: Rule, spec: RuleTypeSpec) -> list[RuleProblem]:
    problems = []
    if rule.where is not None:
        if not spec.where:
            problems.append(RuleProblem(f"{spec.name} does not take a where clause"))
        else:
            from dq_checks.rules.sql_safety import UnsafeSql, vet_predicate  # sqlglot: only with SQL

            try:
                vet_predicate(rule.where.value)
            except UnsafeSql as error:
                problems.append(RuleProblem(str(error)))
    if rule.threshold is not None:
        if not spec.threshold:
            problems.append(RuleProblem(f"{spec.name} does not take 'with threshold'"))
        else:
            threshold = rule.threshold
            found = _finite(threshold) + _empty_list(threshold)
            found += _numeric(threshold, "with threshold", allow_dynamic=False)
            problems += found or _in_domain(threshold, THRESHOLD_DOMAIN, "the threshold")
    return problems


def _tags(rule: Rule, spec: RuleTypeSpec) -> list[RuleProblem]:
    """A `with <name> ...` tag the rule type does not act on would be silently ignored: refuse it."""
    known = RULE_TAGS.get(spec.name, frozenset())
    problems = []
    for tag in rule.tags:
        if tag.name in known:
            continue
        if tag.name.lower() == "threshold":
            problems.append(RuleProblem(f"write 'with threshold' in lower case; got 'with {tag.name}'"))
            continue
        accepted = (["threshold"] if spec.threshold else []) + sorted(known)
        takes = ", ".join(f"'with {t}'" for t in accepted) if accepted else "no 'with' tag"
        problems.append(RuleProblem(f"{spec.name} does not take the tag 'with {tag.name}'; it takes {takes}"))
    return problems


def _in_reach(rule: Rule, definition: RuleTypeDefinition, reach: TablesInReach) -> list[RuleProblem]:
    """Every other table the rule reads is monitored, and its type's own checks of its parameters pass."""
    try:
        read = definition.tables_read(rule, set(reach.monitored)) if definition.tables_read else {}
        found = [
            f"{rule.rule_type} references table {table!r}, which is not a monitored table"
            + did_you_mean(table, reach.monitored)
            for table in read
            if table not in reach.monitored
        ]
        if definition.check_statically is not None:
            found += definition.check_statically(rule, reach)
    except ValueError as error:  # a malformed reference, or unsafe SQL (UnsafeSql is one too)
        return [RuleProblem(str(error))]
    return [RuleProblem(message) for message in found]


def _describe(expr: Expr) -> str:
    match expr:
        case String():
            return f'the string "{expr.value}"'
        case Keyword():
            return expr.name
        case Now():
            return "now()"
        case Duration():
            return f"the duration {expr.amount.value:g} {expr.unit}"
        case Number():
            return f"the number {expr.value}"
    return type(expr).__name__
