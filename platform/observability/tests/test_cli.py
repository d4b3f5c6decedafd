"""The `slipway-obs` command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from slipway_observability.cli import main, warnings
from slipway_observability.slo import parse_spec

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "orders-api.slo.yaml"


@pytest.mark.parametrize(
    ("fmt", "top"),
    [("prometheus", "groups"), ("prometheusrule", "spec"), ("helm-values", "prometheusRule")],
)
def test_rules_formats(fmt: str, top: str, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    assert main(["rules", str(EXAMPLE), "--format", fmt, "-o", str(out)]) == 0
    assert top in yaml.safe_load(out.read_text())


def test_invalid_spec_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "slo.yaml"
    bad.write_text(EXAMPLE.read_text().replace("0.999", "1.2"))
    assert main(["rules", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "slos.availability.objective" in err
    assert "strictly between 0 and 1" in err


@pytest.mark.requires("promtool")
def test_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE)]) == 0
    assert "rules accepted by promtool" in capsys.readouterr().out


def test_warnings_for_unalertable_objectives() -> None:
    spec = parse_spec(
        {
            "service": "w",
            "team": "t",
            "runbook_url": "https://r.example.com/w",
            "slos": {"queue_backlog": {"objective": 0.8, "max_age_seconds": 5}},
        }
    )
    assert any("no burn-rate page can ever fire" in w for w in warnings(spec))
