"""uvicorn's h11 protocol with two guards it lacks: a request-head timeout and problem+json 400/431.

Why hand-written (uvicorn 0.54 has no option for either):
- uvicorn arms its keep-alive timer only after a response; a connection that
  sends half a request head (slowloris), or nothing at all, is held forever.
  `GuardedH11Protocol` closes a connection whose request head is not complete
  `request_head_timeout` seconds after the connection opened or the previous
  response ended (the deadline is not pushed back by trickled bytes).
- uvicorn answers a malformed or oversized head with a text/plain 400; h11 knows
  an oversized head is a 431 (`error_status_hint`), uvicorn drops that. Here both
  are answered as problem+json with `Connection: close`.

h11, not httptools: h11 enforces the head size limit (`h11_max_incomplete_event_size`,
i.e. `MAX_REQUEST_HEADER_BYTES`); httptools accepts a 100 kB header.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from slipway_chassis.problems import PROBLEM_JSON, problem_body


class GuardedH11Protocol(H11Protocol):
    """H11Protocol + request-head timeout + problem+json protocol errors."""

    # Set by `protocol_class`; a class attribute because uvicorn instantiates the class.
    request_head_timeout: float = 10.0

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._head_timer: asyncio.TimerHandle | None = None
        self._idle_since = self.loop.time()
        self._error_status = 400
        next_event = self.conn.next_event

        # uvicorn catches RemoteProtocolError and forgets its status hint; keep it.
        def next_event_keeping_hint() -> Any:
            try:
                return next_event()
            except h11.RemoteProtocolError as exc:
                self._error_status = exc.error_status_hint
                raise

        self.conn.next_event = next_event_keeping_hint  # type: ignore[method-assign]

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.request_head_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _waiting_for_head(self) -> bool:
        return self.conn.their_state is h11.IDLE and (
            self.cycle is None or self.cycle.response_complete
        )

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()

    def close_if_idle(self, min_idle_seconds: float) -> None:
        """Close the connection if it has waited `min_idle_seconds` for a request, none buffered.

        Shutdown calls it; a connection idle for a while is unlikely to be written to
        at this very instant (closing one a client is writing into loses the request).
        """
        if (
            self.loop.time() - self._idle_since >= min_idle_seconds
            and self._waiting_for_head()
            and not self.conn.trailing_data[0]
            and not self.transport.is_closing()
        ):
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            self._disarm_head_timer()
        elif self._waiting_for_head():
            # Bytes of a head arrived (uvicorn just cancelled its keep-alive timer).
            self._arm_head_timer()
        else:
            self._disarm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._idle_since = self.loop.time()
        # Idle time is uvicorn's keep-alive timer's; a new head gets its own deadline
        # when its first bytes arrive (data_received).
        self._disarm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        status = self._error_status if self._error_status in (400, 431) else 400
        detail = "request headers too large" if status == 431 else "malformed HTTP request"
        body = problem_body(status, detail)
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        reason = b"Request Header Fields Too Large" if status == 431 else b"Bad Request"
        for event in (
            h11.Response(status_code=status, headers=headers, reason=reason),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


def protocol_class(request_head_timeout: float) -> type[GuardedH11Protocol]:
    """A `GuardedH11Protocol` subclass with this head timeout (uvicorn's `http=`)."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"request_head_timeout": request_head_timeout},
    )
