"""The retry policy, without a broker: ack, retry with backoff, dead-letter."""

from __future__ import annotations

import json

import pytest

from events_worker.processing import Outcome, backoff_seconds, process

GOOD = json.dumps({"order_id": "o-1", "amount": "12.50"}).encode()
POLICY = {"max_attempts": 3, "base": 0.5, "cap": 4.0}


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(a, 0.5, 4.0) for a in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]


async def _process(body: bytes, attempt: int = 1) -> Outcome:
    return (await process(body, attempt, **POLICY)).outcome


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"order_id": "o-1"}',
        b'{"order_id": "o-1", "amount": "-3"}',
        b'{"order_id": "o-1", "amount": "1", "unexpected": true}',
    ],
    ids=["not-json", "missing-amount", "negative-amount", "unknown-field"],
)
def test_poison_is_dead_lettered_at_once(body: bytes) -> None:
    import asyncio  # noqa: PLC0415

    decision = asyncio.run(process(body, 1, **POLICY))
    assert decision.outcome is Outcome.DEAD_LETTERED
    assert decision.reason.startswith("poison:")


def test_a_good_message_is_acked() -> None:
    import asyncio  # noqa: PLC0415

    assert asyncio.run(_process(GOOD)) is Outcome.ACKED


def test_transient_failures_retry_with_backoff_then_give_up() -> None:
    import asyncio  # noqa: PLC0415

    flaky = json.dumps({"order_id": "o-2", "amount": "5", "fail_first_attempts": 10}).encode()
    first = asyncio.run(process(flaky, 1, **POLICY))
    second = asyncio.run(process(flaky, 2, **POLICY))
    last = asyncio.run(process(flaky, 3, **POLICY))
    assert (first.outcome, first.delay_seconds) == (Outcome.RETRIED, 0.5)
    assert (second.outcome, second.delay_seconds) == (Outcome.RETRIED, 1.0)
    assert last.outcome is Outcome.DEAD_LETTERED
    assert "gave up after 3" in last.reason


def test_a_message_that_recovers_is_acked() -> None:
    import asyncio  # noqa: PLC0415

    flaky = json.dumps({"order_id": "o-3", "amount": "5", "fail_first_attempts": 1}).encode()
    assert asyncio.run(_process(flaky, attempt=2)) is Outcome.ACKED
