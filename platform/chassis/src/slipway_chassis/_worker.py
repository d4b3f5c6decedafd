"""`run_worker`: the chassis for queue consumers and other non-HTTP services.

    async def main(ctx: WorkerContext) -> None:
        while not ctx.stopping.is_set():
            ...  # take a message, handle it, ctx.record_message("orders", "acked", seconds)

    run_worker(settings, main)

The worker gets the same logging, tracing, flags and metrics as an HTTP service;
a small HTTP server on `HTTP_PORT` answers `/livez`, `/readyz`, `/startupz`
and `/metrics`. On SIGTERM readiness turns false, `ctx.stopping` is set, and
`main` has what is left of `SHUTDOWN_GRACE_SECONDS` to finish its message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette

from slipway_chassis._flags import FeatureFlags
from slipway_chassis._health import HealthCheck, HealthState
from slipway_chassis._logs import configure_logging, get_logger
from slipway_chassis._metrics import (
    QUEUE_DEPTH,
    QUEUE_MESSAGES,
    QUEUE_OLDEST_AGE,
    QUEUE_PROCESSING,
    mark_worker_dead,
    set_build_info,
)
from slipway_chassis._middleware import ChassisMiddleware, Telemetry
from slipway_chassis._settings import ServiceSettings
from slipway_chassis._tracing import configure_tracing, get_tracer, shutdown_tracing

QUEUE_OUTCOMES = frozenset({"acked", "retried", "dead_lettered"})

_log = get_logger("slipway_chassis._worker")


@dataclass
class WorkerContext:
    """What a worker's `main` gets: settings, flags, a stop signal, metric helpers."""

    settings: ServiceSettings
    flags: FeatureFlags
    health: HealthState
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    log: Any = field(default_factory=lambda: get_logger("worker"))

    @staticmethod
    def record_message(queue: str, outcome: str, seconds: float) -> None:
        """Count one processed message (`acked`, `retried`, `dead_lettered`) and its time."""
        if outcome not in QUEUE_OUTCOMES:
            raise ValueError(f"outcome: must be one of {sorted(QUEUE_OUTCOMES)}, got {outcome!r}")
        QUEUE_MESSAGES.labels(queue, outcome).inc()
        QUEUE_PROCESSING.labels(queue).observe(seconds)

    @staticmethod
    def record_backlog(queue: str, depth: int, oldest_age_seconds: float) -> None:
        """Publish the queue's depth and its oldest message's age (the backlog SLI)."""
        QUEUE_DEPTH.labels(queue).set(depth)
        QUEUE_OLDEST_AGE.labels(queue).set(oldest_age_seconds)


WorkerMain = Callable[[WorkerContext], Awaitable[None]]


def _not_found() -> Starlette:
    return Starlette()  # every path other than the probes/metrics is a 404


def create_worker_app(
    settings: ServiceSettings,
    main: WorkerMain,
    *,
    readiness_checks: Iterable[HealthCheck] = (),
) -> Starlette:
    """The worker's small ASGI app; its lifespan runs `main` as a background task."""
    configure_logging(settings)
    health = HealthState(tuple(readiness_checks))
    telemetry = Telemetry(access_log=False, expose_metrics=settings.metrics_enabled)
    flags = FeatureFlags(settings.flags_file)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> Any:
        provider = configure_tracing(settings) if settings.tracing_enabled else None
        if provider is not None:
            telemetry.tracer = get_tracer(provider)
        if settings.metrics_enabled:
            set_build_info(settings.service_name, settings.service_version, str(settings.app_env))
        flags.start()
        ctx = WorkerContext(settings=settings, flags=flags, health=health)
        task = asyncio.create_task(_run_main(main, ctx), name="worker-main")
        health.started = True
        _log.info("worker started", settings=settings.safe_dump())
        try:
            yield
        finally:
            health.begin_shutdown()
            ctx.stopping.set()
            try:
                await asyncio.wait_for(task, timeout=settings.shutdown_grace_seconds)
            except TimeoutError:
                _log.error("worker main did not stop within the grace period: cancelled")
            except Exception:  # noqa: S110 - already logged by _run_main
                pass
            flags.shutdown()
            if provider is not None:
                shutdown_tracing(provider)
            mark_worker_dead()
            _log.info("worker stopped")

    app = _not_found()
    app.router.lifespan_context = lifespan
    app.state.health = health
    app.state.flags = flags
    app.add_middleware(ChassisMiddleware, telemetry=telemetry, health=health)
    return app


async def _run_main(main: WorkerMain, ctx: WorkerContext) -> None:
    try:
        await main(ctx)
    except asyncio.CancelledError:
        raise
    except Exception:
        # A crashed consumer must not look healthy: liveness stays (restart is the
        # orchestrator's call) but readiness fails and the error is logged.
        ctx.health.begin_shutdown()
        _log.exception("worker main crashed")
        raise


def run_worker(
    settings: ServiceSettings,
    main: WorkerMain,
    *,
    readiness_checks: Iterable[HealthCheck] = (),
    host: str = "0.0.0.0",  # noqa: S104 - a container must listen on all interfaces
) -> None:
    """Run `main` with the chassis and the health/metrics server until SIGTERM."""
    from slipway_chassis._server import serve  # noqa: PLC0415 - avoid an import cycle

    app = create_worker_app(settings, main, readiness_checks=readiness_checks)
    serve(app, settings, host=host, drain_seconds=0)
