"""`dq` in a process of its own that writes down, at exit, every module it imported.

Shared by the tests that hold commands to what they import (never to how long they took).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

# The exit callback is registered before the command's own, so it sees everything the command
# imported. With no arguments the process imports the CLI and stops there.
RECORDING_DQ = """
import atexit, gc, json, os, sys

def record():
    with open(os.environ["DQ_TEST_MODULES_OUT"], "w", encoding="utf-8") as out:
        json.dump({"modules": sorted(sys.modules), "gc_threshold": gc.get_threshold()}, out)

atexit.register(record)
from dq_assets.cli.main import cli
if len(sys.argv) > 1:
    cli()
"""


def run_dq(
    *args: str, out: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """`dq ARGS` (none: only the import); its result, and what it recorded (`modules`, `gc_threshold`)."""
    out.unlink(missing_ok=True)  # a record left by an earlier run must not pass for this one's
    done = subprocess.run(
        [sys.executable, "-c", RECORDING_DQ, *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {}), "DQ_TEST_MODULES_OUT": str(out)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.exists(), done.stderr
    return done, json.loads(out.read_text(encoding="utf-8"))


def packages(recorded: dict) -> set[str]:
    """The top-level packages among the recorded modules."""
    return {name.split(".")[0] for name in recorded["modules"]}
