"""Forge-aware reruns (issue 17 item 3), with local bare repositories as the forges.

A human resolves the conflict on the remote update branch, pushes extra commits to
it, or merges it and deletes the branch: the next `update --publish push` builds on
that (reports it up to date), never fails the member, never re-creates anything.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from fleet_helpers import git_out, run_fleet, write_fleet
from slipway_fleet.testing import MemberFactory, commit_all, refs_snapshot


def _member_with_forge(
    tmp_path: Path, factory: MemberFactory, name: str, *, conflict: bool
) -> Path:
    member = factory.member(tmp_path / name, "v1.1.0")
    if conflict:
        app = member / "app.py"
        app.write_text(app.read_text().replace("TIMEOUT = 5", "TIMEOUT = 7"))
        commit_all(member, "we need 7")
    forge = tmp_path / f"{name}-forge.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "-b", "main", str(forge)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(forge)], cwd=member, check=True)
    subprocess.run(["git", "push", "--quiet", "origin", "main"], cwd=member, check=True)
    return forge


def _update(tmp_path: Path, name: str, state: str):  # type: ignore[no-untyped-def]
    fleet = write_fleet(tmp_path / f"{name}.yml", [{"repo": name}])
    args = ("update", "--fleet", fleet, "--to", "2.0.0", "--publish", "push")
    return run_fleet(*args, "--state-dir", tmp_path / state)


def _human_checkout(tmp_path: Path, forge: Path, branch: str) -> Path:
    work = tmp_path / "human"
    subprocess.run(["git", "clone", "--quiet", str(forge), str(work)], check=True)
    git_out(work, "checkout", "--quiet", branch)
    git_out(work, "config", "user.email", "alice@example.com")
    git_out(work, "config", "user.name", "Alice")
    return work


def test_conflict_resolved_on_the_remote_is_picked_up(
    tmp_path: Path, factory: MemberFactory
) -> None:
    forge = _member_with_forge(tmp_path, factory, "svc", conflict=True)
    first = _update(tmp_path, "svc", "s1")
    assert first.code == 4, first.doc  # conflicted: needs a human
    branch = first.member("svc")["branch"]
    human = _human_checkout(tmp_path, forge, branch)
    app = (human / "app.py").read_text()
    start, end = app.index("<<<<<<<"), app.index(">>>>>>>")
    (human / "app.py").write_text(app[:start] + "TIMEOUT = 7\n" + app[app.index("\n", end) + 1 :])
    commit_all(human, "resolve: keep 7")
    git_out(human, "push", "--quiet", "origin", branch)
    resolved = git_out(human, "rev-parse", "HEAD").strip()

    for state in ("s2", "s3"):  # a rerun, and a fresh state dir (fresh clones): same answer
        again = _update(tmp_path, "svc", state)
        out = again.member("svc")
        assert again.code == 0, again.doc
        assert out["result"] == "up-to-date", out
        assert out["commit"] == resolved
        assert git_out(forge, "rev-parse", branch).strip() == resolved  # never rewritten


def test_extra_human_commits_on_the_remote_branch_survive(
    tmp_path: Path, factory: MemberFactory
) -> None:
    forge = _member_with_forge(tmp_path, factory, "svc", conflict=False)
    first = _update(tmp_path, "svc", "s1")
    assert first.member("svc")["result"] == "updated", first.doc
    branch = first.member("svc")["branch"]
    human = _human_checkout(tmp_path, forge, branch)
    (human / "NOTES.md").write_text("reviewed by alice\n")
    commit_all(human, "review notes")
    git_out(human, "push", "--quiet", "origin", branch)
    tip = git_out(human, "rev-parse", "HEAD").strip()

    again = _update(tmp_path, "svc", "s2")

    out = again.member("svc")
    assert again.code == 0, again.doc
    assert out["result"] == "up-to-date", out
    assert out["commit"] == tip
    assert git_out(forge, "rev-parse", branch).strip() == tip


def test_branch_merged_and_deleted_on_the_remote_is_not_recreated(
    tmp_path: Path, factory: MemberFactory
) -> None:
    forge = _member_with_forge(tmp_path, factory, "svc", conflict=False)
    first = _update(tmp_path, "svc", "s1")
    branch = first.member("svc")["branch"]
    human = _human_checkout(tmp_path, forge, branch)
    git_out(human, "push", "--quiet", "origin", f"{branch}:main")  # merged (fast-forward)
    git_out(human, "push", "--quiet", "origin", "--delete", branch)
    refs = refs_snapshot(forge)

    again = _update(tmp_path, "svc", "s2")

    out = again.member("svc")
    assert again.code == 0, again.doc
    assert out["result"] == "up-to-date", out
    assert "main is at 2.0.0 already" in out["reason"]
    assert refs_snapshot(forge) == refs  # the deleted branch stays deleted
