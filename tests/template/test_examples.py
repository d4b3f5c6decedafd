"""services/: the example services are exactly what the template renders from their answers."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from template_rendering import (
    ANSWERS_FILE,
    ROOT,
    SERVICES,
    project_files,
    render,
    user_answers,
    without_volatile,
)

EXAMPLES = sorted(p.parent.name for p in SERVICES.glob(f"*/{ANSWERS_FILE}"))
REQUIRED = {
    "orders-api": {"service_kind": "http-api", "database": "postgres"},
    "events-worker": {"service_kind": "queue-worker", "queue": "rabbitmq"},
}
REQUIRED["orders-api"]["rollout_strategy"] = "canary"
REQUIRED["events-worker"]["rollout_strategy"] = "blueGreen"


def test_the_required_examples_exist_with_their_answers() -> None:
    for name, wanted in REQUIRED.items():
        answers = user_answers(SERVICES / name)
        assert {k: answers.get(k) for k in wanted} == wanted, name
        assert answers["repo_mode"] == "monorepo", name
        recorded = yaml.safe_load((SERVICES / name / ANSWERS_FILE).read_text())
        # Relative to the service: a plain `copier update` inside it finds the template.
        assert recorded["_src_path"] == "../..", name


def _tracked(project: Path) -> dict[str, bytes]:
    """Files of `project` that git would commit (tracked or untracked-not-ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {f: (project / f).read_bytes() for f in listed if (project / f).is_file()}


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_is_byte_exact_rerender(name: str, template_src: Path, tmp_path: Path) -> None:
    example = SERVICES / name
    rendered = render(template_src, tmp_path / name, user_answers(example))
    want = project_files(rendered)
    have = _tracked(example)
    want[ANSWERS_FILE] = without_volatile(want[ANSWERS_FILE])
    have[ANSWERS_FILE] = without_volatile(have[ANSWERS_FILE])
    assert sorted(have) == sorted(want), (
        f"{name}: file sets differ; only in services/: {sorted(set(have) - set(want))}, "
        f"only in the render: {sorted(set(want) - set(have))}. "
        "Re-render: python tests/template/template_rendering.py --regenerate-examples"
    )
    for path in sorted(want):
        if have[path] != want[path]:
            diff = difflib.unified_diff(
                want[path].decode().splitlines(),
                have[path].decode().splitlines(),
                f"render/{path}",
                f"services/{name}/{path}",
                lineterm="",
            )
            pytest.fail(f"{name}/{path} differs from the template's render:\n" + "\n".join(diff))


@pytest.mark.requires("terraform")
@pytest.mark.parametrize("name", EXAMPLES)
def test_example_terraform_validates_against_the_platform_module(name: str, tmp_path: Path) -> None:
    # Mirror the monorepo depth so the relative module source resolves, without
    # writing .terraform/ or a lock file into the checkout.
    root = tmp_path / "repo"
    (root / "services").mkdir(parents=True)
    (root / "terraform").symlink_to(ROOT / "terraform")
    relative = Path("services", name, "deploy", "terraform")
    work = shutil.copytree(ROOT / relative, root / relative)
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(ROOT / "terraform" / "terraformrc"),
        "TF_IN_AUTOMATION": "1",
    }
    for args in (["init", "-backend=false", "-input=false"], ["validate"], ["fmt", "-check"]):
        done = subprocess.run(
            ["terraform", *args], cwd=work, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"terraform {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
