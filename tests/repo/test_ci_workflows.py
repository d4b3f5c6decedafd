"""The monorepo's root CI files (scripts/ci_workflows.py): where GitHub and GitLab look.

GitHub reads workflows only from the root .github/workflows/, GitLab only the root
.gitlab-ci.yml: each example service's pipeline must be reachable from there, run
when that service's files (or the platform's) change, and stay in sync with the
service's rendered pipeline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import ci_workflows  # noqa: E402

SERVICES = sorted(p.parent for p in ROOT.glob("services/*/.copier-answers.yml"))


def test_root_ci_files_are_in_sync_with_the_services() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ci_workflows.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_each_service_runs_from_the_root_when_its_files_change(service: Path) -> None:
    rel = service.relative_to(ROOT).as_posix()
    workflow = ROOT / ".github" / "workflows" / f"{service.name}.yml"
    assert workflow.is_file(), f"no root workflow for {rel}: GitHub would never run its CI"
    flow = yaml.safe_load(workflow.read_text())
    triggers = flow["on"]
    for event in ("push", "pull_request"):
        assert f"{rel}/**" in triggers[event]["paths"], f"{event}: not filtered on {rel}"
    assert flow["defaults"]["run"]["working-directory"] == rel
    steps = [step for job in flow["jobs"].values() for step in job["steps"]]
    assert any(str(s.get("uses", "")).startswith("astral-sh/setup-uv@") for s in steps)
    assert not any("provision.sh" in str(s.get("run", "")) for s in steps), (
        "hosted runners have no provision"
    )

    child = service / ".gitlab-ci.yml"
    if child.is_file():
        root_ci = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
        job = root_ci[service.name]
        assert job["trigger"] == {"include": f"{rel}/.gitlab-ci.yml", "strategy": "depend"}
        changes = [c for rule in job["rules"] for c in rule.get("changes", [])]
        assert f"{rel}/**/*" in changes


@pytest.mark.requires("actionlint")
def test_root_workflows_pass_actionlint() -> None:
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    done = subprocess.run(["actionlint", *workflows], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.requires("check-jsonschema")
def test_gitlab_files_pass_the_gitlab_ci_schema() -> None:
    files = [ROOT / ".gitlab-ci.yml", *(s / ".gitlab-ci.yml" for s in SERVICES)]
    existing = [str(f) for f in files if f.is_file()]
    done = subprocess.run(
        ["check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", *existing],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_generator_notices_and_repairs_a_stale_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = tmp_path / "services" / "ledger-api"
    (service / ".github" / "workflows").mkdir(parents=True)
    (service / ".copier-answers.yml").write_text("service_name: ledger-api\n")
    (service / ".github" / "workflows" / "ci.yml").write_text("name: ledger-api\n")
    (service / ".gitlab-ci.yml").write_text("stages: [lint]\n")
    monkeypatch.setattr(ci_workflows, "ROOT", tmp_path)
    assert set(ci_workflows.stale()) == {".github/workflows/ledger-api.yml", ".gitlab-ci.yml"}
    assert ci_workflows.main([]) == 0
    assert ci_workflows.stale() == []
    (service / ".github" / "workflows" / "ci.yml").write_text("name: ledger-api v2\n")
    assert ci_workflows.stale() == [".github/workflows/ledger-api.yml"]
    shutil.rmtree(service)
    assert ".github/workflows/ledger-api.yml (no such service any more)" in ci_workflows.stale()
