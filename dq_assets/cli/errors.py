"""The last line of defence of every `dq` command: an unexpected exception is one line and exit 2.

Exit codes mean one thing each across the CLI: 0 everything passed, 1 a check failed, 2 bad input
or an error outcome. Commands report the errors they expect with their own messages; anything
else that escapes becomes `error: <type>: <first line>` on stderr and exit 2, never a traceback
(which `DQ_DEBUG=1` brings back). Ctrl-C and SIGTERM are not caught here.
"""

from __future__ import annotations

import os
import re
from typing import Any

import click

from dq_assets.cli.process import ShortProcessGroup

DEBUG_ENV = "DQ_DEBUG"
EXIT_ERROR = 2
MAX_CHARS = 400
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^:/@\s]*:)[^@\s]+@")


def one_line(error: BaseException) -> str:
    """`ValueError: the message`, its lines joined by `; `, cut to MAX_CHARS, URL passwords hidden."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = f"{type(error).__name__}: {'; '.join(lines)}" if lines else type(error).__name__
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


class ErrorsAsOneLine(ShortProcessGroup):
    """A click group whose commands never end in a traceback, unless `DQ_DEBUG=1`.

    Run as a process of its own, it is tuned as a short one (`dq_assets.cli.process`).
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an exception it did not expect becomes one line and exit 2."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors and deliberate exits keep their own message and code
        except Exception as error:
            if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
                raise
            click.echo(f"error: {one_line(error)} (set {DEBUG_ENV}=1 for the traceback)", err=True)
            ctx.exit(EXIT_ERROR)
