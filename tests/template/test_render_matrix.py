"""Render every answer combination that changes the file set; each must pass its own checks.

Each rendered project runs its own lint (ruff, ruff format, yamllint, actionlint
or the GitLab structure check), its own strict mypy and its own unit tests in this environment; its
Helm values pass the platform chart's schema per environment; its slo.yaml is
a valid SLO spec. One combination also runs its integration tests against a
real container (the examples in services/ run theirs in the root `tests` session).
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from slipway_contract.environments import ENVIRONMENTS
from template_rendering import ROOT, render

COMBOS: dict[str, dict[str, Any]] = {
    "api-postgres-github-standalone": {
        "service_name": "stock-api",
        "service_kind": "http-api",
        "database": "postgres",
        "ci_provider": "github",
        "repo_mode": "standalone",
    },
    "api-memory-gitlab-monorepo": {
        "service_name": "quotes-api",
        "service_kind": "http-api",
        "database": "none",
        "ci_provider": "gitlab",
        "repo_mode": "monorepo",
        "environments": ["dev", "prod"],
        "rollout_strategy": "rolling",
    },
    "worker-rabbitmq-both-standalone": {
        "service_name": "mail-worker",
        "service_kind": "queue-worker",
        "queue": "rabbitmq",
        "ci_provider": "both",
        "repo_mode": "standalone",
        "rollout_strategy": "blueGreen",
    },
    "worker-redis-github-monorepo": {
        "service_name": "thumb-worker",
        "service_kind": "queue-worker",
        "queue": "redis",
        "ci_provider": "github",
        "repo_mode": "monorepo",
        "environments": ["dev", "qa"],
        "rollout_strategy": "canary",
    },
}
# The combination whose integration tests run here against a real container.
INTEGRATION_COMBO = "worker-redis-github-monorepo"
CHART = ROOT / "helm" / "slipway-service"
BIN = Path(sys.executable).parent
Combo = tuple[str, dict[str, Any], Path]
ALWAYS = ["Dockerfile", "noxfile.py", "pyproject.toml", "slo.yaml", "locustfile.py", "README.md"]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
ALWAYS += [".copier-answers.yml", ".pre-commit-config.yaml", "conftest.py"]


def _tool(name: str) -> str:
    """A lint tool from this environment's bin (the workspace's lint group), else PATH."""
    local = BIN / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def _run(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=project, capture_output=True, text=True, check=False, env=env, timeout=600
    )
    assert done.returncode == 0, (
        f"{' '.join(args)} failed in {project.name}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


@pytest.fixture(scope="module", params=sorted(COMBOS))
def combo(
    request: pytest.FixtureRequest, template_src: Path, tmp_path_factory: pytest.TempPathFactory
) -> Combo:
    name = str(request.param)
    answers = COMBOS[name]
    project = render(template_src, tmp_path_factory.mktemp(name) / answers["service_name"], answers)
    return name, answers, project


def test_file_set_follows_the_answers(combo: Combo) -> None:
    _, answers, project = combo
    package = project / "src" / answers["service_name"].replace("-", "_")
    api = answers["service_kind"] == "http-api"
    expected = {
        package / "items.py": api,
        package / "consumer.py": not api,
        package / "database.py": api and answers.get("database") == "postgres",
        package / "migrations" / "versions" / "0001_create_items.py": api
        and answers.get("database") == "postgres",
        project / ".github" / "workflows" / "ci.yml": answers["ci_provider"] in {"github", "both"},
        project / ".gitlab-ci.yml": answers["ci_provider"] in {"gitlab", "both"},
    }
    envs = answers.get("environments", ENVIRONMENTS)
    # One values.yaml for what the service is; the chart's environments/<env>.yaml
    # holds what differs per environment, so no values-<env>.yaml is generated.
    expected[project / "deploy" / "helm" / "values.yaml"] = True
    for env in ENVIRONMENTS:
        expected[project / "deploy" / "helm" / f"values-{env}.yaml"] = False
        expected[project / "flags" / f"{env}.json"] = env in envs
        expected[project / "deploy" / "terraform" / "envs" / f"{env}.tfvars"] = env in envs
    wrong = {
        str(p.relative_to(project)): want for p, want in expected.items() if p.is_file() != want
    }
    assert not wrong, f"files present/absent against the answers (True = expected): {wrong}"
    for always in ALWAYS:
        assert (project / always).is_file(), always
    assert not (project / "copier.yml").exists()
    assert not (project / "template").exists()


def test_project_passes_its_own_lint(combo: Combo) -> None:
    _, _, project = combo
    _run(project, _tool("ruff"), "check", ".")
    _run(project, _tool("ruff"), "format", "--check", ".")
    _run(project, _tool("yamllint"), "--strict", ".")
    workflow = project / ".github" / "workflows" / "ci.yml"
    if workflow.exists():
        _run(project, _tool("actionlint"), str(workflow.relative_to(project)))
    if (project / ".gitlab-ci.yml").exists():
        _check_gitlab_structure(yaml.safe_load((project / ".gitlab-ci.yml").read_text()))


def _check_gitlab_structure(ci: dict[str, Any]) -> None:
    """GitLab CI validated structurally (no GitLab here): stages, jobs, extends, needs."""
    stages = ci["stages"]
    assert stages[:6] == ["lint", "security", "test", "build", "scan", "publish"], stages
    assert any(s.startswith("deploy-") for s in stages)
    reserved = {"stages", "variables", "default", "workflow", "include"}
    jobs = {k: v for k, v in ci.items() if k not in reserved}
    # A key starting with "." is hidden (GitLab runs no job for it): a template to
    # extend, or an anchored snippet of any shape (a list of script lines).
    templates = {k: v for k, v in jobs.items() if k.startswith(".")}
    jobs = {k: v for k, v in jobs.items() if not k.startswith(".")}
    for name, job in jobs.items():
        if "extends" in job:
            assert job["extends"] in templates, f"job {name} extends unknown {job['extends']}"
        base = templates.get(job.get("extends", ""), {})
        merged = {**(base if isinstance(base, dict) else {}), **job}
        assert merged.get("stage") in stages, f"job {name}: stage {merged.get('stage')!r}"
        assert "script" in merged, f"job {name}: no script"
        for needed in merged.get("needs", []):
            assert needed in jobs, f"job {name} needs unknown job {needed}"
    for name, snippet in templates.items():
        assert isinstance(snippet, (dict, list)), f"hidden key {name}: {type(snippet).__name__}"
    manual = [
        n for n, j in jobs.items() if any(r.get("when") == "manual" for r in j.get("rules", []))
    ]
    assert {"deploy-stage", "deploy-prod"} <= set(manual), "stage/prod need a manual approval job"


def test_project_passes_its_own_typecheck(combo: Combo) -> None:
    _, _, project = combo
    _run(project, _tool("mypy"), "src")


def test_typecheck_sees_the_chassis_types(combo: Combo) -> None:
    """The chassis ships py.typed: a wrong call into it fails the project's mypy.

    (Without the marker, `ignore_missing_imports` would silently type it as Any.)
    """
    _, answers, project = combo
    probe = project / "src" / answers["service_name"].replace("-", "_") / "_probe.py"
    probe.write_text("from slipway_chassis import dependency_breaker\n\ndependency_breaker(1)\n")
    try:
        done = subprocess.run(
            [_tool("mypy"), str(probe.relative_to(project))],
            cwd=project, capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
    finally:
        probe.unlink()
    assert done.returncode == 1, done.stdout + done.stderr
    assert '"dependency_breaker" has incompatible type "int"' in done.stdout, done.stdout


def test_project_passes_its_own_unit_tests(combo: Combo) -> None:
    _, _, project = combo
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    out = _run(project, *PYTEST, "tests/unit", env=env)
    assert " passed" in out, out
    assert "failed" not in out, out


def test_slo_spec_is_valid(combo: Combo) -> None:
    from slipway_observability.slo import load_spec  # noqa: PLC0415

    _, answers, project = combo
    spec = load_spec(project / "slo.yaml")
    assert spec.service == answers["service_name"]


@pytest.mark.requires("helm")
def test_helm_values_pass_the_platform_chart(combo: Combo, tmp_path: Path) -> None:
    from slipway_observability.rules import helm_values  # noqa: PLC0415
    from slipway_observability.slo import load_spec  # noqa: PLC0415

    _, answers, project = combo
    slo_values = tmp_path / "slo-values.yaml"
    slo_values.write_text(yaml.safe_dump(helm_values(load_spec(project / "slo.yaml"))))
    values = project / "deploy" / "helm" / "values.yaml"
    for env in answers.get("environments", ENVIRONMENTS):
        name = answers["service_name"]
        rendered = _run(
            project, "helm", "template", name, str(CHART), "-f", str(_env_values(env)),
            "-f", str(values), "-f", str(slo_values),
        )  # fmt: skip
        docs = [d for d in yaml.safe_load_all(rendered) if d]
        kinds = {d["kind"] for d in docs}
        assert "PrometheusRule" in kinds, f"{env}: SLO rules not rendered"
        assert "latest" not in rendered.split("image:")[1].split("\n")[0]


def _env_values(env: str) -> Path:
    """The chart's layer for `env`, which Argo CD loads before the service's values."""
    return CHART / "environments" / f"{env}.yaml"


def _expected_egress(answers: dict[str, Any]) -> dict[str, int]:
    """Dependency name -> port the NetworkPolicy must allow, from the answers."""
    expected = {"otel-collector": 4318}
    if answers["service_kind"] == "http-api" and answers.get("database", "postgres") == "postgres":
        expected["postgres"] = 5432
    elif answers["service_kind"] == "queue-worker":
        queue = answers.get("queue", "rabbitmq")
        expected[queue] = {"rabbitmq": 5672, "redis": 6379}[queue]
    return expected


def _data_tier(env: str) -> list[ipaddress.IPv4Network]:
    """The env's data subnets as terraform/modules/network lays them out (2 to 4 AZs)."""
    stack = (ROOT / "terraform" / "stacks" / env / "environment.tf").read_text()
    match = re.search(r'vpc_cidr\s*=\s*"([0-9./]+)"', stack)
    assert match, f"terraform/stacks/{env}/environment.tf: no vpc_cidr"
    slices = list(ipaddress.ip_network(match.group(1)).subnets(new_prefix=24))
    return slices[144:148]  # cidrsubnet(vpc, 8, 144 + i)


