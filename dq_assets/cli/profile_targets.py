"""What `dq profile` and its `--baseline` name: a file, or a monitored table (at an earlier snapshot).

* a local path that exists, or a URL (`s3://...`): a file, read with the command's CSV options;
* `NAME`: the monitored table of that name in the definitions folder, opened through its source;
* `NAME@123456789`: that Iceberg table at snapshot 123456789; `NAME@2026-11-01T00:00:00Z`: at the
  snapshot current at that moment (Iceberg time travel).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dq_checks.config.loader import DefinedTable
from dq_checks.suggestions import unknown_table
from dq_resources.source_contract import OpenedTable, SourceError


@dataclass(frozen=True)
class ProfileTarget:
    """A file or a monitored table, and how to open it."""

    label: str
    open: Callable[[], OpenedTable]
    defined: DefinedTable | None = None
    """The monitored table's definition, when the target is one."""


def is_file(argument: str) -> bool:
    """A URL, or a local path that exists."""
    return "://" in argument or Path(argument).exists()


def table_target(
    argument: str, tables: Mapping[str, DefinedTable], resources: Mapping[str, Any]
) -> ProfileTarget | str:
    """The monitored table `NAME[@snapshot or moment]`, or why `argument` names none."""
    from dq_assets.source_resources import open_table, source_resource_key

    name, _, pin = argument.partition("@")
    defined = tables.get(name)
    if defined is None and ("/" in argument or Path(argument).suffix):
        return f"{argument}: no such file"
    if defined is None:
        return f"{argument}: no such file, and {unknown_table(name, tables)}"
    resource = resources[source_resource_key(defined.spec.source)]

    def opened() -> OpenedTable:
        table = open_table(resource, defined.spec.source)
        return table if not pin else travelled(table, pin)

    label = f"{name} at {_pin_label(pin)}" if pin else name
    return ProfileTarget(label, opened, defined)


def travelled(table: OpenedTable, pin: str) -> OpenedTable:
    """`table` at snapshot `pin` (digits) or as of the moment `pin` (ISO 8601 with a zone)."""
    if pin.isdigit():
        method, argument = "at_snapshot", int(pin)
    else:
        moment = _moment(pin)
        if moment is None:
            raise SourceError(
                f"{pin!r} is neither a snapshot id nor a moment with a time zone (e.g. 2026-11-01T00:00:00Z)"
            )
        method, argument = "as_of", moment
    pinned = getattr(table, method, None)
    if pinned is None:
        raise SourceError(f"{getattr(table, 'name', pin)}: only an Iceberg table can be read at a snapshot")
    return pinned(argument)


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _pin_label(pin: str) -> str:
    return f"snapshot {pin}" if pin.isdigit() else f"the snapshot as of {pin}"
