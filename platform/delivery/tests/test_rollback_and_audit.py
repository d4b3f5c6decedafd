"""Rollback to the last digest that passed, and the signed-off audit trail, on a real git tree.

The tree is a git repository holding a copy of platform/gitops (conftest `tree`);
every command runs through `slipway-gitops` as CI or an operator would, and
the trail is read back with plain git as well as with `history`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from delivery_helpers import git
from slipway_contract.environments import ENVIRONMENTS
from slipway_contract.exit_codes import ExitCode
from slipway_delivery import gitops_cli

SERVICE = "orders-api"
PASSED_OLD = "sha256:" + "1" * 64  # ran in prod, passed its checks
FAILED = "sha256:" + "2" * 64  # ran in prod, failed its checks
UNCHECKED = "sha256:" + "3" * 64  # running now, no prod check recorded
NEVER_DEPLOYED = "sha256:" + "4" * 64


def _cli(tree: Path, *args: str) -> int:
    return gitops_cli.main(["--tree", str(tree), *args])


def _ship_to_prod(tree: Path, digest: str, version: str, prod_result: str | None) -> None:
    """build -> dev -> qa -> stage -> prod, each stage passing, then prod's own verdict."""
    svc = ["--service", SERVICE, "--actor", "ci-bot"]
    assert _cli(tree, "record", *svc, "--env", "build", "--digest", digest,
                "--result", "passed", "--version", version) == 0  # fmt: skip
    for env in ENVIRONMENTS:
        gated = ["--trigger", "tag", "--approved-by", "alice"] if env in ("stage", "prod") else []
        assert _cli(tree, "promote", *svc, "--env", env, "--digest", digest,
                    "--version", version, *gated) == 0  # fmt: skip
        if env != "prod":
            assert _cli(tree, "record", *svc, "--env", env, "--digest", digest,
                        "--result", "passed") == 0  # fmt: skip
    if prod_result:
        assert _cli(tree, "record", *svc, "--env", "prod", "--digest", digest,
                    "--result", prod_result) == 0  # fmt: skip


@pytest.fixture
def shipped(tree: Path) -> Path:
    _ship_to_prod(tree, PASSED_OLD, "1.0.0", "passed")
    _ship_to_prod(tree, FAILED, "1.1.0", "failed")
    _ship_to_prod(tree, UNCHECKED, "1.2.0", None)
    return tree


def _prod_digest(tree: Path) -> str:
    values = yaml.safe_load((tree / "envs/prod/orders-api/values.yaml").read_text())
    return str(values["image"]["digest"])


