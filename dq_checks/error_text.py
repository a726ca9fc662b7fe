"""An error's message as the one line a person reads: the engine's, a driver's, a parser's."""

from __future__ import annotations


def first_line(error: BaseException) -> str:
    """The first line of the error's message, stripped; its type's name when the message is empty.

    Engines and drivers put the cause on the first line and a caret, a query or a hint on the
    next ones, which an outcome, a log line or a CLI message does not need. An exception raised
    with no message still names what went wrong by its type.
    """
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__
