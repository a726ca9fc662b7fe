"""A real HTTP server on 127.0.0.1 that speaks the Anthropic Messages API (`POST /v1/messages`).

It records every request (path, headers, JSON body) and answers from a queue of scripted replies:
a tool_use message, a plain text message, a status error, raw bytes of any content type, or a
delay longer than the client's timeout. When the queue is empty the last reply is repeated, so
"529 on every attempt" is one reply.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ids = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    """One scripted answer: `status` and JSON `body`, sent after `delay` seconds."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """Sent as is instead of `body`, with `content_type`: what a proxy's login page would send."""
    content_type: str = "application/json"


def message(content: list[dict[str, Any]], *, stop_reason: str, model: str, usage: dict[str, int]) -> Reply:
    """A Messages API response with `content` blocks."""
    return Reply(
        body={
            "id": f"msg_fake{next(_ids):04d}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }
    )


def tool_use_reply(
    tool_input: Any,
    *,
    name: str = "propose_rules",
    model: str = "claude-sonnet-5-5",
    input_tokens: int = 100,
    output_tokens: int = 50,
    cache_read_input_tokens: int | None = None,
) -> Reply:
    """The model calls the tool `name` with `tool_input` (which may be deliberately malformed)."""
    usage: dict[str, int] = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    if cache_read_input_tokens is not None:
        usage["cache_read_input_tokens"] = cache_read_input_tokens
    block = {"type": "tool_use", "id": f"toolu_fake{next(_ids):04d}", "name": name, "input": tool_input}
    return message([block], stop_reason="tool_use", model=model, usage=usage)


def text_reply(text: str, *, model: str = "claude-sonnet-5-5") -> Reply:
    """The model answers in prose, without calling any tool."""
    return message(
        [{"type": "text", "text": text}],
        stop_reason="end_turn",
        model=model,
        usage={"input_tokens": 10, "output_tokens": 5},
    )


def error_reply(status: int, error_type: str, text: str) -> Reply:
    """An API error; `retry-after-ms` keeps the SDK's retries fast in tests."""
    return Reply(
        status=status,
        body={"type": "error", "error": {"type": error_type, "message": text}},
        headers={"retry-after-ms": "10"},
    )


def overloaded_reply() -> Reply:
    """529 overloaded, as the API sends it."""
    return error_reply(529, "overloaded_error", "Overloaded")


def raw_reply(raw: bytes, content_type: str) -> Reply:
    """HTTP 200 with any bytes: an HTML page, random binary, JSON of another shape."""
    return Reply(status=200, raw=raw, content_type=content_type)


def slow_reply(seconds: float) -> Reply:
    """Answers only after `seconds`: longer than the client's timeout, so it never arrives."""
    return Reply(status=200, body={}, delay=seconds)


@dataclass
class Request:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class FakeAnthropic:
    """The server. Queue replies with `script(...)`; read `requests` afterwards."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> FakeAnthropic:
        """Append replies to the queue."""
        with self._lock:
            self.replies.extend(replies)
        return self

    def bodies(self) -> list[Any]:
        """The JSON body of every request so far."""
        with self._lock:
            return [r.json() for r in self.requests]

    def _next_reply(self) -> Reply:
        with self._lock:
            if not self.replies:
                return error_reply(500, "api_error", "the fake has no scripted reply")
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def start(self) -> FakeAnthropic:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                with fake._lock:
                    fake.requests.append(Request(self.path, dict(self.headers.items()), raw))
                if self.path.split("?")[0] != "/v1/messages":
                    reply = error_reply(404, "not_found_error", f"no route {self.path}")
                else:
                    reply = fake._next_reply()
                if reply.delay and fake._stopping.wait(reply.delay):
                    return
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("request-id", f"req_fake{next(_ids):04d}")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timed out) before the answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
