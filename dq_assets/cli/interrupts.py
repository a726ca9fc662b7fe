"""Stop a CLI command on SIGTERM or SIGINT within seconds, even while a driver call ignores signals.

Python runs signal handlers on the main thread only, between bytecodes: a table stuck inside a
driver's C call (a socket read that never returns) would never see one, and its process would
neither stop nor say what had finished. So the work runs on a worker thread, one item after the
other, and the main thread only waits for it and for a signal. On a signal it stops waiting,
keeps what finished and lets the caller report the rest as interrupted. A worker thread cannot
be killed: if the process is still alive `EXIT_GRACE_SECONDS` after the signal (its interpreter
waiting at exit for a thread a driver holds), it flushes its output and ends with exit code 2.
A second signal ends it at once.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_GRACE_SECONDS = 10.0
INTERRUPTED_EXIT_CODE = 2
WAIT_STEP_SECONDS = 0.1


@dataclass(frozen=True)
class Progress(Generic[Result]):
    """What finished, in order, and the signal that stopped the rest (None when nothing was stopped)."""

    finished: list[Result]
    interrupted_by: str | None = None


class _Worker(Generic[Item, Result]):
    """Runs `work` over the items on its own thread until done or told to stop."""

    def __init__(self, items: Sequence[Item], work: Callable[[Item], Result]) -> None:
        self._items = items
        self._work = work
        self._lock = threading.Lock()
        self._finished: list[Result] = []
        self._closed = False
        self.error: BaseException | None = None
        context = contextvars.copy_context()  # the caller's context variables, as if it ran the items
        self.thread = threading.Thread(target=context.run, args=(self._run,), name="dq-cli-work", daemon=True)

    def _run(self) -> None:
        try:
            for item in self._items:
                with self._lock:
                    if self._closed:
                        return
                result = self._work(item)
                with self._lock:
                    if self._closed:  # finished after the signal: already reported as interrupted
                        return
                    self._finished.append(result)
        except BaseException as error:  # handed to the main thread, which raises it
            self.error = error

    def close(self) -> list[Result]:
        """Stop taking results, and the ones taken so far."""
        with self._lock:
            self._closed = True
            return list(self._finished)


def run_interruptibly(
    items: Sequence[Item],
    work: Callable[[Item], Result],
    on_interrupt: Callable[[str], None] | None = None,
) -> Progress[Result]:
    """`work(item)` for each item in order, stoppable by SIGTERM or SIGINT.

    On a signal, `on_interrupt(signal name)` runs (best effort: its failure is printed, never
    raised) and the results so far come back with the signal's name. Off the main thread, where
    no signal handler can be installed, the items simply run in turn.
    """
    if threading.current_thread() is not threading.main_thread():
        return Progress([work(item) for item in items])
    worker: _Worker[Item, Result] = _Worker(items, work)
    received: list[str] = []

    def remember(signum: int, _frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, remember) for signum in STOP_SIGNALS}
    worker.thread.start()
    try:
        while worker.thread.is_alive() and not received:
            worker.thread.join(WAIT_STEP_SECONDS)
    finally:
        if not received:
            for signum, handler in previous.items():
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)
    if not received:
        if worker.error is not None:
            raise worker.error
        return Progress(worker.close())
    return _interrupted(worker, received[0], on_interrupt)


def _interrupted(
    worker: _Worker[Any, Result], name: str, on_interrupt: Callable[[str], None] | None
) -> Progress[Result]:
    for signum in STOP_SIGNALS:
        signal.signal(signum, _exit_now)
    _arm_exit_watchdog(EXIT_GRACE_SECONDS)
    finished = worker.close()
    if on_interrupt is not None:
        try:
            on_interrupt(name)
        except Exception as error:  # stopping must not wait on, or fail with, the bookkeeping
            print(f"while stopping after {name}: {type(error).__name__}: {error}", file=sys.stderr)
    return Progress(finished, interrupted_by=name)


def _exit_now(_signum: int, _frame: FrameType | None) -> None:
    """A second signal: the user insists; flush what was printed and end."""
    _flush_and_exit()


def _arm_exit_watchdog(grace_seconds: float) -> None:
    """End the process `grace_seconds` from now if it has not ended by itself."""
    timer = threading.Timer(grace_seconds, _flush_and_exit)
    timer.daemon = True
    timer.name = "dq-exit-watchdog"
    timer.start()


def _flush_and_exit() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken pipe: nothing more can be said
            stream.flush()
    os._exit(INTERRUPTED_EXIT_CODE)
