"""orders-api's application: the chassis plus this service's own parts.

Orders: create and read the items of an order

`create_app(settings)` is what the server runs and what the tests start (with
its real lifespan and middleware), so both exercise the same code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from slipway_chassis import HealthCheck
from slipway_chassis import create_app as create_chassis_app

from orders_api import DESCRIPTION
from orders_api.repository import InMemoryItemRepository, ItemRepository
from orders_api.routes import router
from orders_api.settings import Settings


def build_repository(settings: Settings) -> ItemRepository:
    """The repository the settings ask for."""
    if settings.database_url is not None:
        from orders_api.database import PostgresItemRepository  # noqa: PLC0415

        return PostgresItemRepository(
            settings.database_url.get_secret_value(),
            pool_size=settings.database_pool_size,
            breaker_failures=settings.database_breaker_failures,
            breaker_recovery_seconds=settings.database_breaker_recovery_seconds,
            timeout_seconds=settings.database_timeout_seconds,
        )
    return InMemoryItemRepository()


def create_app(settings: Settings, repository: ItemRepository | None = None) -> FastAPI:
    """The service's FastAPI app (the repository can be injected by tests)."""
    repo = repository or build_repository(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate = getattr(repo, "migrate", None)
        if migrate is not None:
            await migrate()  # schema at head before the first request
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
