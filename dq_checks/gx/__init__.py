"""Great Expectations 1.x suites to and from DQDL, as plain JSON dicts.

Nothing here imports great_expectations: suites are data, so converting them needs neither
the library nor a data context, and the code location stays free of it.
"""

from dq_checks.gx.from_dqdl import (
    NoEquivalent,
    RuleToExport,
    SuiteExport,
    UnconvertedRule,
    full_match_to_search,
    rule_to_expectations,
    rules_to_suite,
)
from dq_checks.gx.to_dqdl import (
    SUPPORTED_EXPECTATIONS,
    ImportedRule,
    SkippedExpectation,
    SuiteFormatError,
    SuiteImport,
    Unsupported,
    expectation_to_dqdl,
    search_to_full_match,
    suite_to_dqdl,
)

__all__ = [
    "SUPPORTED_EXPECTATIONS",
    "ImportedRule",
    "NoEquivalent",
    "RuleToExport",
    "SkippedExpectation",
    "SuiteExport",
    "SuiteFormatError",
    "SuiteImport",
    "UnconvertedRule",
    "Unsupported",
    "expectation_to_dqdl",
    "full_match_to_search",
    "rule_to_expectations",
    "rules_to_suite",
    "search_to_full_match",
    "suite_to_dqdl",
]