def test_rollback_skips_failed_and_unchecked_digests(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The previous digest failed in prod: rollback goes past it to the one that passed."""
    head_before = git(shipped, "rev-parse", "HEAD")
    code = _cli(shipped, "rollback", SERVICE, "--env", "prod", "--actor", "oncall-bob",
                "--reason", "p99 over SLO after 1.2.0")  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert _prod_digest(shipped) == PASSED_OLD
    assert f"rollback from {UNCHECKED} to {PASSED_OLD}" in capsys.readouterr().out
    # One commit, carrying only the pull request's two files; the work tree is clean.
    assert git(shipped, "rev-parse", "HEAD~1") == head_before
    changed = git(shipped, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["envs/prod/orders-api/promotions.yaml", "envs/prod/orders-api/values.yaml"]
    assert git(shipped, "status", "--porcelain") == ""
    history = yaml.safe_load((shipped / "envs/prod/orders-api/promotions.yaml").read_text())
    assert [r["digest"] for r in history] == [PASSED_OLD, FAILED, UNCHECKED, PASSED_OLD]
    assert history[-1]["trigger"] == "rollback"


def test_rollback_commit_is_signed_off_with_trailers(shipped: Path) -> None:
    assert _cli(shipped, "rollback", SERVICE, "--env", "prod", "--actor", "oncall-bob",
                "--reason", "p99 over SLO") == 0  # fmt: skip
    trailers = git(shipped, "log", "-1", "--format=%(trailers:unfold,only)")
    parsed = dict(line.split(": ", 1) for line in trailers.splitlines())
    assert parsed["Action"] == "rollback"
    assert parsed["Environment"] == "prod"
    assert parsed["Digest"] == PASSED_OLD
    assert parsed["Version"] == "1.0.0"
    assert parsed["Actor"] == "oncall-bob"
    assert parsed["Reason"] == "p99 over SLO"
    assert parsed["Checks"].startswith("prod passed at ")
    assert parsed["Signed-off-by"] == "Release Bot <release-bot@example.com>"
    assert git(shipped, "log", "-1", "--format=%s") == "rollback(prod): orders-api 1.0.0"


@pytest.mark.parametrize(
    ("digest", "message"),
    [
        (FAILED, f"passed its prod checks (candidates: {FAILED} (failed))"),
        (NEVER_DEPLOYED, "was never deployed to prod"),
        (UNCHECKED, "already runs"),
    ],
)  # fmt: skip
def test_explicit_digest_that_never_passed_is_refused(
    shipped: Path, digest: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    head = git(shipped, "rev-parse", "HEAD")
    code = _cli(shipped, "rollback", SERVICE, "--env", "prod", "--digest", digest,
                "--reason", "try")  # fmt: skip
    assert code == ExitCode.NEEDS_HUMAN  # refused: CONTRACTS.md exit 4
    assert message in capsys.readouterr().err
    assert _prod_digest(shipped) == UNCHECKED
    assert git(shipped, "rev-parse", "HEAD") == head
    assert git(shipped, "status", "--porcelain") == ""


def test_no_digest_ever_passed_refuses(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _ship_to_prod(tree, FAILED, "1.1.0", "failed")
    _ship_to_prod(tree, UNCHECKED, "1.2.0", None)
    assert _cli(tree, "rollback", SERVICE, "--env", "prod", "--reason", "x") == ExitCode.NEEDS_HUMAN
    assert "no earlier digest of orders-api passed its prod checks" in capsys.readouterr().err


def test_flag_flip_is_an_audited_commit(shipped: Path) -> None:
    flip = ["--flag", "items-kill-switch", "--variant", "on", "--actor", "oncall-bob"]
    assert _cli(shipped, "flag", SERVICE, "--env", "prod", *flip, "--reason", "db overload") == 0
    trailers = git(shipped, "log", "-1", "--format=%(trailers:key=Checks,valueonly)")
    assert trailers.strip() == "flag items-kill-switch: off -> on (no deploy)"
    assert (
        git(shipped, "show", "--name-only", "--format=", "HEAD")
        == "envs/prod/orders-api/flags.yaml"
    )


def test_history_lists_every_change_newest_first(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(shipped, "rollback", SERVICE, "--env", "prod", "--actor", "oncall-bob",
                "--reason", "p99 over SLO") == 0  # fmt: skip
    assert _cli(shipped, "flag", SERVICE, "--env", "prod", "--flag", "items-kill-switch",
                "--variant", "on", "--reason", "db overload") == 0  # fmt: skip
    capsys.readouterr()
    assert _cli(shipped, "history", SERVICE, "--env", "prod", "--json") == 0
    envelope = json.loads(capsys.readouterr().out)  # all of stdout: one envelope
    assert (envelope["command"], envelope["result"]) == ("slipway-gitops history", "ok")
    entries = envelope["data"]
    # 3 x (promote + prod record, except the unchecked one) + rollback + flag
    assert [e["action"] for e in entries] == [
        "flag", "rollback", "promote", "record", "promote", "record", "promote",
    ]  # fmt: skip
    assert {e["environment"] for e in entries} == {"prod"}
    assert entries[1]["digest"] == PASSED_OLD
    assert entries[1]["actor"] == "oncall-bob"
    assert entries[0]["actor"] == "Release Bot"  # no --actor: git's user.name
    assert all(e["signed_off_by"] == ["Release Bot <release-bot@example.com>"] for e in entries)
    promoted = entries[2]
    assert (promoted["digest"], promoted["actor"]) == (UNCHECKED, "ci-bot")
    assert promoted["checks"].startswith("stage passed at ")
    # Every commit the CLI made to prod's files is in the trail: none left out.
    paths = ["envs/prod", "verifications/orders-api/prod.yaml"]
    seed = git(shipped, "rev-list", "--max-parents=0", "HEAD")  # the tree's initial copy
    commits = git(shipped, "rev-list", "HEAD", "--not", seed, "--", *paths)
    assert set(commits.split()) == {e["commit"] for e in entries}

    assert _cli(shipped, "history", SERVICE) == 0
    table = capsys.readouterr().out
    assert "audited change(s), newest first" in table
    assert "oncall-bob" in table
    assert "p99 over SLO" in table
    assert PASSED_OLD.removeprefix("sha256:")[:12] in table


def test_a_tree_outside_git_is_refused_before_writing(
    tmp_path: Path, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(tree, plain, ignore=shutil.ignore_patterns(".git"))
    code = _cli(plain, "record", "--service", SERVICE, "--env", "build", "--digest", PASSED_OLD,
                "--result", "passed")  # fmt: skip
    assert code == 2
    assert "is not inside a git work tree" in capsys.readouterr().err
    assert not (plain / "verifications").exists()
    assert _cli(plain, "record", "--service", SERVICE, "--env", "build", "--digest", PASSED_OLD,
                "--result", "passed", "--no-commit") == 0  # fmt: skip
    assert (plain / "verifications/orders-api/build.yaml").is_file()


def test_service_named_twice_differently_is_a_usage_error(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _cli(tree, "history", SERVICE, "--service", "events-worker")
    assert code == 2
    assert "SERVICE 'orders-api' and --service 'events-worker' differ" in capsys.readouterr().err
