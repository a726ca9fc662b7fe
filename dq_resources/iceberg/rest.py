"""A REST catalog whose every HTTP request has a timeout.

pyiceberg's REST catalog sends its requests through a `requests` session without a timeout
(pyiceberg 0.12 has no property for one), so a catalog server that accepts the connection and
never answers held the first request, made while the catalog is still being built, forever.
"""

from __future__ import annotations

from typing import Any

from pyiceberg.catalog.rest import RestCatalog
from requests import Response, Session


class BoundedRestCatalog(RestCatalog):
    """pyiceberg's RestCatalog, with `request_timeout` seconds to connect and for each answer."""

    def __init__(self, name: str, *, request_timeout: float, **properties: Any) -> None:
        # Set before the parent's constructor: it fetches the server's config with a first session.
        self._request_timeout = request_timeout
        super().__init__(name, **properties)

    def _create_session(self) -> Session:
        session = super()._create_session()
        bound_requests(session, self._request_timeout)
        return session


def bound_requests(session: Session, timeout: float) -> None:
    """Give every request of `session` that sets no timeout of its own this one (connect and read)."""
    send = session.request

    def request(method: str | bytes, url: str | bytes, **kwargs: Any) -> Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (timeout, timeout)
        return send(method, url, **kwargs)

    session.request = request  # type: ignore[method-assign]
