"""Publishing: branches pushed to local bare repositories as the members' remotes,
PRs opened through a FAKE GitHub/GitLab API (tests/fake_forge.py); errors per member."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from fake_forge import fake_forge
from fleet_helpers import branches, run_fleet, write_fleet
from slipway_fleet.publish import PublishConfig, PublishError, PullRequest, open_pull_request
from slipway_fleet.testing import MemberFactory, commit_all, refs_snapshot


def _with_remote(repo: Path, remote: Path | str) -> None:
    if isinstance(remote, Path):
        subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(remote)], cwd=repo, check=True)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_github_publish_pushes_opens_prs_once_and_isolates_errors(
    tmp_path: Path, factory: MemberFactory
) -> None:
    clean = factory.member(tmp_path / "clean", "v1.1.0")
    conflict = factory.member(tmp_path / "conflict", "v1.1.0")
    (conflict / "app.py").write_text(
        (conflict / "app.py").read_text().replace("TIMEOUT = 5", "TIMEOUT = 7")
    )
    commit_all(conflict, "we need 7")
    broken = factory.member(tmp_path / "broken-remote", "v1.1.0")
    _with_remote(clean, tmp_path / "clean-remote.git")
    _with_remote(conflict, tmp_path / "conflict-remote.git")
    _with_remote(broken, str(tmp_path / "no-such-remote.git"))
    fleet = write_fleet(
        tmp_path / "fleet.yml",
        [
            {"repo": "clean", "project": "acme/clean"},
            {"repo": "conflict", "project": "acme/conflict"},
            {"repo": "broken-remote", "project": "acme/broken"},
        ],
    )
    state = tmp_path / "state"
    with fake_forge() as forge:
        args = (
            "update",
            "--fleet",
            fleet,
            "--to",
            "2.0.0",
            "--publish",
            "github",
            "--api-url",
            forge.url,
            "--state-dir",
            state,
        )
        env = {"GITHUB_TOKEN": forge.token}
        first = run_fleet(*args, env=env)
        remote_refs = refs_snapshot(tmp_path / "clean-remote.git")
        second = run_fleet(*args, env=env)

    assert first.code == 1
    ok = first.member("clean")
    assert ok["result"] == "updated"
    assert ok["pull_request"].startswith(f"{forge.url}/pull/")
    assert branches(tmp_path / "clean-remote.git") == {ok["branch"]}
    bad = first.member("conflict")
    assert bad["result"] == "conflicted"
    assert bad["pull_request"]
    failed = first.member("broken-remote")
    assert (failed["result"], failed["category"]) == ("failed", "publish")
    assert "no-such-remote" in failed["reason"]
    by_project = {p["project"]: p for p in forge.pulls}
    assert ok["pull_request"] == by_project["acme/clean"]["html_url"]
    assert set(by_project) == {"acme/clean", "acme/conflict"}  # exactly one PR each
    assert by_project["acme/clean"]["draft"] is False
    assert by_project["acme/clean"]["base"] == "main"
    assert by_project["acme/conflict"]["draft"] is True
    assert forge.labels[by_project["acme/conflict"]["number"]] == ["needs-human"] * 2
    # rerun: no new PR, no new commit on the remote, the broken member still reported
    assert len(forge.pulls) == 2
    assert refs_snapshot(tmp_path / "clean-remote.git") == remote_refs
    assert second.member("clean")["pull_request"] == ok["pull_request"]
    assert second.member("broken-remote")["category"] == "publish"


def test_gitlab_merge_request(tmp_path: Path, factory: MemberFactory) -> None:
    repo = factory.member(tmp_path / "svc", "v1.1.0")
    _with_remote(repo, tmp_path / "svc-remote.git")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "svc", "project": "group/svc"}])
    with fake_forge() as forge:
        up = run_fleet(
            "update",
            "--fleet",
            fleet,
            "--to",
            "2.0.0",
            "--publish",
            "gitlab",
            "--api-url",
            forge.url,
            "--state-dir",
            tmp_path / "state",
            env={"GITLAB_TOKEN": forge.token},
        )
    assert up.code == 0, up.doc
    assert up.member("svc")["pull_request"] == f"{forge.url}/mr/1"
    assert forge.pulls[0]["project"] == "group/svc"
    assert forge.pulls[0]["head"] == "slipway-update/1.1.0-to-2.0.0"
    assert branches(tmp_path / "svc-remote.git") == {"slipway-update/1.1.0-to-2.0.0"}


def test_unreachable_api_or_bad_token_is_a_publish_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pr = PullRequest("t", "b", head="h", base="main", draft=False, labels=())
    monkeypatch.setenv("GITLAB_TOKEN", "x")
    down = PublishConfig(provider="gitlab", api_url=f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(PublishError, match="gitlab API unreachable"):
        open_pull_request(down, "group/svc", pr)
    with fake_forge() as forge:
        wrong = PublishConfig(provider="gitlab", api_url=forge.url)
        with pytest.raises(PublishError, match="answered 401"):
            open_pull_request(wrong, "group/svc", pr)
    monkeypatch.delenv("GITLAB_TOKEN")
    assert open_pull_request(down, "group/svc", pr) == ""  # no token: push only, no PR
