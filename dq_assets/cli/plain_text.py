r"""Markdown the reports write, as a terminal shows it: no `**`, no backticks, no backslashes.

The executive summary is Markdown for the HTML report and Dagster's UI; printed as is,
`**shipments** has ...` and `'amount' \> 0` read as noise in a terminal.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"\\(.)|\*\*|`")


def plain_text(markdown: str) -> str:
    """`markdown`'s inline markup removed: bold and code marks dropped, escaped characters kept."""
    return _MARKUP.sub(lambda match: match.group(1) or "", markdown)
