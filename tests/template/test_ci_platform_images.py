"""The generated pipelines pull the platform's images from the service's registry.

A hosted runner has none of the images scripts/provision.sh builds offline (the base
every build is FROM, the integration/e2e dependencies): each pipeline sets
SLIPWAY_IMAGE_REGISTRY (slipway_contract.images) to the `image_registry` answer, the
registry the service image is pushed to and the platform team published them to, and
every job that pulls them logs in to it first when credentials are set.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from slipway_contract import images
from template_rendering import SERVICES

GITHUB_FILES = sorted(SERVICES.glob("*/.github/workflows/ci.yml"))
GITLAB_FILES = sorted(SERVICES.glob("*/.gitlab-ci.yml"))
# nox sessions of the generated noxfile that pull platform images: tests (integration
# dependencies), e2e (dependencies, and the gate's image build FROM the base),
# release (the image build FROM the base).
PULLING = re.compile(r"\bnox\s+-s\s+(tests|e2e|release|load)\b")
# The publish job's own login, or the pulling jobs' (skipped when no credentials are set).
LOGIN = re.compile(r'docker login "\$REGISTRY" --username "\$REGISTRY_USERNAME" --password-stdin')


def _answer(path: Path) -> str:
    service = SERVICES / path.relative_to(SERVICES).parts[0]
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    return str(answers["image_registry"])


def _unlogged_pulls(jobs: dict[str, list[str]]) -> dict[str, str]:
    """job -> its first line that pulls platform images before any registry login."""
    found = {}
    for name, lines in jobs.items():
        for line in lines:
            if LOGIN.search(line):
                break
            if PULLING.search(line):
                found[name] = line
                break
    return found


@pytest.mark.parametrize("path", GITHUB_FILES, ids=lambda p: p.parts[-4])
def test_github_pulls_the_platform_images_from_the_services_registry(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text())
    env = workflow["env"]
    assert env[images.REGISTRY_ENV] == env["REGISTRY"] == _answer(path)
    jobs = {
        name: [step["run"] for step in job["steps"] if "run" in step]
        for name, job in workflow["jobs"].items()
    }
    assert {n for n, lines in jobs.items() if any(PULLING.search(ln) for ln in lines)} >= {
        "test",
        "build",
    }
    assert not _unlogged_pulls(jobs), f"{path}: log in before pulling: {_unlogged_pulls(jobs)}"


def _flat(items: Any) -> list[str]:
    """GitLab flattens nested script arrays (the `*registry_login` anchor)."""
    if isinstance(items, str):
        return [items]
    return [line for item in items or [] for line in _flat(item)]


@pytest.mark.parametrize("path", GITLAB_FILES, ids=lambda p: p.parts[-2])
def test_gitlab_pulls_the_platform_images_from_the_services_registry(path: Path) -> None:
    config = yaml.safe_load(path.read_text())
    variables = config["variables"]
    assert variables[images.REGISTRY_ENV] == variables["REGISTRY"] == _answer(path)
    jobs = {
        name: _flat(job.get("script"))
        for name, job in config.items()
        if isinstance(job, dict) and "stage" in job
    }
    assert {n for n, lines in jobs.items() if any(PULLING.search(ln) for ln in lines)} >= {
        "test",
        "build",
    }
    assert not _unlogged_pulls(jobs), f"{path}: log in before pulling: {_unlogged_pulls(jobs)}"


def test_a_pull_before_the_login_is_found() -> None:
    login = (
        'if [ -n "$REGISTRY_USERNAME" ]; then echo "$REGISTRY_PASSWORD" | '
        'docker login "$REGISTRY" --username "$REGISTRY_USERNAME" --password-stdin; fi'
    )
    assert _unlogged_pulls({"ok": [login, "nox -s tests"]}) == {}
    assert _unlogged_pulls({"late": ["nox -s e2e", login]}) == {"late": "nox -s e2e"}
