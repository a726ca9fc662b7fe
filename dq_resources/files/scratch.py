"""A temporary folder, made on first use and removed with its owner."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path


class Scratch:
    """A folder for downloaded copies, re-encoded text and DuckDB's spill files.

    It is removed by `remove()`, or when this object is collected, or at interpreter exit.
    """

    def __init__(self, prefix: str = "dq-file-") -> None:
        self._prefix = prefix
        self._path: Path | None = None
        self._finalizer: weakref.finalize | None = None

    def directory(self) -> Path:
        """The folder, made now if it does not exist yet."""
        if self._path is None or not self._path.exists():
            self._path = Path(tempfile.mkdtemp(prefix=self._prefix))
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._path, True)
        return self._path

    def subdirectory(self, name: str) -> Path:
        """A folder inside it, made now if needed."""
        path = self.directory() / name
        path.mkdir(exist_ok=True)
        return path

    def remove(self) -> None:
        """Delete the folder and everything in it now."""
        if self._finalizer is not None:
            self._finalizer()
        self._path = None
