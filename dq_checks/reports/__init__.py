"""Reports people open: the executive summary of a run, and the run as an Excel workbook.

Both read the values one inspection produced (already redacted) and, for the summary, the
previous run; nothing here touches Dagster or the network.
"""

from dq_checks.reports.summary import executive_summary, plain_text, summary_facts
from dq_checks.reports.workbook import FAILING_ROWS_CAP, SHEETS, build_workbook, save_workbook, workbook_bytes

__all__ = [
    "FAILING_ROWS_CAP",
    "SHEETS",
    "build_workbook",
    "executive_summary",
    "plain_text",
    "save_workbook",
    "summary_facts",
    "workbook_bytes",
]
