"""A real TCP server on 127.0.0.1 that accepts every connection and never answers.

The stand-in for a source that hangs: a catalog, an S3 endpoint or a database whose host is up
but whose service is stuck. Connections are held open (never closed, never read) until `stop()`.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType


class SilentServer:
    """Accepts connections on a free port and holds them, silent; counts them."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        # accept() wakes up this often to see `stop()`: closing a listener does not wake an accept()
        # blocked in another thread, and would leave the port accepting until the next connection.
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent-server", daemon=True)

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return len(self._held)

    def wait_for_connections(self, count: int, timeout: float) -> bool:
        """Whether `count` connections arrived within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connections >= count:
                return True
            time.sleep(0.05)
        return self.connections >= count

    def start(self) -> SilentServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close the listener, then every held connection."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for held in self._held:
                held.close()
            self._held.clear()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:  # no connection yet: look at `stop()` again
                continue
            except OSError:  # the listener was closed
                return
            with self._lock:
                self._held.append(connection)

    def __enter__(self) -> SilentServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
