"""The "did you mean ...?" for a name that is not one of the names it could have been.

Every place that looks a name up (a YAML key, a rule type, a column, a table) says what it did
not find; this adds the closest known name, so `fresshness` points at `freshness` instead of
leaving the user to read a list. Matching ignores case, as column names do, and only offers a
name that is close: a suggestion that is wrong is worse than none.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CLOSE_ENOUGH = 0.6
"""difflib's ratio below which two names are unrelated (its own default)."""


def closest(name: str, known: Iterable[str], *, cutoff: float = CLOSE_ENOUGH) -> str | None:
    """The known name closest to `name`, ignoring case; None when none is close or it is `name` itself."""
    by_folded: dict[str, str] = {}
    for candidate in known:
        by_folded.setdefault(candidate.casefold(), candidate)
    folded = name.casefold()
    if folded in by_folded and by_folded[folded] == name:
        return None
    matches = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=cutoff)
    return by_folded[matches[0]] if matches else None


def did_you_mean(name: str, known: Iterable[str], *, cutoff: float = CLOSE_ENOUGH) -> str:
    """`; did you mean 'freshness'?`, to append to a message, or '' when nothing is close."""
    found = closest(name, known, cutoff=cutoff)
    return f"; did you mean {found!r}?" if found is not None else ""


def unknown_table(name: str, known: Iterable[str]) -> str:
    """`unknown table 'ordrs'; defined tables: customers, orders; did you mean 'orders'?`.

    The one wording for a table name that names no defined table, wherever a command looks one up.
    """
    names = sorted(known)
    return f"unknown table {name!r}; defined tables: {', '.join(names) or 'none'}{did_you_mean(name, names)}"