@pytest.mark.requires("helm")
def test_network_policy_allows_the_answered_dependencies(combo: Combo) -> None:
    _, answers, project = combo
    expected = _expected_egress(answers)
    values = project / "deploy" / "helm" / "values.yaml"
    for env in answers.get("environments", ENVIRONMENTS):
        rendered = _run(
            project, "helm", "template", "svc", str(CHART), "-f", str(_env_values(env)),
            "-f", str(values),
        )  # fmt: skip
        name = f"{answers['service_name']}-allow"  # the chart's allow-list policy
        policy = next(
            d
            for d in yaml.safe_load_all(rendered)
            if d and d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == name
        )
        egress = policy["spec"]["egress"]
        ports = {p["port"] for rule in egress for p in rule.get("ports", [])}
        assert ports == {53, *expected.values()}, f"{env}: egress ports {ports}"
        cidrs = [
            ipaddress.ip_network(peer["ipBlock"]["cidr"])
            for rule in egress
            for peer in rule.get("to", [])
            if "ipBlock" in peer
        ]
        needs_data_tier = set(expected) - {"otel-collector"}
        assert len(cidrs) == len(needs_data_tier), f"{env}: ipBlocks {cidrs}"
        for cidr in cidrs:  # the data subnets of this env's VPC, not the pods' tier
            assert all(subnet.subnet_of(cidr) for subnet in _data_tier(env)), (env, cidr)
            assert cidr.prefixlen >= 22, f"{env}: {cidr} is wider than the data tier"
        collector = [
            rule for rule in egress if any(p["port"] == 4318 for p in rule.get("ports", []))
        ]
        peer = collector[0]["to"][0]
        assert peer["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": "observability"
        }


@pytest.mark.requires("terraform")
def test_terraform_root_is_formatted(combo: Combo) -> None:
    _, _, project = combo
    _run(project, "terraform", "fmt", "-check", "-recursive", "deploy/terraform")


@pytest.mark.requires("docker")
def test_one_combination_passes_its_integration_tests(template_src: Path, tmp_path: Path) -> None:
    answers = COMBOS[INTEGRATION_COMBO]
    project = render(template_src, tmp_path / answers["service_name"], answers)
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "TESTCONTAINERS_RYUK_DISABLED": "true"}
    out = _run(project, *PYTEST, "tests/integration", env=env)
    assert " passed" in out, out
    assert "skipped" not in out, out
