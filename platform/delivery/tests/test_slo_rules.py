"""SLO rules travel with a promotion: `promote --slo` writes the environment's
slo-rules.yaml (what `slipway-obs rules --format helm-values` prints) into the
same audited commit; `slo-rules` regenerates them; a wrong spec is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from delivery_helpers import REPO_ROOT, git
from slipway_contract.environments import ENVIRONMENTS
from slipway_delivery import gitops_cli
from slipway_delivery.gitops_tree import GitopsTree
from slipway_delivery.promotion import promote, record_verification
from slipway_observability.rules import helm_values
from slipway_observability.slo import load_spec

SERVICE = "orders-api"
SLO = REPO_ROOT / "services" / SERVICE / "slo.yaml"
DIGEST = "sha256:" + "5" * 64


def _cli(tree: Path, *args: str) -> int:
    return gitops_cli.main(["--tree", str(tree), *args])


def _rules(tree: Path, env: str) -> Path:
    return tree / "envs" / env / SERVICE / "slo-rules.yaml"


def test_promote_writes_the_slo_rules_in_the_same_commit(tree: Path, tmp_path: Path) -> None:
    # An SLO change on its way: one objective tightened, so the rules differ.
    spec = yaml.safe_load(SLO.read_text())
    spec["slos"]["availability"]["objective"] = 0.9995
    slo = tmp_path / "slo.yaml"
    slo.write_text(yaml.safe_dump(spec))
    before = _rules(tree, "qa").read_text()
    assert _cli(tree, "record", "--service", SERVICE, "--env", "build", "--digest", DIGEST,
                "--result", "passed", "--version", "1.0.0") == 0  # fmt: skip
    assert _cli(tree, "promote", "--service", SERVICE, "--env", "dev", "--digest", DIGEST,
                "--version", "1.0.0", "--slo", str(slo)) == 0  # fmt: skip
    assert yaml.safe_load(_rules(tree, "dev").read_text()) == helm_values(load_spec(slo))
    assert _rules(tree, "qa").read_text() == before  # only the promoted environment
    changed = git(tree, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert f"envs/dev/{SERVICE}/slo-rules.yaml" in changed
    assert f"envs/dev/{SERVICE}/values.yaml" in changed


def test_promote_without_a_spec_leaves_the_rules(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _rules(tree, "dev").read_text()
    assert _cli(tree, "record", "--service", SERVICE, "--env", "build", "--digest", DIGEST,
                "--result", "passed", "--version", "1.0.0") == 0  # fmt: skip
    assert _cli(tree, "promote", "--service", SERVICE, "--env", "dev", "--digest", DIGEST,
                "--version", "1.0.0") == 0  # fmt: skip
    assert "SLO rules left as they are" in capsys.readouterr().err
    assert _rules(tree, "dev").read_text() == before


def test_slo_rules_command_writes_every_environment(tree: Path) -> None:
    for env in ENVIRONMENTS:
        _rules(tree, env).unlink()
    assert _cli(tree, "slo-rules", SERVICE, "--slo", str(SLO)) == 0
    for env in ENVIRONMENTS:
        assert yaml.safe_load(_rules(tree, env).read_text()) == helm_values(load_spec(SLO))


def test_a_spec_of_another_service_is_refused(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = REPO_ROOT / "services" / "events-worker" / "slo.yaml"
    assert _cli(tree, "slo-rules", SERVICE, "--slo", str(other)) == 2
    err = capsys.readouterr().err
    assert "describes service 'events-worker', not 'orders-api'" in err
    assert "Traceback" not in err


def test_an_invalid_spec_names_the_field(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "slo.yaml"
    spec = yaml.safe_load(SLO.read_text())
    spec["slos"]["availability"]["objective"] = 1.5
    bad.write_text(yaml.safe_dump(spec))
    assert _cli(tree, "slo-rules", SERVICE, "--slo", str(bad), "--env", "dev") == 2
    assert "objective" in capsys.readouterr().err


def test_the_promotion_function_writes_them_too(tree: Path) -> None:
    """The local pipeline (nox -s pipeline) calls promote() directly, not the CLI."""
    t = GitopsTree(tree)
    record_verification(t, SERVICE, "build", DIGEST, "passed", version="1.0.0")
    done, _ = promote(t, SERVICE, "dev", DIGEST, "1.0.0", repository="127.0.0.1:5000/orders-api",
                      trigger="merge", slo=SLO)  # fmt: skip
    assert done.files[-1] == f"envs/dev/{SERVICE}/slo-rules.yaml"
    assert yaml.safe_load(_rules(tree, "dev").read_text()) == helm_values(load_spec(SLO))
