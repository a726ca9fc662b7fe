"""The executive summary printed in a terminal: the words, without Markdown's marks."""

from __future__ import annotations

from dq_checks.reports.summary import plain_text


def test_bold_code_and_escapes_become_plain_words() -> None:
    markdown = "**orders** has 200 rows; `amount_positive` (error): 3 of 200 rows fail: 'amount' \\> 0 \\*"
    assert (
        plain_text(markdown)
        == "orders has 200 rows; amount_positive (error): 3 of 200 rows fail: 'amount' > 0 *"
    )
