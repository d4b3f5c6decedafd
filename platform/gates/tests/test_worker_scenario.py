"""The queue worker's e2e scenario: the parts that need no container."""

from __future__ import annotations

import ast
import json
import re

import pytest
from slipway_gates.e2e.worker_scenario import (
    package_name,
    poison_publisher,
    processed_ids,
    traceparent,
)


def test_traceparent_is_w3c_and_carries_the_trace_id() -> None:
    trace_id = "ab" * 16
    header = traceparent(trace_id)
    assert re.fullmatch(rf"00-{trace_id}-[0-9a-f]{{16}}-01", header)
    assert traceparent(trace_id) != header  # a fresh parent span id each time


def test_package_name_follows_the_template() -> None:
    assert package_name("events-worker") == "events_worker"


def test_poison_publisher_is_python_using_the_services_own_consumer() -> None:
    script = poison_publisher("events_worker", b"{not json")
    tree = ast.parse(script)  # a syntax error would only show inside the container
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported == {"events_worker.consumer", "events_worker.settings"}
    assert "await consumer.publish(b'{not json')" in script


def test_processed_ids_reads_only_processed_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        json.dumps({"event": "order processed", "order_id": "a", "trace_id": "t1"}),
        "not json at all",
        json.dumps({"event": "message not processed", "order_id": "b", "trace_id": "t2"}),
        json.dumps({"event": "order processed", "order_id": "a", "trace_id": "t3"}),
        json.dumps({"event": "order processed", "order_id": "c"}),
    ]
    monkeypatch.setattr("slipway_gates.e2e.scenario.logs", lambda _name: "\n".join(lines))
    assert processed_ids("svc") == {"a": ["t1", "t3"], "c": [""]}
