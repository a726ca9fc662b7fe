"""A `sql` definition's url with its `${NAME}` placeholders resolved, and those values hidden again.

Which variables a url may name is the definition's rule (`placeholder_allowed`: `DQ_*` and the
names listed under `env:`), checked by `dq validate` and again here, before any value is read.
Every value substituted is a secret as far as messages go: a password, but also a database
name or a host a variable was used for. `HiddenValues` replaces each of them with `***` in any
text the source turns into a message.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote

from dq_checks.config.sources import PLACEHOLDER, placeholder_allowed
from dq_resources.source_contract.errors import source_error

MASK = "***"
MIN_HIDDEN_LENGTH = 3
"""Values shorter than this are not hidden: they cannot be a secret, and hiding `1` or `db` in
every message would garble the messages, not protect anything."""


@dataclass(frozen=True)
class HiddenValues:
    """The values substituted into a url; calling it hides them in a text."""

    values: tuple[str, ...] = ()

    def __call__(self, text: str) -> str:
        """`text` with every substituted value (as written, and URL-encoded) replaced by `***`."""
        forms = {form for value in self.values for form in (value, quote(value, safe="")) if form}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, MASK)
        return text


@dataclass(frozen=True)
class ResolvedUrl:
    """The url to connect with, and what to hide in messages about it."""

    url: str
    hidden: HiddenValues


def resolve_url(url: str, where: str, listed: Collection[str]) -> ResolvedUrl:
    """Replace each `${NAME}` with the environment's value.

    A name the definition may not use, or a variable that is not set, is a SourceError naming
    it; a refused variable is never read.
    """
    names = [match.group(1) for match in PLACEHOLDER.finditer(url)]
    refused = [name for name in names if not placeholder_allowed(name, listed)]
    if refused:
        shown = ", ".join(f"${{{name}}}" for name in refused)
        raise source_error(
            where, f"{shown} may not be used in url", "only DQ_* variables and those listed under env: may"
        )
    values: dict[str, str] = {}
    for name in names:
        found = os.environ.get(name)
        if found is None:
            raise source_error(where, f"environment variable {name} (used in url) is not set")
        values[name] = found
    resolved = PLACEHOLDER.sub(lambda match: values[match.group(1)], url)
    secrets = tuple(v for v in values.values() if len(v) >= MIN_HIDDEN_LENGTH)
    return ResolvedUrl(resolved, HiddenValues(secrets))
