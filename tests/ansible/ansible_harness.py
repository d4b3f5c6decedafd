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
CLIENT_KEY = "/root/id_bastion_test"
RECAP = re.compile(
    r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M
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
    """A running target container, a client container beside it on the docker
    bridge, and how to run the playbook against the target."""

    container: str
    client: str
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
        """Run a command in the target container."""
        return _docker("exec", self.container, *cmd)

    def ssh(
        self, user: str, *args: str, password_only: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """A real SSH login from the client container to the target, over the
        docker bridge (so the target's firewall is in the path)."""
        address = _docker(
            "inspect",
            "-f",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            self.container,
        ).stdout.strip()
        options = ["-o", "PreferredAuthentications=password"] if password_only else []
        return _docker(
            "exec",
            self.client,
            "ssh",
            "-i",
            CLIENT_KEY,
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "ConnectTimeout=20",
            *options,
            f"{user}@{address}",
            *args,
        )


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _start(name: str, *extra: str) -> None:
    proc = _docker("run", "-d", "--name", name, *extra, TARGET_IMAGE)
    if proc.returncode != 0:
        pytest.fail(f"docker run {name} failed: {proc.stderr}")


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
    """Fresh target and client containers, with an inventory pointing at the target."""
    _build_target_image()
    suffix = uuid.uuid4().hex[:10]
    target, client = f"ansible-bastion-{suffix}", f"ansible-bastion-client-{suffix}"
    try:
        # NET_ADMIN: the role loads its nftables ruleset into the container's own
        # network namespace, so the firewall is really applied, not just written.
        _start(target, "--cap-add", "NET_ADMIN")
        _start(client)
        # A throwaway key pair made in the client (the image has openssh-client):
        # the playbook installs the public half, the login test uses the private one.
        keygen = _docker(
            "exec", client, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test@slipway",
            "-f", CLIENT_KEY,
        )  # fmt: skip
        assert keygen.returncode == 0, keygen.stderr
        public_key = _docker("exec", client, "cat", f"{CLIENT_KEY}.pub").stdout.strip()
        inventory = tmp_path_factory.mktemp("inventory") / "hosts.yml"
        inventory.write_text(
            f"""all:
  hosts:
    target:
      ansible_connection: community.docker.docker
      ansible_host: {target}
      ansible_user: root
      bastion_hardening_users:
        - name: alice
          sudo: true
          ssh_keys: ["{public_key}"]
        - name: bob
          ssh_keys: ["{public_key}"]
        - name: mallory
          state: absent
"""
        )
        # mallory exists before the run, so that state=absent has work to do.
        made = _docker("exec", target, "useradd", "-m", "mallory")
        assert made.returncode == 0, made.stderr
        yield Bastion(container=target, client=client, inventory=inventory)
    finally:
        # Always, also after a failure: remove only what this fixture started.
        _docker("rm", "-f", target)
        _docker("rm", "-f", client)
