"""The example resource: what clients send and what they get back.

Pydantic does the request validation, so a bad body is answered with 422 and
a message naming the field before any code of ours runs.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class ItemCreate(BaseModel):
    """Body of POST /items."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=120, examples=["blue mug"])]
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_price: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


class Item(ItemCreate):
    """A stored item."""

    id: uuid.UUID
    created_at: datetime
