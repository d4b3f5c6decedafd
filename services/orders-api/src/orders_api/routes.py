"""HTTP routes of the example resource, /items.

The repository and the feature flags come from the application state (set in
the app's lifespan), so tests and the real server share one code path. Each
route documents its own error statuses (`problem_responses`); the chassis adds
to the OpenAPI document those it answers itself (400, 413, 415, 422, 431, 500,
503), all as `application/problem+json`.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from slipway_chassis import problem_responses

from orders_api.items import Item, ItemCreate
from orders_api.repository import ItemRepository

# Kill switch (flags/<env>.json): "off" rejects writes with 503, no deploy needed.
WRITE_FLAG = "items-write-enabled"

router = APIRouter(prefix="/items", tags=["items"])


def _repository(request: Request) -> ItemRepository:
    repository: ItemRepository = request.app.state.repository
    return repository


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(503))
async def create_item(new: ItemCreate, request: Request) -> Item:
    """Store an item; 422 names the invalid field, 503 while writes are switched off."""
    if not request.app.state.flags.is_enabled(WRITE_FLAG, True):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"flag {WRITE_FLAG} is off")
    return await _repository(request).add(new)


@router.get("/{item_id}", responses=problem_responses(404))
async def get_item(item_id: uuid.UUID, request: Request) -> Item:
    """One item, or 404."""
    item = await _repository(request).get(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"item {item_id} not found")
    return item


@router.get("")
async def list_items(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[Item]:
    """Items in creation order, at most `limit` (capped by ITEMS_PAGE_LIMIT)."""
    return await _repository(request).list(min(limit, request.app.state.settings.items_page_limit))
