"""events-worker's application: the chassis plus this service's own parts.

Events: consumes order events, retries with backoff, dead-letters poison messages

`create_app(settings)` is what the server runs and what the tests start (with
its real lifespan and middleware), so both exercise the same code.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from slipway_chassis import HealthCheck, get_logger
from slipway_chassis import create_app as create_chassis_app

from events_worker import DESCRIPTION
from events_worker.consumer import Consumer
from events_worker.routes import router
from events_worker.settings import Settings

# Kill switch (flags/<env>.json): "off" pauses consumption, no deploy needed.
CONSUMER_FLAG = "consumer-enabled"
log = get_logger("events_worker.app")


def create_app(settings: Settings, consumer: Consumer | None = None) -> FastAPI:
    """The worker: a consumer running in the app's lifespan, plus health/metrics routes.

    `consumer` defaults to the broker consumer; unit tests hand in a stand-in.
    """
    worker = consumer or Consumer(
        settings, enabled=lambda: bool(app.state.flags.is_enabled(CONSUMER_FLAG, True))
    )

    async def broker() -> None:
        await worker.ping()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await worker.connect()
        app.state.consumer = worker
        task = asyncio.create_task(worker.run(), name="consumer")
        try:
            yield
        finally:
            # SIGTERM: stop taking messages, let the one in hand finish, then close.
            await worker.stop()
            try:
                await asyncio.wait_for(task, timeout=settings.shutdown_grace_seconds)
            except TimeoutError:
                log.error("consumer did not stop within the grace period")
            await worker.close()

    app = create_chassis_app(
        settings,
        readiness_checks=[HealthCheck("broker", broker, timeout_seconds=2.0)],
        lifespan=lifespan,
        description=DESCRIPTION,
    )
    app.include_router(router)
    return app
