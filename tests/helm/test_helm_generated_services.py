"""The services generated from the template (services/*) deploy with this chart:
their values for every environment, layered as the GitOps Application layers
them, render to valid, Pod Security "restricted" manifests (checkov covers them
too: tests/helm/test_helm_checkov.py scans the same folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helm_render import ENVIRONMENTS, app_container, container_env, generated_services, one
from helm_render import pod_specs as pods_of
from manifest_validation import problems
from pod_security import violations

pytestmark = pytest.mark.requires("helm")


def test_generated_services_exist() -> None:
    assert generated_services(), "services/* should hold the template's example services"


def test_generated_services_render_valid_restricted_manifests(
    rendered_services: dict[str, Path],
) -> None:
    assert rendered_services, "no generated service was rendered"
    services = {name.removeprefix("service-").rsplit("-", 1)[0] for name in rendered_services}
    assert len(rendered_services) == len(services) * len(ENVIRONMENTS)
    failures = []
    for name, path in rendered_services.items():
        manifests = [m for m in yaml.safe_load_all(path.read_text()) if m]
        for m in manifests:
            failures += [f"{name} {m['kind']}/{m['metadata']['name']}: {p}" for p in problems(m)]
        for pod, spec in pods_of(manifests):
            failures += [f"{name} {pod}: {v}" for v in violations(spec)]
        env = container_env(app_container(manifests))
        assert env["APP_ENV"] == name.rsplit("-", 1)[1], name
        assert one(manifests, "ConfigMap")["data"]["flags.json"]
    assert not failures, "\n".join(failures)
