"""Fault injection for crash-safety tests, as Dagster's own daemon has (`debug_crash_flags`).

With `DQ_DEBUG_CRASH_AT=<feed>:<point>` in its environment (e.g. `checks:after_persist`), the
process kills itself (SIGKILL: no cleanup, no finally blocks) when that feed's tick reaches that
point. Unset, a point costs one lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "DQ_DEBUG_CRASH_AT"
CRASH_POINTS = ("after_persist", "after_deliver")


def crash_point(feed: str, point: str) -> None:
    """Die here when the environment asks for it."""
    if os.environ.get(CRASH_ENV) == f"{feed}:{point}":
        os.kill(os.getpid(), signal.SIGKILL)
