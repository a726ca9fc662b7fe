"""The runner a source hands the check step: dq_checks' QueryRunner, and the references beside it.

Kept apart from the table contract because declaring it imports sqlglot, which a process that
only validates definitions never needs.
"""

from __future__ import annotations

from typing import Protocol

from sqlglot import exp

from dq_checks.metrics.runner import QueryRunner


class SourceRunner(QueryRunner, Protocol):
    """The QueryRunner a source hands out: it also says which references it can read, and why not.

    `references` maps each loaded reference's name to the relation its queries call it by;
    `reference_errors` says, per name, why any other requested reference could not be loaded.
    """

    references: dict[str, exp.Table]
    reference_errors: dict[str, str]
