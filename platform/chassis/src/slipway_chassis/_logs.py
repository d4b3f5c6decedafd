"""Structured JSON logging (structlog): one line per event on stdout.

Every line carries an ISO-8601 UTC `timestamp`, `level`, `logger`, `event`,
`service`, `version`, `environment`, and, inside a span, `trace_id` (32 hex)
and `span_id` (16 hex). Standard-library records (uvicorn, libraries) go
through the same processors and renderer. Values of sensitive keys
(`LOG_REDACT_KEYS`, matched as substrings, case-insensitively) are replaced.

Configured for speed (README.md "Design notes"; `nox -s bench` measures it): few processors,
orjson, bytes written straight to stdout, `cache_logger_on_first_use`.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable, MutableMapping
from typing import IO, Any

import orjson
import structlog
from opentelemetry import trace

from slipway_chassis._settings import DEFAULT_REDACT_KEYS, ServiceSettings

REDACTED = "[REDACTED]"

EventDict = MutableMapping[str, Any]


class _Sink:
    """Where rendered lines go: stdout by default, swappable by `testing.capture_logs`."""

    def __init__(self) -> None:
        # Re-entrant: a signal handler (SIGTERM -> server.handle_exit) runs on the main
        # thread between bytecodes and logs; with a plain Lock held by an interrupted
        # write it would deadlock the process (seen under load in the SIGTERM test).
        self._lock = threading.RLock()
        self.stream: IO[bytes] = sys.stdout.buffer
        self.tee: list[bytes] | None = None

    def write_line(self, line: bytes) -> None:
        data = line + b"\n"
        with self._lock:
            if self.tee is not None:
                self.tee.append(line)
            self.stream.write(data)
            self.stream.flush()


SINK = _Sink()


class _SinkLogger:
    """The innermost structlog logger: writes the rendered bytes to `SINK`."""

    def __init__(self, name: str = "app") -> None:
        self.name = name

    def msg(self, message: bytes) -> None:
        SINK.write_line(message)

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


def _sink_logger_factory(*args: Any) -> _SinkLogger:
    return _SinkLogger(str(args[0])) if args else _SinkLogger()


def _add_logger_name(logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    event_dict.setdefault("logger", getattr(logger, "name", "app"))
    return event_dict


def add_trace_context(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    """Add `trace_id`/`span_id` of the current span, only when its context is valid."""
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict["trace_id"] = format(ctx.trace_id, "032x")
        event_dict["span_id"] = format(ctx.span_id, "016x")
    return event_dict


class Redactor:
    """Replace values whose key contains a sensitive word (top level and one level down)."""

    def __init__(self, keys: Iterable[str] = DEFAULT_REDACT_KEYS) -> None:
        self.keys: tuple[str, ...] = ()
        self._verdicts: dict[str, bool] = {}  # memo: log keys repeat, matching is substring
        self.set_keys(keys)

    def set_keys(self, keys: Iterable[str]) -> None:
        """Replace the sensitive words (and forget memoised verdicts)."""
        self.keys = tuple(k.lower() for k in keys)
        self._verdicts = {}

    def _sensitive(self, key: str) -> bool:
        verdict = self._verdicts.get(key)
        if verdict is None:
            lowered = key.lower()
            verdict = any(k in lowered for k in self.keys)
            if len(self._verdicts) < 4096:
                self._verdicts[key] = verdict
        return verdict

    def __call__(self, _logger: Any, _method: str, event_dict: EventDict) -> EventDict:
        verdicts = self._verdicts
        for key, value in event_dict.items():
            if key == "event":
                continue
            sensitive = verdicts.get(key)
            if sensitive is None:
                sensitive = self._sensitive(key)
            if sensitive:
                event_dict[key] = REDACTED
            elif isinstance(value, dict):
                event_dict[key] = {
                    k: (REDACTED if isinstance(k, str) and self._sensitive(k) else v)
                    for k, v in value.items()
                }
        return event_dict


# Module-level and mutated in place by `configure_logging`: loggers cached on first use
# keep their processor chain, so the chain must read the current values, not copies.
_SERVICE_FIELDS: dict[str, str] = {}
_REDACTOR = Redactor()


def _add_service_fields(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    for key, value in _SERVICE_FIELDS.items():
        event_dict.setdefault(key, value)
    return event_dict


def _default(obj: Any) -> str:
    # SecretStr renders masked through str(); anything else unknown becomes its str().
    return str(obj)


def _render_bytes(_logger: Any, _method: str, event_dict: EventDict) -> bytes:
    return orjson.dumps(event_dict, default=_default)


def _render_str(_logger: Any, _method: str, event_dict: EventDict) -> str:
    return orjson.dumps(event_dict, default=_default).decode()


# Redaction runs before the chassis adds its own fields (level, timestamp, ids,
# service): fewer keys to look at on every line, and none of those is sensitive.
_SHARED_PROCESSORS: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    _REDACTOR,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    add_trace_context,
    _add_service_fields,
]


class _StdlibHandler(logging.Handler):
    """Route standard-library records through the structlog formatter into `SINK`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            SINK.write_line(self.format(record).encode())
        except Exception:
            self.handleError(record)


def configure_logging(settings: ServiceSettings) -> None:
    """Configure structlog and the standard library for JSON lines on stdout.

    structlog itself is configured once, when this module is imported, with a
    processor chain that reads module-level state; this function updates that
    state. So loggers that were cached on first use (even before this call, e.g.
    at import time) follow the service's fields, redaction keys and level.
    """
    level = logging.getLevelNamesMapping()[settings.log_level]
    _SERVICE_FIELDS.update(
        service=settings.service_name,
        version=settings.service_version,
        environment=str(settings.app_env),
    )
    _REDACTOR.set_keys(settings.log_redact_keys)
    _MIN_LEVEL[0] = level
    shared = _SHARED_PROCESSORS
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _render_str,
        ],
    )
    handler = _StdlibHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _StdlibHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own access log is replaced by the chassis' (route template, duration_ms).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uv_logger = logging.getLogger(name)
        uv_logger.handlers.clear()
        uv_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # One INFO line per outbound call duplicates the CLIENT span and dependency metrics.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}
_MIN_LEVEL = [logging.INFO]  # mutable: see configure_logging


def _filter_level(_logger: Any, method: str, event_dict: EventDict) -> EventDict:
    if _LEVELS.get(method, logging.INFO) < _MIN_LEVEL[0]:
        raise structlog.DropEvent
    return event_dict


def _configure_structlog() -> None:
    structlog.configure(
        processors=[
            _filter_level,
            _add_logger_name,
            *_SHARED_PROCESSORS,
            structlog.processors.format_exc_info,
            _render_bytes,
        ],
        logger_factory=_sink_logger_factory,
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        cache_logger_on_first_use=True,
    )


_configure_structlog()


def get_logger(name: str = "app", **initial: Any) -> Any:
    """A structlog logger whose lines carry `logger=name` and any initial key/values."""
    # The name travels as a logger-factory argument so the returned proxy stays lazy:
    # module-level loggers created before `configure_logging` still get its config.
    return structlog.get_logger(name, **initial)
