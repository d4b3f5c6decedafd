"""The SLO spec: valid specs load, invalid ones fail naming the field and the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import slipway_chassis
import yaml
from slipway_observability.buckets import DURATION_BUCKETS
from slipway_observability.slo import SpecError, load_spec, parse_spec

CONTRACTS = Path(__file__).resolve().parents[2] / "CONTRACTS.md"


def _valid() -> dict[str, Any]:
    return {
        "service": "orders-api",
        "team": "payments",
        "runbook_url": "https://runbooks.example.com/orders-api",
        "window": "30d",
        "slos": {
            "availability": {"objective": 0.999},
            "latency": {"objective": 0.99, "threshold_seconds": 0.3},
            "queue_backlog": {"objective": 0.99, "max_age_seconds": 60},
        },
        "load": {"p95_seconds": 0.3, "p99_seconds": 1.0, "max_error_ratio": 0.001},
    }


def test_contract_example_loads(tmp_path: Path) -> None:
    """The YAML block in CONTRACTS.md is a valid spec (the contract cannot rot)."""
    text = CONTRACTS.read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "slo.yaml").write_text(block)
    spec = load_spec(tmp_path / "slo.yaml")
    assert spec.service == "orders-api"
    assert list(spec.enabled()) == ["availability", "latency", "queue_backlog"]
    assert spec.slos.latency is not None
    assert spec.slos.latency.threshold_seconds == 0.3


def test_buckets_are_the_ones_the_chassis_exports_with() -> None:
    """One list (slipway_contract; CONTRACTS.md is checked against it there)."""
    assert tuple(slipway_chassis.DURATION_BUCKETS) == DURATION_BUCKETS


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("slos", "availability", "objective"), 1.0, "strictly between 0 and 1"),
        (("slos", "availability", "objective"), 0, "strictly between 0 and 1"),
        (("slos", "latency", "objective"), 1.5, "slos.latency.objective"),
        (("slos", "latency", "threshold_seconds"), 0.35, "not a bucket boundary"),
        (("slos", "throughput"), {"objective": 0.9}, "slos.throughput: unknown key (known SLIs"),
        (("slos", "queue_backlog", "max_age_seconds"), -1, "slos.queue_backlog.max_age_seconds"),
        (("service",), "Orders_API", "DNS-1123"),
        (("runbook_url",), "runbooks/orders", "http(s) URL"),
        (("window",), "30x", "Prometheus duration"),
        (("window",), "1d", "between 7d and 90d"),
        (("slos",), {}, "at least one of"),
    ],
)
def test_invalid_specs_name_field_and_rule(
    path: tuple[str, ...], value: Any, expected: str
) -> None:
    data = _valid()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SpecError) as info:
        parse_spec(data, "slo.yaml")
    assert expected in str(info.value)
    assert "invalid SLO spec slo.yaml" in str(info.value)


def test_every_bucket_is_a_legal_threshold() -> None:
    for bucket in DURATION_BUCKETS:
        data = _valid()
        data["slos"]["latency"]["threshold_seconds"] = bucket
        assert parse_spec(data).slos.latency is not None


def test_missing_field_is_named() -> None:
    data = _valid()
    del data["team"]
    with pytest.raises(SpecError, match="team: Field required"):
        parse_spec(data)


def test_file_errors_are_spec_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read SLO spec"):
        load_spec(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: [unclosed\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(bad)
    bad.write_text(yaml.safe_dump(["a", "list"]))
    with pytest.raises(SpecError, match="top level must be a mapping"):
        load_spec(bad)
