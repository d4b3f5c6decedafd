"""Feature flags: OpenFeature SDK + the flagd provider in file mode.

One flagd JSON file per environment (`FLAGS_FILE`, a ConfigMap in the chart),
re-read when it changes (polled, `poll_interval_seconds`). A malformed file is
rejected with an error line naming the file and the parse problem, and the last
good flags stay in force (the flagd file watcher only swaps its store after a
successful parse). With no `FLAGS_FILE`, every evaluation returns its default.

Kill switches are default-off flags that *disable* something when turned on:
`if flags.kill_switch("checkout.disable-payments"): ...` is False unless the
file says otherwise, so a missing or broken file never trips one.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext
from openfeature.event import EventDetails, ProviderEvent
from openfeature.provider import ProviderStatus

from slipway_chassis._logs import get_logger

_log = get_logger("slipway_chassis._flags")


class _RepeatFilter(logging.Filter):
    """Drop the flagd watcher's identical error+traceback repeated on every poll."""

    def __init__(self) -> None:
        super().__init__()
        self._last: str | None = None

    def reset(self) -> None:
        self._last = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno >= logging.ERROR and message == self._last:
            return False
        self._last = message if record.levelno >= logging.ERROR else None
        return True


_REPEATS = _RepeatFilter()
logging.getLogger("openfeature.contrib").addFilter(_REPEATS)
_domains = itertools.count()

Attributes = dict[str, Any]


class FeatureFlags:
    """Typed flag evaluation for one service, backed by a flagd file (or defaults)."""

    def __init__(self, flags_file: Path | None, *, poll_interval_seconds: float = 2.0) -> None:
        if poll_interval_seconds <= 0:
            raise ValueError(
                f"FeatureFlags.poll_interval_seconds: must be > 0, got {poll_interval_seconds}"
            )
        self.flags_file = flags_file
        self.poll_interval_seconds = poll_interval_seconds
        # A domain of its own, so two apps in one process (tests) never share a provider.
        self.domain = f"slipway-{next(_domains)}"
        self._client: OpenFeatureClient = api.get_client(self.domain)
        self._provider: FlagdProvider | None = None
        self._last_problem: str | None = None

    def start(self) -> None:
        """Load the file and start watching it; logs a clear error if it is unusable."""
        if self.flags_file is None:
            _log.info("feature flags: FLAGS_FILE not set, every flag takes its default")
            return
        if not self.flags_file.is_file():
            _log.error(
                "feature flags file not found: every flag takes its default",
                flags_file=str(self.flags_file),
                variable="FLAGS_FILE",
            )
        self._client.add_handler(ProviderEvent.PROVIDER_ERROR, self._on_error)
        self._client.add_handler(ProviderEvent.PROVIDER_READY, self._on_ready)
        self._client.add_handler(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, self._on_change)
        self._provider = FlagdProvider(
            resolver_type=ResolverType.FILE,
            offline_flag_source_path=str(self.flags_file),
            deadline_ms=max(1, int(self.poll_interval_seconds * 1000)),
        )
        # The file is read on start; a missing or malformed one leaves the provider in
        # ERROR state (defaults apply) and is retried on every poll.
        api.set_provider_and_wait(self._provider, domain=self.domain)

    def shutdown(self) -> None:
        """Stop watching the file."""
        if self._provider is not None:
            self._provider.shutdown()
            self._provider = None

    @property
    def healthy(self) -> bool:
        """False while the flags file could not be loaded (defaults or last good flags apply)."""
        return self._client.get_provider_status() is not ProviderStatus.ERROR

    def _on_error(self, details: EventDetails) -> None:
        # The watcher re-reads a broken file on every poll: log each distinct problem once.
        if details.message == self._last_problem:
            return
        self._last_problem = details.message
        _log.error(
            "feature flags file rejected: the last good flags stay in force",
            flags_file=str(self.flags_file),
            problem=details.message,
        )

    def _on_ready(self, _details: EventDetails) -> None:
        self._last_problem = None
        _REPEATS.reset()
        _log.info("feature flags loaded", flags_file=str(self.flags_file))

    def _on_change(self, details: EventDetails) -> None:
        _log.info(
            "feature flags reloaded", flags_file=str(self.flags_file), flags=details.flags_changed
        )

    @staticmethod
    def _context(attributes: Attributes | None, targeting_key: str | None) -> EvaluationContext:
        return EvaluationContext(targeting_key=targeting_key, attributes=attributes or {})

    def is_enabled(
        self,
        key: str,
        default: bool = False,
        *,
        targeting_key: str | None = None,
        attributes: Attributes | None = None,
    ) -> bool:
        """A boolean flag; `default` when the flag is missing, of another type, or on error."""
        ctx = self._context(attributes, targeting_key)
        return self._client.get_boolean_value(key, default, ctx)

    def kill_switch(self, key: str, **kwargs: Any) -> bool:
        """True only when the file turns the kill switch on; off by default and on error."""
        return self.is_enabled(key, False, **kwargs)

    def get_string(self, key: str, default: str, **kwargs: Any) -> str:
        """A string flag (variant value), or `default`."""
        return self._client.get_string_value(key, default, self._context(**_ctx(kwargs)))

    def get_int(self, key: str, default: int, **kwargs: Any) -> int:
        """An integer flag, or `default`."""
        return self._client.get_integer_value(key, default, self._context(**_ctx(kwargs)))

    def get_float(self, key: str, default: float, **kwargs: Any) -> float:
        """A float flag, or `default`."""
        return self._client.get_float_value(key, default, self._context(**_ctx(kwargs)))


def _ctx(kwargs: dict[str, Any]) -> dict[str, Any]:
    unknown = set(kwargs) - {"targeting_key", "attributes"}
    if unknown:
        raise TypeError(f"unexpected flag evaluation argument(s): {sorted(unknown)}")
    return {
        "attributes": kwargs.get("attributes"),
        "targeting_key": kwargs.get("targeting_key"),
    }
