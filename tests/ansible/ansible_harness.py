"""Running the bastion playbook for real against a container.

The target image is built FROM the local base image (slipway/python-base),
a container is started from it, and Ansible reaches it through the docker
connection plugin (community.docker.docker, shipped in the `ansible` package).
The container is removed after the tests, also when they fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_DIR = REPO / "platform" / "ansible"
BASE_IMAGE = os.environ.get("SLIPWAY_BASE_IMAGE", "slipway/python-base:bookworm")
TARGET_IMAGE = "ansible-bastion-target:test"
RECAP = re.compile(
    r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M
)

# A public key whose private half was thrown away: the playbook only installs it.
TEST_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKTdxO+hL/bpCiwpyalpJSt1q4CeWLfwyNWtHUbH2pxV test@slipway"
)


@dataclass(frozen=True)
class PlayResult:
    """One ansible-playbook run: its output and the recap counters of the host."""

    output: str
    ok: int
    changed: int
    unreachable: int
    failed: int


@dataclass(frozen=True)
class Bastion:
    """A running target container and how to run the playbook against it."""

    container: str
    inventory: Path

    def play(self) -> PlayResult:
        env = {
            **os.environ,
            "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_HOST_KEY_CHECKING": "False",
        }
        proc = subprocess.run(
            [
                "ansible-playbook",
                "-i",
                str(self.inventory),
                "-e",
                "bastion_hosts=target",
                str(ANSIBLE_DIR / "playbooks" / "bastion.yml"),
            ],
            cwd=ANSIBLE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        output = proc.stdout + proc.stderr
        recap = RECAP.search(output)
        assert recap, f"no PLAY RECAP (exit {proc.returncode}):\n{output}"
        result = PlayResult(output, *(int(g) for g in recap.groups()[1:]))
        assert proc.returncode == 0, f"ansible-playbook failed:\n{output}"
        return result

    def exec(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "exec", self.container, *cmd],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _build_target_image() -> None:
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    # Debian's docker client is the one with BuildKit here (see ../shared/ENVIRONMENT.md).
    docker_build = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"
    proc = subprocess.run(
        [
            docker_build,
            "build",
            "--build-arg",
            f"BASE_IMAGE={BASE_IMAGE}",
            "-t",
            TARGET_IMAGE,
            "-f",
            str(ANSIBLE_DIR / "tests" / "Dockerfile"),
            str(ANSIBLE_DIR / "tests"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"building {TARGET_IMAGE} failed:\n{proc.stdout}\n{proc.stderr}")


@pytest.fixture(scope="module")
def bastion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bastion]:
    """A fresh target container with an inventory pointing at it."""
    _build_target_image()
    name = f"ansible-bastion-{uuid.uuid4().hex[:10]}"
    # NET_ADMIN: the role loads its nftables ruleset into the container's own
    # network namespace, so the firewall is really applied, not just written.
    subprocess.run(
        ["docker", "run", "-d", "--name", name, "--cap-add", "NET_ADMIN", TARGET_IMAGE],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        inventory = tmp_path_factory.mktemp("inventory") / "hosts.yml"
        inventory.write_text(
            f"""all:
  hosts:
    target:
      ansible_connection: community.docker.docker
      ansible_host: {name}
      ansible_user: root
      bastion_hardening_users:
        - name: alice
          sudo: true
          ssh_keys: ["{TEST_KEY}"]
        - name: bob
          ssh_keys: ["{TEST_KEY}"]
        - name: mallory
          state: absent
"""
        )
        # mallory exists before the run, so that state=absent has work to do.
        subprocess.run(
            ["docker", "exec", name, "useradd", "-m", "mallory"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Bastion(container=name, inventory=inventory)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=120, check=False)
