"""Items in PostgreSQL (SQLAlchemy async + asyncpg), schema managed by Alembic.

`migrate()` upgrades the schema to the newest revision at start-up, under a
PostgreSQL advisory lock so that several replicas starting at once do not race.

Every call (the readiness ping included) goes through the chassis' circuit
breaker for the dependency "database": during an outage it opens after a few
failed calls, requests then fail fast with 503 + Retry-After instead of each
waiting for a dead connection, and /readyz reports it; after the recovery time
one trial call (a request or the readiness probe) closes it again. In a traced
request each call is a CLIENT child span of the request's span ("database
INSERT items").
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from alembic import command
from alembic.config import Config
from slipway_chassis import dependency_breaker
from sqlalchemy import Connection, DateTime, Integer, Numeric, String, Uuid, select, text
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from orders_api.items import Item, ItemCreate

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK_ID = 0x5E_1F_00_01  # any constant shared by all replicas
# What an unreachable or failing database raises (refused/reset connections and DNS
# failures are OSError); integrity and data errors mean it answered, so they do not count.
# The breaker also counts everything the chassis' `is_outage` recognises (shutting down,
# starting up, admin termination, pool timeout: SQLAlchemy wraps some in a plain
# DBAPIError); all of them reach the client as 503 + Retry-After, never 500.
OUTAGE_ERRORS = (OSError, OperationalError, InterfaceError, DisconnectionError)


class Base(DeclarativeBase):
    """Declarative base of this service's tables."""


class ItemRow(Base):
    """Table `items` (created by migration 0001)."""

    __tablename__ = "items"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def to_item(self) -> Item:
        return Item(
            id=self.id,
            name=self.name,
            quantity=self.quantity,
            unit_price=self.unit_price,
            created_at=self.created_at,
        )


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configured in code (no alembic.ini): script location inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    command.upgrade(alembic_config(connection), "head")


class PostgresItemRepository:
    """The ItemRepository on PostgreSQL."""

    dependency = "database"

    def __init__(
        self,
        database_url: str,
        *,
        pool_size: int = 5,
        breaker_failures: int = 5,
        breaker_recovery_seconds: float = 30.0,
        timeout_seconds: float = 1.5,
    ) -> None:
        self.engine: AsyncEngine = create_async_engine(
            database_url,
            pool_size=pool_size,
            pool_pre_ping=True,
            # asyncpg's connect timeout (default 60 s) under the breaker's call timeout
            connect_args={"timeout": timeout_seconds},
        )
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.circuit = dependency_breaker(
            self.dependency,
            failure_exceptions=OUTAGE_ERRORS,
            timeout_seconds=timeout_seconds,
            failure_threshold=breaker_failures,
            recovery_timeout_seconds=breaker_recovery_seconds,
        )

    async def migrate(self) -> None:
        # Start-up, not a request: no breaker (a failure stops the process instead).
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    async def add(self, new: ItemCreate) -> Item:
        row = ItemRow(id=uuid.uuid4(), created_at=datetime.now(UTC), **new.model_dump())
        async with self.circuit.guard("INSERT items"), self._sessions.begin() as session:
            session.add(row)
        return row.to_item()

    async def get(self, item_id: uuid.UUID) -> Item | None:
        async with self.circuit.guard("SELECT items"), self._sessions() as session:
            row = await session.get(ItemRow, item_id)
        return row.to_item() if row else None

    async def list(self, limit: int) -> list[Item]:
        async with self.circuit.guard("SELECT items"), self._sessions() as session:
            rows = await session.scalars(select(ItemRow).order_by(ItemRow.created_at).limit(limit))
            return [r.to_item() for r in rows]

    async def ping(self) -> None:
        async with self.circuit.guard("ping"), self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
