"""dq run's tables wrap a long description to the terminal instead of cutting its end off."""

from __future__ import annotations

from dq_assets.cli.render import fitted

# planted: the key fact ("= 0.97 does not meet > 0.99") is at the end of a long description
LONG = (
    "share of customer_id found in customers.customer_id = 0.97 does not meet > 0.99 "
    "(2,512 of 200,000 rows have a customer_id no customer has)"
)
ROWS = [("orders", "fail", LONG), ("orders", "pass", "short")]
HEADERS = ("table", "outcome", "description")


def test_a_description_wraps_to_the_width_left_and_keeps_every_word() -> None:
    text = fitted(ROWS, HEADERS, 60)

    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 60
    start = lines[1].rindex("  ") + 2  # where the description column's dashes begin
    described = [line[start:].strip() for line in lines[2:]]
    assert len(described) == 5  # four lines for the long one, one for the short one
    assert " ".join(described).split() == [*LONG.split(), "short"]  # every word, in order
    assert "…" not in text


def test_with_no_width_every_description_is_whole_on_one_line() -> None:
    text = fitted(ROWS, HEADERS, None)

    (line,) = [line for line in text.splitlines() if "customer_id" in line]
    assert line.endswith(LONG)


def test_a_narrow_terminal_still_gives_the_description_a_readable_column() -> None:
    text = fitted(ROWS, HEADERS, 20)

    assert min(len(line) for line in text.splitlines() if "customer" in line) >= 30  # never fragments
