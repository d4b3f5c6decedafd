"""Where items are kept: the interface, and the in-memory implementation.

The PostgreSQL implementation lives in `database.py`; tests and local runs
without DATABASE_URL use the in-memory one.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Protocol

from orders_api.items import Item, ItemCreate


class ItemRepository(Protocol):
    """Storage of items, whatever the backend."""

    # Name of the readiness check (and of the dependency in logs).
    dependency: str

    async def add(self, new: ItemCreate) -> Item: ...

    async def get(self, item_id: uuid.UUID) -> Item | None: ...

    async def list(self, limit: int) -> list[Item]: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class InMemoryItemRepository:
    """Items in a dict: for tests and for running without a database."""

    dependency = "repository"

    def __init__(self) -> None:
        self._items: dict[uuid.UUID, Item] = {}
        self._lock = asyncio.Lock()

    async def add(self, new: ItemCreate) -> Item:
        item = Item(id=uuid.uuid4(), created_at=datetime.now(UTC), **new.model_dump())
        async with self._lock:
            self._items[item.id] = item
        return item

    async def get(self, item_id: uuid.UUID) -> Item | None:
        return self._items.get(item_id)

    async def list(self, limit: int) -> list[Item]:
        return sorted(self._items.values(), key=lambda i: i.created_at)[:limit]

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None
