"""Where an Iceberg catalog's configuration is found, with its relative paths read from that file.

pyiceberg reads one `.pyiceberg.yaml`: the first of `$PYICEBERG_HOME`, the home folder and the
working directory that holds one, then the `PYICEBERG_CATALOG__*` variables over it. So a
project's catalogs were found only when `dq` ran from the project's root (or with
`PYICEBERG_HOME` set), and every table errored from any other folder.

The lookup here keeps pyiceberg's own first: when it names the catalog, that configuration is
used. When it does not, the catalog is looked for in the `.pyiceberg.yaml` of the definitions'
folder and of each folder above it up to the project's root (the first folder holding
`pyproject.toml` or `.git`), nearest first, so `dq run --config <project>/defs` finds the
project's catalogs from any folder.

A relative path a file gives (a sqlite `uri:`, a local `warehouse:`) is read from that file's
folder, as a definition's paths are read from the definition's: the demo's
`sqlite:///.dq/warehouse/catalog.db` means the same database wherever dq runs. Values from the
environment are left as given.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dq_checks.config.paths import project_root
from dq_checks.config.relative_paths import is_local_relative

CONFIG_FILE = ".pyiceberg.yaml"
SQLITE_PREFIX = "sqlite:///"


@dataclass(frozen=True)
class FoundCatalog:
    """A catalog's properties (empty when nothing names it), their file, and the files looked in."""

    name: str
    properties: dict[str, Any]
    origin: Path | None
    """The file whose catalog entry was used; None when the environment alone names it, or nothing does."""
    looked_in: tuple[Path, ...]
    """Every configuration file looked at, in the order of precedence."""
    project_root: Path | None

    @property
    def configured(self) -> bool:
        """Whether any file or variable names the catalog."""
        return bool(self.properties)

    def shown(self, path: Path) -> str:
        """`path` for messages: relative to the project's root, else to the home folder (`~/`), else whole."""
        for base, prefix in ((self.project_root, ""), (Path.home(), "~/")):
            if base is not None and path.is_relative_to(base):
                return prefix + str(path.relative_to(base))
        return str(path)

    def not_configured(self) -> str:
        """Why the catalog cannot be loaded: every file looked in (absent ones said so), and the variables."""
        files = ", ".join(
            self.shown(path) if path.is_file() else f"{self.shown(path)} (absent)" for path in self.looked_in
        )
        return (
            f"iceberg catalog {self.name!r} is not configured: no catalog {self.name!r} in {files}, "
            f"and no PYICEBERG_CATALOG__{self.name.upper()}__URI (or other PYICEBERG_CATALOG__"
            f"{self.name.upper()}__*) variable"
        )


def find_catalog(name: str, definitions: Path | None = None) -> FoundCatalog:
    """Catalog `name` as pyiceberg's own lookup configures it, else as the project's `.pyiceberg.yaml` does.

    `definitions` is the folder of the definition naming the catalog (None: pyiceberg's lookup alone).
    A `.pyiceberg.yaml` that is not valid YAML raises ValueError naming it.
    """
    from pyiceberg.utils.config import Config

    root = project_root(definitions) if definitions is not None else None
    own = pyiceberg_files()
    read = next((path for path in own if path.is_file()), None)
    project = [path for path in project_files(definitions) if path not in own] if definitions else []
    looked_in = (*own, *project)
    properties = dict(Config().get_catalog_config(name) or {})
    if properties:
        written = _catalog_in(read, name) if read is not None else {}
        if read is None or not written:  # the environment alone names it
            return FoundCatalog(name, properties, None, looked_in, root)
        return FoundCatalog(name, _from_file_folder(properties, written, read.parent), read, looked_in, root)
    for path in project:
        entry = _catalog_in(path, name) if path.is_file() else {}
        if entry:
            return FoundCatalog(name, _from_file_folder(entry, entry, path.parent), path, looked_in, root)
    return FoundCatalog(name, {}, None, looked_in, root)


def pyiceberg_files() -> tuple[Path, ...]:
    """The files pyiceberg's own lookup tries, in order, up to the first that exists (it reads only that)."""
    folders = [os.environ.get("PYICEBERG_HOME"), os.path.expanduser("~"), os.getcwd()]
    files: list[Path] = []
    for folder in folders:
        if not folder:
            continue
        path = Path(folder).resolve() / CONFIG_FILE
        if path not in files:
            files.append(path)
        if path.is_file():
            break
    return tuple(files)


def project_files(folder: Path) -> tuple[Path, ...]:
    """`.pyiceberg.yaml` in `folder` and each folder above it up to the project's root, nearest first.

    Outside any project, `folder`'s own alone: a walk to the filesystem's root would read whatever
    configuration happens to lie above an installed package.
    """
    root = project_root(folder)
    folders: list[Path] = []
    for candidate in _self_and_parents(folder):
        folders.append(candidate)
        if root is None or candidate == root:
            break
    return tuple(candidate / CONFIG_FILE for candidate in folders)


def _self_and_parents(folder: Path) -> Iterable[Path]:
    resolved = folder.resolve()
    return (resolved, *resolved.parents)


def _catalog_in(path: Path, name: str) -> dict[str, Any]:
    """Catalog `name`'s entry in the `.pyiceberg.yaml` at `path`, names lowercased as pyiceberg does."""
    import strictyaml

    try:
        data = strictyaml.load(path.read_text(encoding="utf-8")).data
    except (OSError, UnicodeDecodeError, strictyaml.YAMLError) as error:
        raise ValueError(f"cannot read {path}: {error}") from error
    catalogs = data.get("catalog") if isinstance(data, dict) else None
    if not isinstance(catalogs, dict):
        return {}
    entry = {str(key).lower(): value for key, value in catalogs.items()}.get(name.lower())
    return {str(key).lower(): value for key, value in entry.items()} if isinstance(entry, dict) else {}


def _from_file_folder(properties: dict[str, Any], written: dict[str, Any], folder: Path) -> dict[str, Any]:
    """`properties` with the relative paths the file wrote (`written`) read from the file's `folder`.

    A value the environment replaced is not the file's, and is kept as given.
    """
    anchored = dict(properties)
    uri = properties.get("uri")
    if isinstance(uri, str) and uri == written.get("uri") and uri.startswith(SQLITE_PREFIX):
        database, separator, query = uri.removeprefix(SQLITE_PREFIX).partition("?")
        if is_local_relative(database):
            anchored["uri"] = f"{SQLITE_PREFIX}{(folder / database).resolve()}{separator}{query}"
    warehouse = properties.get("warehouse")
    if isinstance(warehouse, str) and warehouse == written.get("warehouse") and is_local_relative(warehouse):
        anchored["warehouse"] = str((folder / warehouse).resolve())
    return anchored


def sqlite_database(properties: dict[str, Any]) -> Path | None:
    """The sqlite file a sql catalog's `uri` names (None for another database or an in-memory one)."""
    uri = properties.get("uri")
    if not isinstance(uri, str) or not uri.startswith(SQLITE_PREFIX):
        return None
    database = uri.removeprefix(SQLITE_PREFIX).partition("?")[0]
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser()
