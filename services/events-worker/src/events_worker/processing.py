"""What happens to one message: handle it, then ack, retry later, or dead-letter.

Broker-independent, so the policy is unit-tested without a broker; the
consumer (consumer.py) only carries the decision out.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pydantic import ValidationError
from slipway_chassis import get_logger

from events_worker.messages import OrderPlaced

log = get_logger("events_worker.processing")


class PoisonMessage(Exception):  # noqa: N818 - the domain's word for it
    """The message can never be processed: dead-letter it without retrying."""


class TransientFailure(Exception):  # noqa: N818
    """Processing failed for a reason that may go away: retry with backoff."""


class Outcome(enum.StrEnum):
    """What the consumer does with a message (metric label `outcome`)."""

    ACKED = "acked"
    RETRIED = "retried"
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class Decision:
    """Outcome, plus the retry delay when retried and the reason when not acked."""

    outcome: Outcome
    delay_seconds: float = 0.0
    reason: str = ""


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff: base, 2*base, 4*base, ... capped (attempt counts from 1)."""
    return float(min(cap, base * 2 ** (attempt - 1)))


def parse(body: bytes) -> OrderPlaced:
    """The message, or PoisonMessage naming what is wrong with it."""
    try:
        return OrderPlaced.model_validate_json(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise PoisonMessage(problems) from None


async def handle(order: OrderPlaced, attempt: int) -> None:
    """The business step. Replace with the real work (call a service, write a row)."""
    if attempt <= order.fail_first_attempts:
        raise TransientFailure(f"downstream unavailable (attempt {attempt})")
    log.info("order processed", order_id=order.order_id, amount=str(order.amount))


async def process(
    body: bytes, attempt: int, *, max_attempts: int, base: float, cap: float
) -> Decision:
    """Run one delivery of `body` and decide what to do with it."""
    try:
        await handle(parse(body), attempt)
    except PoisonMessage as exc:
        return Decision(Outcome.DEAD_LETTERED, reason=f"poison: {exc}")
    except Exception as exc:  # any other failure is worth another try, within limits
        if attempt >= max_attempts:
            return Decision(Outcome.DEAD_LETTERED, reason=f"gave up after {attempt}: {exc}")
        return Decision(Outcome.RETRIED, backoff_seconds(attempt, base, cap), str(exc))
    return Decision(Outcome.ACKED)
