"""`serve`: run an app under uvicorn with Kubernetes-friendly graceful shutdown.

On the first SIGTERM (or SIGINT):
1. readiness turns false at once (`/readyz` -> 503), the server keeps serving
   for `drain_seconds` so load balancers stop sending new requests;
2. uvicorn stops accepting, lets in-flight requests finish (bounded by what is
   left of `SHUTDOWN_GRACE_SECONDS`), runs the lifespan shutdown (flags, span
   flush), and exits;
3. a watchdog ends the process (exit code 70) if all of that overran the grace
   period, so the process is always gone within `SHUTDOWN_GRACE_SECONDS`.
A second signal forces an immediate exit (uvicorn's behaviour).

One server process per pod (scale with replicas): the OTel batch processor and
the readiness state are per process.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

import uvicorn

from slipway_chassis._health import HealthState
from slipway_chassis._logs import get_logger
from slipway_chassis._metrics import wipe_multiprocess_dir
from slipway_chassis._protocol import protocol_class
from slipway_chassis._settings import ServiceSettings

_log = get_logger("slipway_chassis._server")

# Exit code when the watchdog has to end a process that overran its grace period.
GRACE_EXCEEDED_EXIT_CODE = 70
# Seconds of the grace period kept for the lifespan shutdown after in-flight requests.
LIFESPAN_SHUTDOWN_RESERVE = 2.0
# During the drain: keep-alive connections idle this long are closed (swept this often).
IDLE_CLOSE_SECONDS = 1.0
IDLE_SWEEP_INTERVAL = 0.25


class GracefulServer(uvicorn.Server):
    """uvicorn.Server whose first SIGTERM only flips readiness, then drains."""

    def __init__(
        self, config: uvicorn.Config, health: HealthState, grace: float, drain: float
    ) -> None:
        super().__init__(config)
        self.health = health
        self.grace = grace
        self.drain = drain
        self._signalled_at: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._signalled_at is not None:
            super().handle_exit(sig, frame)  # second signal: uvicorn forces the exit
            return
        self._signalled_at = time.monotonic()
        self.health.begin_shutdown()
        self._start_watchdog()  # first: whatever happens next, the process ends in time
        # A signal handler runs inside whatever task was interrupted: log from an empty
        # context, or the line carries an unrelated request's trace_id/span_id.
        contextvars.Context().run(
            _log.info,
            "shutdown signal received: readiness is now false",
            signal=signal.Signals(sig).name,
            drain_seconds=self.drain,
            grace_seconds=self.grace,
        )
        self._close_idle_connections()
        if self.drain > 0:
            timer = threading.Timer(self.drain, self._stop_accepting, args=(sig, frame))
            timer.daemon = True
            timer.start()
        else:
            self._stop_accepting(sig, frame)

    def _close_idle_connections(self) -> None:
        # Busy connections get `Connection: close` on their next response (middleware);
        # keep-alive connections idle since before the signal would stay open until the
        # listener closes, and a client reusing one then writes into a closing socket.
        # So, during the drain, close connections idle for IDLE_CLOSE_SECONDS, re-checking.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def sweep() -> None:
            for connection in list(self.server_state.connections):
                close_if_idle = getattr(connection, "close_if_idle", None)
                if close_if_idle is not None:
                    close_if_idle(IDLE_CLOSE_SECONDS)
            if not self.should_exit:
                loop.call_later(IDLE_SWEEP_INTERVAL, sweep)

        loop.call_soon_threadsafe(sweep)  # we are in a signal handler: no direct loop work

    def _stop_accepting(self, sig: int, frame: FrameType | None) -> None:
        _log.info("draining: no new connections, waiting for in-flight requests")
        super().handle_exit(sig, frame)

    def _start_watchdog(self) -> None:
        def overran() -> None:
            # Log from yet another thread, waiting briefly: if stdout is what blocks the
            # shutdown (a stalled log pipe), the exit must not block on it as well.
            line = threading.Thread(
                target=_log.error,
                args=("grace period exceeded: exiting now",),
                kwargs={"grace_seconds": self.grace},
                daemon=True,
            )
            line.start()
            line.join(0.5)
            os._exit(GRACE_EXCEEDED_EXIT_CODE)

        watchdog = threading.Timer(self.grace, overran)
        watchdog.daemon = True
        watchdog.start()


def default_drain_seconds(grace: float) -> float:
    """A quarter of the grace period, at most 5 s: time for probes to see the 503."""
    return min(5.0, grace / 4)


def serve(
    app: Any,
    settings: ServiceSettings,
    *,
    host: str = "0.0.0.0",  # noqa: S104 - a container must listen on all interfaces
    drain_seconds: float | None = None,
    **uvicorn_kwargs: Any,
) -> None:
    """Run `app` on `HTTP_PORT` until SIGTERM; see the module docstring for the shutdown."""
    health: HealthState = getattr(app.state, "health", None) or HealthState(started=True)
    grace = float(settings.shutdown_grace_seconds)
    drain = default_drain_seconds(grace) if drain_seconds is None else drain_seconds
    if not 0 <= drain <= grace:
        raise ValueError(f"drain_seconds: must be between 0 and SHUTDOWN_GRACE_SECONDS ({grace})")
    wipe_multiprocess_dir()
    config = uvicorn.Config(
        app,
        host=host,
        port=settings.http_port,
        log_config=None,  # the chassis configured logging already (JSON)
        access_log=False,  # the chassis writes its own access line (route template)
        lifespan="on",
        # In-flight requests get what is left after the drain, minus a reserve for the
        # lifespan shutdown (flags, span flush); the watchdog caps the total at `grace`.
        timeout_graceful_shutdown=max(1, int(grace - drain - LIFESPAN_SHUTDOWN_RESERVE)),
        server_header=False,
        # Limits (README "Limits"): head size and head timeout in the protocol (httptools),
        # keep-alive timeout in uvicorn.
        http=protocol_class(
            settings.request_head_timeout_seconds, settings.max_request_header_bytes
        ),
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        **uvicorn_kwargs,
    )
    GracefulServer(config, health, grace, drain).run()
