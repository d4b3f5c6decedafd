"""Loki and OpenTelemetry Collector configs, checked by structure.

Neither Loki nor the collector can be installed on these machines (see README), so
these tests pin what matters: compactor retention really on and per environment,
trace ids as structured metadata and never labels, and a collector whose pipelines
reference only defined components, parse container JSON logs and ship OTLP traces.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from slipway_contract.environments import ENVIRONMENTS

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
_DURATION = re.compile(r"^(\d+)h$")


@pytest.fixture(scope="module")
def loki() -> dict[str, Any]:
    return dict(yaml.safe_load((CONFIGS / "loki.yaml").read_text()))


@pytest.fixture(scope="module")
def collector() -> dict[str, Any]:
    return dict(yaml.safe_load((CONFIGS / "otel-collector.yaml").read_text()))


def _hours(value: str) -> int:
    match = _DURATION.match(value)
    assert match, f"{value!r}: use whole hours (Loki durations here are NNNh)"
    return int(match.group(1))


def test_loki_compactor_retention_is_enabled(loki: dict[str, Any]) -> None:
    compactor = loki["compactor"]
    assert compactor["retention_enabled"] is True
    # Loki 3 refuses to start with retention on and no delete request store.
    assert compactor["delete_request_store"] == loki["schema_config"]["configs"][-1]["object_store"]
    assert _hours(loki["limits_config"]["retention_period"]) > 0


def test_loki_retention_per_environment(loki: dict[str, Any]) -> None:
    rules = loki["limits_config"]["retention_stream"]
    by_env = {}
    for rule in rules:
        match = re.fullmatch(r'\{k8s_namespace_name="([a-z]+)"\}', rule["selector"])
        assert match, rule["selector"]
        by_env[match.group(1)] = _hours(rule["period"])
    assert set(by_env) == set(ENVIRONMENTS)
    assert by_env["dev"] <= by_env["qa"] <= by_env["stage"] <= by_env["prod"]
    assert by_env["prod"] >= 30 * 24


def test_loki_schema_supports_structured_metadata(loki: dict[str, Any]) -> None:
    latest = loki["schema_config"]["configs"][-1]
    assert latest["store"] == "tsdb"
    assert latest["schema"] == "v13"
    assert loki["limits_config"]["allow_structured_metadata"] is True


def test_trace_id_is_structured_metadata_never_a_label(loki: dict[str, Any]) -> None:
    otlp = loki["limits_config"]["otlp_config"]
    resource = otlp["resource_attributes"]
    assert resource["ignore_defaults"] is True  # only the listed attributes become labels
    labels = [
        a
        for c in resource["attributes_config"]
        if c["action"] == "index_label"
        for a in c["attributes"]
    ]
    assert labels
    assert not [a for a in labels if "trace" in a or "span" in a or "pod" in a]
    metadata = [
        a
        for c in otlp["log_attributes"]
        if c["action"] == "structured_metadata"
        for a in c["attributes"]
    ]
    assert {"trace_id", "span_id"} <= set(metadata)
    # No retention selector (a label matcher) mentions a per-request id either.
    assert not any("trace" in r["selector"] for r in loki["limits_config"]["retention_stream"])


def test_collector_pipelines_reference_defined_components(collector: dict[str, Any]) -> None:
    used: dict[str, set[str]] = {"receivers": set(), "processors": set(), "exporters": set()}
    for name, pipeline in collector["service"]["pipelines"].items():
        assert name.split("/")[0] in {"logs", "traces", "metrics"}
        for kind, components in used.items():
            for component in pipeline.get(kind, []):
                assert component in collector[kind], f"{name}: {kind[:-1]} {component} undefined"
                components.add(component)
        assert pipeline["processors"][0] == "memory_limiter"  # refuse data before OOM
        assert pipeline["processors"][-1] == "batch"
    for kind, components in used.items():
        assert set(collector[kind]) == components, (
            f"unused {kind}: {set(collector[kind]) - components}"
        )
    assert set(collector["service"]["extensions"]) == set(collector["extensions"])


def test_collector_ships_container_json_logs_to_loki(collector: dict[str, Any]) -> None:
    logs = collector["service"]["pipelines"]["logs"]
    (receiver,) = logs["receivers"]
    filelog = collector["receivers"][receiver]
    assert receiver.startswith("filelog")
    assert any(p.startswith("/var/log/pods/") for p in filelog["include"])
    operators = {op["type"]: op for op in filelog["operators"]}
    assert filelog["operators"][0]["type"] == "container"
    assert operators["json_parser"]["parse_from"] == "body"
    # Chassis log fields (platform/chassis logs): timestamp, level, trace_id, span_id.
    assert operators["json_parser"]["timestamp"]["parse_from"] == "attributes.timestamp"
    assert operators["severity_parser"]["parse_from"] == "attributes.level"
    assert operators["trace_parser"]["trace_id"]["parse_from"] == "attributes.trace_id"
    assert operators["trace_parser"]["span_id"]["parse_from"] == "attributes.span_id"
    (exporter,) = logs["exporters"]
    assert exporter.startswith("otlphttp")
    assert collector["exporters"][exporter]["endpoint"].endswith("/otlp")  # Loki's OTLP endpoint


def test_collector_ships_otlp_traces_to_tempo(collector: dict[str, Any]) -> None:
    traces = collector["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    protocols = collector["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")
    (exporter,) = traces["exporters"]
    assert exporter.startswith("otlp/")
    assert "tempo" in collector["exporters"][exporter]["endpoint"]
