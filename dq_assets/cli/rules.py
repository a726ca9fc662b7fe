"""`dq rules`: the rules kept in code, converted in and out and reviewed.

Conversions: `import-gx`/`export-gx` (Great Expectations suites, `rules_gx.py`) and
`import-dqdl`/`export-dqdl` (AWS Glue rulesets, `rules_dqdl.py`). Review of proposed rules:
`pending`, `approve`, `reject` (`proposals.py`).
"""

from __future__ import annotations

import click

from dq_assets.cli.proposals import approve, pending, reject
from dq_assets.cli.rules_dqdl import export_dqdl, import_dqdl
from dq_assets.cli.rules_gx import export_gx, import_gx


@click.group("rules")
def rules_group() -> None:
    """Rules as code: convert them (GX suites, Glue rulesets) and review proposed ones."""


for command in (import_gx, export_gx, import_dqdl, export_dqdl, pending, approve, reject):
    rules_group.add_command(command)
