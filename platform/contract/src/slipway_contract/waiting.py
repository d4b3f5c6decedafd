"""Poll until a condition holds or a deadline passes: the one wait loop every tool uses.

`poll` observes something (an HTTP status, a query result, a container's state)
every `interval` seconds until `until(observation)` is true or `timeout` seconds
have passed, and says which, with the last observation. `wait_until` is the same
loop for a caller that cannot go on without the condition: it raises
`WaitTimeoutError`, whose message names what was awaited and what was last seen.

Hand-written rather than tenacity: this package has no third-party dependencies
(the chassis, inside every service image, imports it), and the whole behaviour
is one loop: tenacity's retry/stop/wait objects would say the same thing in more
words and still need the message built here.

The condition is observed once more at the deadline (the last sleep is cut to
what is left), so a long interval never costs time past the deadline and a
condition that became true during the last sleep is not reported as a timeout.
An exception raised by `observe` is not caught: it ends the wait (a caller that
tolerates errors, such as an HTTP probe before the port is open, turns them into
an observation itself).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Polled(Generic[T]):
    """How a poll ended: `reached` the condition or not, the `last` observation,
    and how many observations were made."""

    reached: bool
    last: T
    observations: int


class WaitTimeoutError(TimeoutError):
    """The awaited condition did not hold within the timeout."""

    def __init__(self, what: str, timeout: float, last: object) -> None:
        super().__init__(f"{what}: not reached within {timeout:g} s (last: {last})")
        self.what = what
        self.timeout = timeout
        self.last = last


def poll(
    observe: Callable[[], T],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float,
    interval: float = 0.5,
) -> Polled[T]:
    """Observe at once, then every `interval` s, until `until(observation)` or `timeout` s."""
    if interval < 0 or timeout < 0:
        raise ValueError(f"timeout ({timeout}) and interval ({interval}) must not be negative")
    deadline = time.monotonic() + timeout
    observations = 0
    while True:
        last = observe()
        observations += 1
        if until(last):
            return Polled(True, last, observations)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Polled(False, last, observations)
        time.sleep(min(interval, remaining))


def wait_until(
    observe: Callable[[], T],
    *,
    what: str,
    until: Callable[[T], bool] = bool,
    timeout: float,
    interval: float = 0.5,
) -> T:
    """`poll`, returning the observation that met the condition; `WaitTimeoutError` (naming
    `what` and the last observation) when none did within `timeout` seconds."""
    polled = poll(observe, until=until, timeout=timeout, interval=interval)
    if not polled.reached:
        raise WaitTimeoutError(what, timeout, polled.last)
    return polled.last
