"""The functions user SQL may call: an allow-list of pure ones, checked on the sqlglot tree.

A CustomSql statement or a `where` predicate runs where the data lives, with the engine's own
rights. A blocklist of dangerous names cannot keep up with every engine (Postgres alone has
`query_to_xml`, `pg_read_file`, `dblink`, `current_setting`...), so the rule is the other way
round: a function is allowed only if it is known to compute its result from its arguments
alone (aggregates, window functions, arithmetic, text, date and time, conditionals, casts to
plain types). Anything else, including any function sqlglot does not know (`exp.Anonymous`)
unless it is on the short list of plain names below, is refused with its name.
"""

from __future__ import annotations

from sqlglot import exp

_AGGREGATES = (
    "Count CountIf Sum Avg Min Max Stddev StddevPop StddevSamp Variance VariancePop Median Quantile "
    "ApproxQuantile PercentileCont PercentileDisc ApproxDistinct AnyValue ArgMax ArgMin First Last Mode "
    "LogicalAnd LogicalOr Corr CovarPop CovarSamp Skewness Kurtosis GroupConcat ArrayAgg BitwiseAndAgg "
    "BitwiseOrAgg BitwiseXorAgg Grouping RegrSlope RegrIntercept RegrR2 RegrCount RegrAvgx RegrAvgy"
)
_WINDOWS = "RowNumber Rank DenseRank PercentRank CumeDist Ntile Lag Lead FirstValue LastValue NthValue"
_OPERATORS = (  # sqlglot models these operators as functions
    "And Or Xor Exists Pow Collate RegexpLike RegexpILike RegexpFullMatch JSONExtract JSONExtractScalar "
    "JSONBExtract JSONBExtractScalar JSONBContains ArrayContains ArrayContainsAll ArrayOverlaps"
)
_MATH = (
    "Abs Ceil Floor Round Trunc Sqrt Cbrt Exp Ln Log Sign Pi SafeDivide Factorial WidthBucket IsNan "
    "Sin Cos Tan Asin Acos Atan Atan2 Degrees Radians"
)
_TEXT = (
    "Upper Lower Length BitLength Substring Trim Concat ConcatWs Left Right Pad Replace RegexpExtract "
    "RegexpReplace RegexpCount StrPosition StartsWith EndsWith Contains MD5 SHA SHA2 Reverse SplitPart "
    "Split Initcap Repeat Ascii Chr Format ArraySize ArrayToString Array"
)
_TEMPORAL = (
    "CurrentDate CurrentTimestamp CurrentTime Localtimestamp Localtime TimestampTrunc DateTrunc Extract "
    "DateDiff TimestampDiff DateAdd DateSub TimestampAdd TimestampSub TsOrDsAdd TsOrDsDiff Year Quarter "
    "Month Week WeekOfYear Day DayOfWeek DayOfWeekIso DayOfMonth DayOfYear Hour Minute Second LastDay "
    "TimeToUnix UnixToTime UnixToStr TimeToStr StrToTime StrToDate TsOrDsToDate TsOrDsToTimestamp "
    "DateFromParts TimestampFromParts ToChar ToNumber DateStrToDate TimeStrToTime JustifyDays "
    "JustifyHours JustifyInterval"
)
_CONDITIONALS = "Case If Coalesce Nullif Greatest Least"
_CASTS = "Cast TryCast"

ALLOWED_FUNCTIONS: tuple[type[exp.Func], ...] = tuple(
    getattr(exp, name)
    for group in (_AGGREGATES, _WINDOWS, _OPERATORS, _MATH, _TEXT, _TEMPORAL, _CONDITIONALS, _CASTS)
    for name in group.split()
    if hasattr(exp, name)  # the names sqlglot has in this version
)
"""sqlglot's typed functions that compute their value from their arguments alone."""

ALLOWED_PLAIN_NAMES = frozenset(
    {"now", "date_part", "datepart", "age", "octet_length", "btrim", "every", "to_date", "isfinite", "gcd"}
    | {"lcm", "strlen"}
)
"""Pure functions that sqlglot does not model, spelt the same in DuckDB and Postgres."""

_PLAIN_TYPES = (
    "TINYINT SMALLINT INT BIGINT HUGEINT UTINYINT USMALLINT UINT UBIGINT UHUGEINT INT128 FLOAT DOUBLE "
    "DECIMAL BIGDECIMAL TEXT VARCHAR NVARCHAR CHAR NCHAR BOOLEAN DATE DATE32 TIME TIMETZ TIMESTAMP "
    "TIMESTAMPTZ TIMESTAMPLTZ TIMESTAMPNTZ TIMESTAMP_S TIMESTAMP_MS TIMESTAMP_NS DATETIME INTERVAL UUID "
    "JSON JSONB"
)
ALLOWED_CAST_TYPES = frozenset(
    getattr(exp.DataType.Type, name) for name in _PLAIN_TYPES.split() if hasattr(exp.DataType.Type, name)
)
"""Plain types a value may be cast to. Not `regclass`, `xml` and the like, whose input functions
look things up in the database."""

SESSION_KEYWORDS = frozenset(
    {"user", "current_user", "session_user", "current_role", "current_schema", "current_catalog"}
    | {"system_user"}
)
"""Words SQL reads as the session's state when written bare; sqlglot parses them as columns."""


def function_name(node: exp.Func) -> str:
    """The function's name as a user would write it (`unnest`, not sqlglot's `EXPLODE`)."""
    if isinstance(node, exp.Anonymous | exp.AnonymousAggFunc):
        return str(node.name).lower()
    try:
        written = node.sql(dialect="duckdb")
    except Exception:  # a node this dialect cannot write: sqlglot's own name will do
        written = node.sql_name()
    return written.split("(", 1)[0].strip().lower() or node.sql_name().lower()


def is_allowed_function(node: exp.Func) -> bool:
    """Pure by the allow-list: a known typed function, or a plain name on the short list."""
    if isinstance(node, exp.Anonymous | exp.AnonymousAggFunc):
        return str(node.name).lower() in ALLOWED_PLAIN_NAMES
    return type(node) in ALLOWED_FUNCTIONS


def is_allowed_cast(node: exp.Cast) -> bool:
    """A cast to a plain type, with no nested or user-defined types."""
    target = node.args.get("to")
    if not isinstance(target, exp.DataType):
        return False
    nested = [t for t in target.find_all(exp.DataType) if t is not target]
    return target.this in ALLOWED_CAST_TYPES and not nested
