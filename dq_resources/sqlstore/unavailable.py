"""Opening a store of dq's own (alerts, results), and the one error for one that cannot be used.

Its message is one line: which store, its URL with the password hidden, and the cause as the
database or the file system gave it, without SQLAlchemy's statement dump and help link.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from dq_resources.sqlstore.engine import connect_engine


class StoreUnavailable(Exception):
    """A store cannot be opened, read or written; the message names the store and the cause."""


def store_unavailable(what: str, url: str | URL, error: BaseException) -> StoreUnavailable:
    """`alert store sqlite:///x/alerts.db: cannot be used: Not a directory: x` from any failure."""
    return StoreUnavailable(f"{what} {safe_url(url)}: cannot be used: {cause_of(error)}")


def open_store(what: str, url: str, upgrade: Callable[[Engine], None]) -> Engine:
    """An engine on the store at `url`, its schema brought up to date by `upgrade`.

    Whatever stops it (a folder that cannot be created, a database that does not exist, a
    refused login) is a StoreUnavailable naming the store, with the password hidden.
    """
    engine = None
    try:
        engine = connect_engine(url)
        upgrade(engine)
    except Exception as error:  # the store is a boundary: any failure means it is unusable
        if engine is not None:
            engine.dispose()
        raise store_unavailable(what, url, error) from error
    return engine


def safe_url(url: str | URL) -> str:
    """The URL with its password replaced by `***`; an unparsable one is not shown at all."""
    try:
        return (url if isinstance(url, URL) else make_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "<an unparsable URL>"


def cause_of(error: BaseException) -> str:
    """The first line of what went wrong, as the driver or the operating system said it."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        text = str(error.orig)
    elif isinstance(error, SQLAlchemyError):
        text = str(error).split("(Background on this error")[0]
    elif isinstance(error, FileExistsError) and error.filename:
        text = f"{error.filename} exists and is not a folder"  # creating a sqlite file's folder
    elif isinstance(error, OSError) and error.strerror:
        text = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    else:
        text = f"{type(error).__name__}: {error}"
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
