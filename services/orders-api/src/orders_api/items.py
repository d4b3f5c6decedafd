"""The example resource: what clients send and what they get back.

Pydantic does the request validation, so a bad body is answered with 422
(problem+json, `errors` naming the field) before any code of ours runs.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# Unknown fields reported in a rejection at most (one error each).
NAMED_UNKNOWN_FIELDS = 5


def storable_text(value: str) -> str:
    """Reject what PostgreSQL text cannot hold: NUL, and lone surrogates (not UTF-8)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it contains a lone surrogate)") from None
    return value


# Every free-text field of a stored model uses it.
Text = Annotated[str, AfterValidator(storable_text)]


class ItemCreate(BaseModel):
    """Body of POST /items."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _report_few_unknown_fields(cls, data: Any) -> Any:
        # extra="forbid" reports each unknown field as its own error: a 1 MiB body of
        # 75 000 unknown keys held the event loop ~190 ms building them. Keep the first
        # few (each still rejected, naming the field), drop the rest unread.
        fields = cls.model_fields  # a computed property: read it once
        if isinstance(data, dict) and len(data) > len(fields) + NAMED_UNKNOWN_FIELDS:
            kept = {k: data[k] for k in fields if k in data}
            unknown = islice((k for k in data if k not in fields), NAMED_UNKNOWN_FIELDS)
            kept.update((k, data[k]) for k in unknown)
            return kept
        return data

    name: Annotated[Text, Field(min_length=1, max_length=120, examples=["blue mug"])]
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_price: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


class Item(ItemCreate):
    """A stored item."""

    id: uuid.UUID
    created_at: datetime
