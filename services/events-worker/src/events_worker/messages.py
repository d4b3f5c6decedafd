"""The example message: what producers put on the queue.

A body that is not valid JSON, or fails validation, is poison: it can never
succeed, so it is dead-lettered at once instead of being retried.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class OrderPlaced(BaseModel):
    """An order to process."""

    model_config = ConfigDict(extra="forbid")

    order_id: Annotated[str, Field(min_length=1, max_length=64)]
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
    # Test hook and realistic failure mode at once: a downstream that is flaky for
    # the first N attempts of this message (0 in real traffic).
    fail_first_attempts: Annotated[int, Field(ge=0, le=100)] = 0
