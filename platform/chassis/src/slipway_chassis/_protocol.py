"""uvicorn's httptools protocol with the guards it lacks: head timeout, head size, problem+json.

Why hand-written (uvicorn 0.54 has no option for any of these):
- uvicorn arms its keep-alive timer only after a response; a connection that
  sends half a request head (slowloris), or nothing at all, is held forever.
  `GuardedHttpToolsProtocol` closes a connection whose request head is not
  complete `request_head_timeout` seconds after the connection opened or the
  first bytes of the head arrived (trickled bytes do not push the deadline back).
- httptools (llhttp) accepts a head of any size; here the request line and the
  headers are counted as they are parsed and more than `max_head_bytes` stops
  the parser: 431, the rest never buffered.
- uvicorn answers a malformed head with a text/plain 400; here it is problem+json,
  like every other error, with `Connection: close`.

httptools, not h11: h11 (pure Python) costs about twice the CPU per request on the
benchmark's small endpoint; the guards above are what h11 gave for free.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from slipway_chassis._problems import PROBLEM_JSON, problem_body

_REASONS = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}


class HeadTooLargeError(Exception):
    """Raised from a parser callback: llhttp stops, uvicorn calls `send_400_response`."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol + request-head timeout + head size limit + problem+json errors."""

    # Set by `protocol_class`; class attributes because uvicorn instantiates the class.
    request_head_timeout: float = 10.0
    max_head_bytes: int = 16 << 10

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._head_timer: asyncio.TimerHandle | None = None
        self._awaiting_head = True  # no complete request head since the last response
        self._head_started = False  # bytes of the next head were parsed
        self._head_bytes = 0
        self._idle_since = self.loop.time()
        self._error_status = 400

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.request_head_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._awaiting_head and not self.transport.is_closing():
            self.transport.close()

    def close_if_idle(self, min_idle_seconds: float) -> None:
        """Close the connection if it has waited `min_idle_seconds` for a request, none begun.

        Shutdown calls it; a connection idle for a while is unlikely to be written to
        at this very instant (closing one a client is writing into loses the request).
        """
        if (
            self._awaiting_head
            and not self._head_started
            and self.loop.time() - self._idle_since >= min_idle_seconds
            and not self.transport.is_closing()
        ):
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing() or not self._awaiting_head:
            self._disarm_head_timer()
        else:
            # Bytes of a head arrived (uvicorn just cancelled its keep-alive timer).
            self._arm_head_timer()

    # Parser callbacks (llhttp calls them while `feed_data` runs).
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_head = True
        self._head_started = True
        self._head_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)  # "name: value\r\n"
        super().on_header(name, value)

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_head_bytes:
            self._error_status = 431
            raise HeadTooLargeError

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._head_started = False
        self._disarm_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._awaiting_head = True
        self._idle_since = self.loop.time()
        # Idle time is uvicorn's keep-alive timer's; a new head gets its own deadline
        # when its first bytes arrive (data_received).
        self._disarm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        status = self._error_status
        detail = (
            f"request head larger than {self.max_head_bytes} bytes (MAX_REQUEST_HEADER_BYTES)"
            if status == 431
            else "malformed HTTP request"
        )
        body = problem_body(status, detail)
        head = (
            b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n"
            % (status, _REASONS[status], PROBLEM_JSON.encode(), len(body))
        )
        self.transport.write(head + body)
        self.transport.close()


def protocol_class(
    request_head_timeout: float, max_head_bytes: int
) -> type[GuardedHttpToolsProtocol]:
    """A `GuardedHttpToolsProtocol` subclass with these limits (uvicorn's `http=`)."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {"request_head_timeout": request_head_timeout, "max_head_bytes": max_head_bytes},
    )
