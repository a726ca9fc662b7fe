"""Google API failures as one SourceError naming the table, with what the user can act on.

Credentials' own text (a key file's contents, a token) never reaches a message: the cause of an
authentication failure is its kind and Google's short reason only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dq_checks.error_text import first_line
from dq_checks.rules.engine_errors import engine_error_text
from dq_resources.source_contract.errors import SourceError, source_error

CREDENTIALS_HINT = "check Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS or gcloud auth)"


def failure(
    name: str,
    what: str,
    error: BaseException,
    *,
    maximum_bytes_billed: int | None = None,
    hide_values: bool = False,
) -> SourceError:
    """One SourceError for a failed call: credentials, a missing table, the bytes guard, a bad statement.

    `hide_values`: the call ran a statement over the data, whose refusal may quote a value of it;
    quoted values are hidden as the sql source hides them (`without_values`).
    """
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth

    if isinstance(error, SourceError):
        return error
    if isinstance(error, auth.DefaultCredentialsError):
        return source_error(name, "no credentials", f"{type(error).__name__}; {CREDENTIALS_HINT}")
    if isinstance(error, auth.RefreshError):
        reason = error.args[0] if error.args and isinstance(error.args[0], str) else "refused"
        return source_error(name, "cannot authenticate", f"{_short(reason)}; {CREDENTIALS_HINT}")
    if isinstance(error, api.Unauthorized):
        return source_error(name, "cannot authenticate", f"401 {_reason(error)}; {CREDENTIALS_HINT}")
    if isinstance(error, api.Forbidden) and _reason(error) == "accessDenied":
        return source_error(name, "access denied", first_line(error))
    if isinstance(error, api.NotFound):
        return source_error(name, "table not found", first_line(error))
    if _reason(error) == "bytesBilledLimitExceeded":
        limit = f"{maximum_bytes_billed:,} bytes" if maximum_bytes_billed is not None else "the limit"
        return source_error(
            name, f"the query would bill more than maximum_bytes_billed ({limit}); not run", first_line(error)
        )
    cause = engine_error_text(error) if hide_values else first_line(error)
    return source_error(name, what, cause) if what else source_error(name, cause)


@contextmanager
def google_errors(name: str, what: str) -> Iterator[None]:
    """Turn any Google client failure inside the block into one SourceError."""
    try:
        yield
    except SourceError:
        raise
    except Exception as error:
        raise failure(name, what, error) from None


def _reason(error: BaseException) -> str | None:
    errors = getattr(error, "errors", None) or []
    for item in errors:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return None


def _short(text: str) -> str:
    """Google's short reason (`invalid_grant: Invalid JWT Signature.`), never a response body."""
    return text.split("\n", 1)[0][:200]
