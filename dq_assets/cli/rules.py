"""`dq rules`: the rules kept in code, converted in and out and reviewed.

Conversions: `import-gx`/`export-gx` (Great Expectations suites, `rules_gx.py`) and
`import-dqdl`/`export-dqdl` (AWS Glue rulesets, `rules_dqdl.py`). Review of proposed rules:
`pending`, `approve`, `reject` (`proposals.py`). Each module is imported when one of its
commands runs (`lazy_group.py`).
"""

from __future__ import annotations

import click

from dq_assets.cli.lazy_group import LazyCommand, LazyCommandsGroup

_PROPOSALS = "dq_assets.cli.proposals"
_DQDL = "dq_assets.cli.rules_dqdl"
_GX = "dq_assets.cli.rules_gx"

RULES_COMMANDS = {
    "approve": LazyCommand(
        _PROPOSALS,
        "approve",
        "Move proposal NAME into TABLE's definition; it becomes a check on the next load.",
    ),
    "export-dqdl": LazyCommand(
        _DQDL, "export_dqdl", "Write TABLE's rules, labels and analyzers as one AWS Glue ruleset."
    ),
    "export-gx": LazyCommand(
        _GX,
        "export_gx",
        "Write TABLE's DQDL rules as a Great Expectations 1.x suite (JSON) named after the table.",
    ),
    "import-dqdl": LazyCommand(
        _DQDL, "import_dqdl", "Append a Glue ruleset's rules and analyzers to TABLE's definition."
    ),
    "import-gx": LazyCommand(
        _GX,
        "import_gx",
        "Append the DQDL equivalents of a Great Expectations 1.x suite to TABLE's definition.",
    ),
    "pending": LazyCommand(
        _PROPOSALS,
        "pending",
        "List proposals waiting for approval (expired ones marked), for TABLE or every table.",
    ),
    "reject": LazyCommand(_PROPOSALS, "reject", "Reject proposal NAME with a reason."),
}
"""Each `dq rules` command: where it lives and its short help (a test keeps the two in step)."""


@click.group("rules", cls=LazyCommandsGroup, lazy_commands=RULES_COMMANDS)
def rules_group() -> None:
    """Rules as code: convert them (GX suites, Glue rulesets) and review proposed ones."""
