"""Logging: one JSON line per event with the documented fields, stdlib included."""

from __future__ import annotations

import logging
import re

from opentelemetry.sdk.trace import TracerProvider
from slipway_chassis import ServiceSettings, configure_logging, get_logger
from slipway_chassis.testing import capture_logs

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$")


def test_structlog_line_has_documented_fields() -> None:
    configure_logging(ServiceSettings(service_version="1.2.3"))
    with capture_logs() as logs:
        get_logger("orders.handlers").info("order placed", order_id=7)
    (entry,) = logs.entries
    assert entry["event"] == "order placed"
    assert entry["order_id"] == 7
    assert entry["level"] == "info"
    assert entry["logger"] == "orders.handlers"
    assert ISO_UTC.match(entry["timestamp"]), entry["timestamp"]
    assert (entry["service"], entry["version"], entry["environment"]) == (
        "orders-api",
        "1.2.3",
        "dev",
    )
    assert "trace_id" not in entry  # no span: no ids (never zeros)


def test_stdlib_records_use_the_same_renderer() -> None:
    configure_logging(ServiceSettings())
    with capture_logs() as logs:
        logging.getLogger("some.library").warning("disk at %d%%", 91)
    (entry,) = logs.entries
    assert entry["event"] == "disk at 91%"
    assert entry["logger"] == "some.library"
    assert entry["level"] == "warning"
    assert entry["service"] == "orders-api"


def test_trace_and_span_ids_inside_a_span() -> None:
    configure_logging(ServiceSettings())
    tracer = TracerProvider().get_tracer("test")
    with capture_logs() as logs, tracer.start_as_current_span("work") as span:
        get_logger().info("inside")
        logging.getLogger("lib").info("stdlib inside")
    ctx = span.get_span_context()
    for entry in logs.entries:
        assert entry["trace_id"] == format(ctx.trace_id, "032x")
        assert entry["span_id"] == format(ctx.span_id, "016x")
        assert re.fullmatch(r"[0-9a-f]{32}", entry["trace_id"])
        assert re.fullmatch(r"[0-9a-f]{16}", entry["span_id"])


def test_sensitive_keys_are_redacted(chassis_env) -> None:  # type: ignore[no-untyped-def]
    chassis_env.setenv("LOG_REDACT_KEYS", "authorization,password,session")
    configure_logging(ServiceSettings())
    with capture_logs() as logs:
        get_logger().info(
            "login",
            user="ada",
            password="hunter2",
            headers={"Authorization": "Bearer abc", "accept": "json"},
            session_id="s-1",
        )
    (entry,) = logs.entries
    assert entry["user"] == "ada"
    assert entry["password"] == "[REDACTED]"
    assert entry["headers"] == {"Authorization": "[REDACTED]", "accept": "json"}
    assert entry["session_id"] == "[REDACTED]"
    assert b"hunter2" not in logs.raw[0]


def test_level_filter_drops_debug_in_prod_profile(chassis_env) -> None:  # type: ignore[no-untyped-def]
    chassis_env.setenv("APP_ENV", "prod")
    configure_logging(ServiceSettings())
    with capture_logs() as logs:
        logging.getLogger("lib").debug("noise")
        logging.getLogger("lib").info("kept")
    assert [e["event"] for e in logs.entries] == ["kept"]
