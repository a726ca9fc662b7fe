"""The one way a source reports a failure: a SourceError whose text has its secrets redacted.

Every source builds its errors with `source_error`, so no message can carry a password, a token
or a signed URL's signature out to the event log, the CLI or an alert.
"""

from __future__ import annotations

import re


class SourceError(Exception):
    """The source could not be reached or read. The message names the source and the cause."""


_SECRET_IN_URL = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]*://)(?P<user>[^:@/\s]*):(?P<password>[^@\s]*)@", re.I
)
_SECRET_PARAMS = re.compile(
    r"(?P<key>(password|passwd|pwd|secret|token|api[_-]?key|x-amz-security-token|x-amz-signature|"
    r"aws_secret_access_key|signature)=)[^&;\s'\"]+",
    re.I,
)


def redact(text: str) -> str:
    """`text` with URL passwords and secret-looking parameters replaced by `***`.

    A parameter's value ends at `&` (a query string) or `;` (a Spark Connect or JDBC URL's
    `;token=...;user_id=...`), or at whitespace or a quote.
    """
    text = _SECRET_IN_URL.sub(r"\g<scheme>\g<user>:***@", text)
    return _SECRET_PARAMS.sub(r"\g<key>***", text)


def source_error(source: str, what: str, cause: BaseException | str | None = None) -> SourceError:
    """One SourceError: `<source>: <what>: <cause>` (`<source>: <what>` without a cause), secrets redacted."""
    text = f"{source}: {what}" if cause is None else f"{source}: {what}: {cause}"
    return SourceError(redact(text))


class StatementCancelled(Exception):
    """A statement outlived the source's `timeout_seconds` and was cancelled where it ran.

    One wording for every engine, so an alert or a search for the phrase finds them all.
    """

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds
        super().__init__(f"the statement exceeded timeout_seconds ({timeout_seconds:g} s) and was cancelled")
