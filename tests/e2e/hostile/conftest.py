"""Fixtures the hostile tests share: a source that never answers, and a model that answers as scripted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_anthropic import FakeAnthropic
from tests.silent_server import SilentServer


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers a byte."""
    with SilentServer() as server:
        yield server


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    """A local server speaking the Messages API, answering what the test scripts."""
    server = FakeAnthropic().start()
    yield server
    server.stop()
