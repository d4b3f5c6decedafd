"""{{ service_name }}'s application: the chassis plus this service's own parts.

{{ description | wordwrap(96) }}

`create_app(settings)` is what the server runs and what the tests start (with
its real lifespan and middleware), so both exercise the same code.
"""

from __future__ import annotations

{% if service_kind == 'queue-worker' %}
import asyncio
{% endif %}
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
{% if service_kind == 'http-api' %}
from slipway_chassis import HealthCheck
{% else %}
from slipway_chassis import HealthCheck, get_logger
{% endif %}
from slipway_chassis import create_app as create_chassis_app
{% if service_kind == 'http-api' %}

from {{ package_name }} import DESCRIPTION
from {{ package_name }}.repository import InMemoryItemRepository, ItemRepository
from {{ package_name }}.routes import router
from {{ package_name }}.settings import Settings


def build_repository(settings: Settings) -> ItemRepository:
    """The repository the settings ask for."""
{% if database == 'postgres' %}
    if settings.database_url is not None:
        from {{ package_name }}.database import PostgresItemRepository  # noqa: PLC0415

        return PostgresItemRepository(
            settings.database_url.get_secret_value(),
            pool_size=settings.database_pool_size,
            breaker_failures=settings.database_breaker_failures,
            breaker_recovery_seconds=settings.database_breaker_recovery_seconds,
            timeout_seconds=settings.database_timeout_seconds,
        )
{% endif %}
    return InMemoryItemRepository()


def create_app(settings: Settings, repository: ItemRepository | None = None) -> FastAPI:
    """The service's FastAPI app (the repository can be injected by tests)."""
    repo = repository or build_repository(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
{% if database == 'postgres' %}
        migrate = getattr(repo, "migrate", None)
        if migrate is not None:
            await migrate()  # schema at head before the first request
{% endif %}
        app.state.repository = repo
        try:
            yield
        finally:
            await repo.close()

    app = create_chassis_app(
        settings,
        # "database" when PostgreSQL backs the items, "repository" for the in-memory store.
        readiness_checks=[HealthCheck(repo.dependency, repo.ping, timeout_seconds=2.0)],
        lifespan=lifespan,
        description=DESCRIPTION,
    )
    app.include_router(router)
    return app
{% else %}

from {{ package_name }} import DESCRIPTION
from {{ package_name }}.consumer import Consumer
from {{ package_name }}.routes import router
from {{ package_name }}.settings import Settings

# Kill switch (flags/<env>.json): "off" pauses consumption, no deploy needed.
CONSUMER_FLAG = "consumer-enabled"
log = get_logger("{{ package_name }}.app")


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
{% endif %}
