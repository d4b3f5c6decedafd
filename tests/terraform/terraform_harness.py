"""Driving the real terraform binary against a copy of terraform/.

Every test works on a private copy of the repository's terraform/ tree (so
`terraform init` never writes lock files or `.terraform/` into the checkout)
with its own TF_DATA_DIR, and all tests share one provider plugin cache, so
parallel runs do not clash and each `init` only links the provider from the
offline mirror instead of copying ~700 MB.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO / "terraform"
MODULES = sorted(p.name for p in (TERRAFORM_DIR / "modules").iterdir() if p.is_dir())
STACKS = sorted(p.name for p in (TERRAFORM_DIR / "stacks").iterdir() if p.is_dir())
TIMEOUT_SECONDS = 600  # a hang guard on 2 shared cores, not a performance assertion


@dataclass(frozen=True)
class Terraform:
    """Runs terraform in the private copy of terraform/, with isolated state dirs."""

    root: Path
    env: dict[str, str]

    def run(self, workdir: Path, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
        """Run `terraform <args>` in workdir; fail the test with the output on error."""
        env = {**self.env, "TF_DATA_DIR": str(data_dir)}
        proc = subprocess.run(
            ["terraform", *args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        if proc.returncode != 0:
            pytest.fail(
                f"terraform {' '.join(args)} failed in {workdir.relative_to(self.root)} "
                f"(exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def init(self, workdir: Path, data_dir: Path) -> None:
        """`terraform init -backend=false`: providers from the offline mirror, no state."""
        self.run(workdir, "init", "-backend=false", "-input=false", "-no-color", data_dir=data_dir)


def _ignore_local_artefacts(_dir: str, names: list[str]) -> set[str]:
    return {n for n in names if n == ".terraform"}


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    """A copy of terraform/ plus the environment every terraform call runs with."""
    base = tmp_path_factory.mktemp("terraform")
    root = base / "terraform"
    shutil.copytree(TERRAFORM_DIR, root, ignore=_ignore_local_artefacts)
    # Module lock files are per-checkout (gitignored): start from none.
    for lock in (root / "modules").rglob(".terraform.lock.hcl"):
        lock.unlink()
    cache = base / "plugin-cache"
    cache.mkdir()
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(TERRAFORM_DIR / "terraformrc"),
        "TF_PLUGIN_CACHE_DIR": str(cache),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",  # no version check calls home
    }
    return Terraform(root=root, env=env)
