"""`{env: NAME}` values in a dagster.yaml: find every one, and resolve them the way Dagster does.

Dagster resolves such a value only when it builds the part of the instance that reads it, and
stops at the first unset variable. The doctor wants every unset variable at once, named with the
place in the file that needs it, so it walks the document itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EnvRef:
    """One `{env: NAME}` in the file, and where: a dotted path such as `storage.postgres.postgres_db.port`."""

    where: str
    name: str

    @property
    def is_set(self) -> bool:
        """Dagster accepts an empty value (trust auth has an empty password); only an absent one fails."""
        return self.name in os.environ


class MissingEnv(Exception):
    """A value names an environment variable that is not set."""

    def __init__(self, ref: EnvRef) -> None:
        self.ref = ref
        super().__init__(f"environment variable {ref.name} ({ref.where}) is not set")


def env_name(node: Any) -> str | None:
    """The variable's name when `node` is exactly `{env: NAME}`, else None."""
    if isinstance(node, Mapping) and len(node) == 1 and isinstance(node.get("env"), str):
        return str(node["env"])
    return None


def env_refs(node: Any, where: str = "") -> list[EnvRef]:
    """Every `{env: NAME}` under `node`, in document order."""
    name = env_name(node)
    if name is not None:
        return [EnvRef(where, name)]
    found: list[EnvRef] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            found += env_refs(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, Sequence) and not isinstance(node, str | bytes):
        for index, value in enumerate(node):
            found += env_refs(value, f"{where}[{index}]")
    return found


def unset(node: Any, where: str = "") -> list[EnvRef]:
    """The `{env: NAME}` values under `node` whose variable is not set, each name once."""
    seen: set[str] = set()
    missing: list[EnvRef] = []
    for ref in env_refs(node, where):
        if not ref.is_set and ref.name not in seen:
            seen.add(ref.name)
            missing.append(ref)
    return missing


def resolve(node: Any, where: str = "") -> Any:
    """`node` with every `{env: NAME}` replaced by the variable's value; MissingEnv for an unset one."""
    name = env_name(node)
    if name is not None:
        value = os.environ.get(name)
        if value is None:
            raise MissingEnv(EnvRef(where, name))
        return value
    if isinstance(node, Mapping):
        return {key: resolve(value, f"{where}.{key}" if where else str(key)) for key, value in node.items()}
    if isinstance(node, Sequence) and not isinstance(node, str | bytes):
        return [resolve(value, f"{where}[{index}]") for index, value in enumerate(node)]
    return node


def export_hint(missing: Sequence[EnvRef]) -> str:
    """`export A=... B=...`, the shell line that fixes `missing`."""
    return "export " + " ".join(f"{ref.name}=..." for ref in missing)
