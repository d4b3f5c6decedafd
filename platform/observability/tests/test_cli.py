"""The `slipway-obs` command line."""

from __future__ import annotations

import json
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


def test_dashboards_command(tmp_path: Path) -> None:
    assert main(["dashboards", str(EXAMPLE), "-o", str(tmp_path), "--no-png"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "orders-api-latency.json",
        "orders-api-red.json",
        "orders-api-slo.json",
    ]


def test_alertmanager_command(tmp_path: Path) -> None:
    out = tmp_path / "am.yml"
    assert main(["alertmanager", str(EXAMPLE), "--team", "search", "-o", str(out)]) == 0
    receivers = {r["name"] for r in yaml.safe_load(out.read_text())["receivers"]}
    assert {"payments-page", "payments-ticket", "search-page", "search-ticket"} <= receivers


@pytest.mark.requires("promtool")
def test_test_command_runs_promtool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    worker = EXAMPLE.with_name("orders-worker.slo.yaml")  # one SLO: the cheaper run
    assert main(["test", str(worker), "-o", str(tmp_path)]) == 0
    assert "SUCCESS" in capsys.readouterr().out
    assert (tmp_path / "orders-worker.test.yml").is_file()


SERVICE_SPECS = sorted(Path(__file__).resolve().parents[3].glob("services/*/slo.yaml"))


@pytest.mark.parametrize("spec", SERVICE_SPECS, ids=[p.parent.name for p in SERVICE_SPECS])
def test_example_services_specs_are_valid(spec: Path, tmp_path: Path) -> None:
    """The services generated from the template carry specs this package accepts."""
    assert (
        main(["rules", str(spec), "--format", "helm-values", "-o", str(tmp_path / "v.yaml")]) == 0
    )
    assert yaml.safe_load((tmp_path / "v.yaml").read_text())["prometheusRule"]["groups"]


def test_release_label_option(tmp_path: Path) -> None:
    out = tmp_path / "rule.yaml"
    args = ["rules", str(EXAMPLE), "--format", "prometheusrule", "--release-label", "monitoring"]
    assert main([*args, "-o", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["metadata"]["labels"]["release"] == "monitoring"


def test_alertmanager_delivery_options(tmp_path: Path) -> None:
    out = tmp_path / "am.yml"
    args = ["alertmanager", "--team", "search", "--email-domain", "corp.example"]
    assert main([*args, "--secrets-dir", "/run/secrets/am", "-o", str(out)]) == 0
    config = yaml.safe_load(out.read_text())
    ticket = next(r for r in config["receivers"] if r["name"] == "search-ticket")
    assert ticket["email_configs"][0]["to"] == "search-oncall@corp.example"
    assert config["global"]["smtp_auth_password_file"] == "/run/secrets/am/smtp-password"


def test_alertmanager_without_teams_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alertmanager"]) == 2
    assert "no team" in capsys.readouterr().err
    assert main(["alertmanager", "--json"]) == 2
    assert "no team" in json.loads(capsys.readouterr().out)["error"]  # the envelope says why


def test_json_puts_the_document_in_one_envelope(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", str(EXAMPLE), "--json"]) == 0
    envelope = json.loads(capsys.readouterr().out)  # all of stdout
    assert (envelope["command"], envelope["result"]) == ("slipway-obs rules", "ok")
    assert "groups" in yaml.safe_load(envelope["data"]["yaml"])


def test_json_reports_an_invalid_spec_as_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "slo.yaml"
    bad.write_text(EXAMPLE.read_text().replace("0.999", "1.2"))
    assert main(["rules", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    envelope = json.loads(captured.out)
    assert (envelope["exit_code"], envelope["result"]) == (2, "usage")
    assert "strictly between 0 and 1" in envelope["error"]
    assert "strictly between 0 and 1" in captured.err


def test_a_missing_promtool_is_not_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["check", str(EXAMPLE), "--json"]) == 3
    assert json.loads(capsys.readouterr().out)["result"] == "not run"
