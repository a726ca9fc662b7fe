"""Scratch dg projects in a temporary folder, driven by this virtualenv's real `dg`.

A user's project is a folder with a pyproject.toml holding `[tool.dg]` and its own package with a
`defs/` folder. It need not be installed: `dg` loads the code location as a python module from
the project's root (the working directory of the workspace it writes), with the Python that runs
`dg` itself, where dq is installed and registered through its entry point. Nothing is downloaded.
Every run gets a DAGSTER_HOME of its own, with telemetry off.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

DG = Path(sys.executable).parent / "dg"
DG_TIMEOUT_SECONDS = 300

PYPROJECT = """\
[project]
name = "{package}"
version = "0.0.1"
requires-python = ">=3.11"

[tool.dg]
directory_type = "project"

[tool.dg.project]
root_module = "{package}"

[tool.dg.cli.telemetry]
enabled = false
"""

DEFINITIONS = '''\
"""The project's code location: its defs folder, merged with Definitions of its own."""

from pathlib import Path

import dagster as dg

{imports}


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        {own},
    )
'''


@dataclass(frozen=True)
class DgProject:
    """One scratch project: its root, its package, and the DAGSTER_HOME its runs record into."""

    root: Path
    package: str
    home: Path

    @property
    def defs(self) -> Path:
        return self.root / self.package / "defs"

    def write(self, relative: str, text: str) -> Path:
        """Write a file of the project (dedented), creating its folders."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def dg(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`dg ARGS` in the project's root; returns the finished process (exit code unchecked)."""
        environment = {
            key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "DAGSTER_HOME")
        }
        environment.update({"DAGSTER_HOME": str(self.home), "NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
        return subprocess.run(
            [str(DG), *args],
            cwd=self.root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=DG_TIMEOUT_SECONDS,
            check=False,
        )


def new_project(
    folder: Path, package: str, *, definitions_imports: str = "", own_definitions: str = "dg.Definitions()"
) -> DgProject:
    """An empty dg project: pyproject, package, defs folder, and a definitions.py that merges `own`."""
    root = folder / package
    home = folder / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    project = DgProject(root=root, package=package, home=home)
    project.write("pyproject.toml", PYPROJECT.format(package=package))
    project.write(f"{package}/__init__.py", "")
    project.write(f"{package}/defs/__init__.py", "")
    definitions = DEFINITIONS.format(imports=definitions_imports, own=own_definitions)
    (root / package / "definitions.py").write_text(definitions, encoding="utf-8")
    return project


def dg_at_repository_root(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`dg ARGS` at the repository root: the demo project (dq_demo)."""
    from tests.conftest import REPO_ROOT

    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    environment = {key: value for key, value in os.environ.items() if key != "DAGSTER_HOME"}
    environment.update(
        {"DAGSTER_HOME": str(home), "VIRTUAL_ENV": str(DG.parent.parent), "NO_COLOR": "1", "COLUMNS": "200"}
    )
    return subprocess.run(
        [str(DG), *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=DG_TIMEOUT_SECONDS,
        check=False,
    )
