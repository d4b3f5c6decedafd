"""The bastion playbook, run for real over the docker connection: it converges,
the second run changes nothing, and the host ends up hardened."""

from __future__ import annotations

import pytest
from ansible_harness import Bastion, PlayResult

pytestmark = pytest.mark.requires("docker", "ansible-playbook")


@pytest.fixture(scope="module")
def runs(bastion: Bastion) -> tuple[PlayResult, PlayResult]:
    """The playbook applied twice to the same fresh container."""
    return bastion.play(), bastion.play()


def test_first_run_converges(runs: tuple[PlayResult, PlayResult]) -> None:
    first, _ = runs
    assert first.failed == 0
    assert first.unreachable == 0
    assert first.changed > 0, "a fresh host must need changes"


def test_second_run_is_idempotent(runs: tuple[PlayResult, PlayResult]) -> None:
    _, second = runs
    assert second.failed == 0
    assert second.changed == 0, f"second run changed things:\n{second.output}"


def _task_outcome(output: str, task: str) -> str:
    """The first result line ("ok: [target]", "skipping: [target]"...) of a task."""
    after = output.split(f"TASK [bastion_hardening : {task}]", 1)[1]
    return next(line for line in after.splitlines() if "[target]" in line).strip()


@pytest.mark.parametrize(
    "task",
    [
        "Enable and start ssh",
        "Enable and start nftables",
        "Enable and start fail2ban",
        "Enable and start auditd",
    ],
)
def test_role_detects_container_and_leaves_daemons_alone(
    runs: tuple[PlayResult, PlayResult], task: str
) -> None:
    first, _ = runs
    assert _task_outcome(first.output, task).startswith("skipping: [target]")


def test_key_login_works_and_everything_else_is_refused(
    runs: tuple[PlayResult, PlayResult], bastion: Bastion
) -> None:
    del runs
    # No systemd in the container: start sshd by hand, with the hardened config.
    started = bastion.exec("/usr/sbin/sshd")
    assert started.returncode == 0, started.stderr
    alice = bastion.ssh("alice", "id", "-un")
    assert alice.returncode == 0, alice.stderr
    assert alice.stdout.strip() == "alice"
    root = bastion.ssh("root", "true")
    assert root.returncode != 0, "root must not log in"
    password = bastion.ssh("bob", "true", password_only=True)
    assert password.returncode != 0
    assert "Permission denied (publickey)" in password.stderr, password.stderr


def test_sshd_effective_configuration_is_hardened(
    runs: tuple[PlayResult, PlayResult], bastion: Bastion
) -> None:
    del runs
    proc = bastion.exec("/usr/sbin/sshd", "-T")
    assert proc.returncode == 0, proc.stderr
    effective = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    assert effective["permitrootlogin"] == "no"
    assert effective["passwordauthentication"] == "no"
    assert effective["kbdinteractiveauthentication"] == "no"
    assert effective["allowgroups"] == "bastion-ssh"
    assert effective["x11forwarding"] == "no"
    assert effective["maxauthtries"] == "3"


def test_users_from_the_list(runs: tuple[PlayResult, PlayResult], bastion: Bastion) -> None:
    del runs
    alice = bastion.exec("id", "-nG", "alice")
    assert set(alice.stdout.split()) >= {"bastion-ssh", "bastion-admins"}
    bob = bastion.exec("id", "-nG", "bob")
    assert "bastion-ssh" in bob.stdout.split()
    assert "bastion-admins" not in bob.stdout.split()
    assert bastion.exec("id", "mallory").returncode != 0, "mallory must be removed"
    keys = bastion.exec("cat", "/home/alice/.ssh/authorized_keys")
    assert keys.stdout.strip().endswith("test@slipway")
    sudoers = bastion.exec("/usr/sbin/visudo", "-c")
    assert sudoers.returncode == 0, sudoers.stdout + sudoers.stderr


def test_firewall_is_loaded_and_drops_by_default(
    runs: tuple[PlayResult, PlayResult], bastion: Bastion
) -> None:
    del runs
    ruleset = bastion.exec("nft", "list", "ruleset")
    assert ruleset.returncode == 0, ruleset.stderr
    assert "hook input priority filter; policy drop;" in ruleset.stdout
    assert "tcp dport 22 ct state new accept" in ruleset.stdout


def test_fail2ban_unattended_upgrades_and_audit_are_configured(
    runs: tuple[PlayResult, PlayResult], bastion: Bastion
) -> None:
    del runs
    assert bastion.exec("fail2ban-client", "--test").returncode == 0
    jail = bastion.exec("cat", "/etc/fail2ban/jail.local").stdout
    assert "[sshd]" in jail
    assert "enabled = true" in jail
    periodic = bastion.exec("cat", "/etc/apt/apt.conf.d/20auto-upgrades").stdout
    assert 'APT::Periodic::Unattended-Upgrade "1";' in periodic
    audit = bastion.exec("cat", "/etc/audit/rules.d/50-slipway-bastion.rules").stdout
    assert "-k sshd" in audit
    assert "-k root-commands" in audit
