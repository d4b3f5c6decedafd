"""values.yaml documents every key the schema knows; the schema's copies of the
contract (latency buckets, environments) equal slipway_contract."""

from __future__ import annotations

import json
from typing import Any

import yaml
from helm_render import CHART
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.metrics import DURATION_BUCKETS

SCHEMA = json.loads((CHART / "values.schema.json").read_text())
VALUES_TEXT = (CHART / "values.yaml").read_text()
VALUES = yaml.safe_load(VALUES_TEXT)
# Optional keys a values file may set but the defaults leave out on purpose.
OPTIONAL = {
    "global",  # Helm's reserved key for subcharts
    "flags.$evaluators",  # flagd document parts a service may add
    "flags.metadata",
    "httpRoute.parentRefs",  # list items, not mapping keys
}


def _schema_keys(schema: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted paths of every fixed property in the schema: closed objects are walked;
    maps (envVars) and Kubernetes label selectors are leaves."""
    keys: set[str] = set()
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        keys.add(path)
        is_selector = set(sub.get("properties", {})) == {"matchLabels", "matchExpressions"}
        if sub.get("additionalProperties") is False and not is_selector:
            keys |= _schema_keys(sub, f"{path}.")
    return keys


def _value_keys(values: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, sub in values.items():
        keys.add(f"{prefix}{name}")
        if isinstance(sub, dict):
            keys |= _value_keys(sub, f"{prefix}{name}.")
    return keys


def test_every_schema_key_has_a_default_in_values_yaml() -> None:
    schema_keys = {k for k in _schema_keys(SCHEMA) if not any(k.startswith(o) for o in OPTIONAL)}
    missing = schema_keys - _value_keys(VALUES)
    assert not missing, f"keys the schema accepts but values.yaml never shows: {sorted(missing)}"


def test_every_top_level_key_is_documented() -> None:
    lines = VALUES_TEXT.splitlines()
    undocumented = []
    for i, line in enumerate(lines):
        if line and not line.startswith((" ", "#")) and ":" in line:
            above = [ln for ln in lines[max(0, i - 3) : i] if ln.strip()]
            if not above or not above[-1].startswith("#"):
                undocumented.append(line.split(":")[0])
    assert not undocumented, f"top-level keys without a comment above: {undocumented}"


def _number_enums(schema: Any, path: str = "") -> dict[str, list[float]]:
    """Every enum of numbers in the schema, by its JSON path."""
    found: dict[str, list[float]] = {}
    if isinstance(schema, dict):
        enum = schema.get("enum")
        if enum and all(isinstance(v, int | float) for v in enum):
            found[path] = [float(v) for v in enum]
        for key, sub in schema.items():
            found |= _number_enums(sub, f"{path}/{key}")
    return found


def test_schema_latency_thresholds_are_the_contract_buckets() -> None:
    """The only legal latency thresholds are DURATION_BUCKETS (CONTRACTS.md): every
    numeric enum of the schema (the JSON schema cannot import slipway_contract)."""
    enums = _number_enums(SCHEMA)
    analysis = "/properties/analysis/properties/latencyP95Seconds"
    keda = "/properties/autoscaling/properties/keda/properties/latency/properties/p95Seconds"
    assert {analysis, keda} <= set(enums), sorted(enums)  # the walk reaches them
    assert len(enums) == 5, sorted(enums)
    for path, values in enums.items():
        assert values == list(DURATION_BUCKETS), path


def test_schema_environments_are_the_contract_environments() -> None:
    assert tuple(SCHEMA["properties"]["env"]["enum"]) == ENVIRONMENTS


def test_schema_rejects_unknown_keys_everywhere() -> None:
    """Every object with fixed properties closes itself (additionalProperties: false)."""
    open_objects = []

    def walk(schema: dict[str, Any], path: str) -> None:
        if schema.get("type") == "object" and "properties" in schema:
            if schema.get("additionalProperties") is not False and path not in {"envVars"}:
                open_objects.append(path or "<root>")
            for name, sub in schema["properties"].items():
                walk(sub, f"{path}.{name}".lstrip("."))

    walk(SCHEMA, "")
    assert not open_objects, f"objects accepting unknown keys: {open_objects}"
