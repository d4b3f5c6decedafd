"""The issue's fleet: >= 20 members from earlier releases, every special case, two runs.

One fleet is generated once (copier copy per distinct answer set, then plain copies),
updated to 2.0.0 through the real CLI, and the results are asserted on the members'
git repositories and file contents. The second run must be a no-op.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fleet_helpers import Run, branches, git_out, run_fleet, show, write_fleet
from slipway_fleet.testing import MemberFactory, commit_all, init_repo, refs_snapshot

CLEAN = {  # name -> (release, answers)
    "clean-a": ("v1.1.0", {}),
    "clean-b": ("v1.1.0", {"owner": "team-b", "use_worker": True}),
    "clean-c": ("v1.1.0", {"owner": "team-c"}),
    "clean-d": ("v1.0.0", {}),
    "clean-e": ("v1.0.0", {"owner": "team-b", "use_worker": True}),
    "clean-f": ("v1.1.0", {"project_name": "billing"}),
    "clean-g": ("v1.1.0", {"owner": "team-b"}),
    "clean-h": ("v1.0.0", {"owner": "team-c"}),
}
README_NOTE = "\n## Local notes\n\nOn-call: alice\n"
CHECK = f"{sys.executable} -m compileall -q ."


@dataclass
class FleetRun:
    root: Path
    state: Path
    first: Run
    second: Run
    heads_before: dict[str, str]
    refs_after_first: dict[str, dict[str, str]]
    refs_after_second: dict[str, dict[str, str]]

    def repo(self, name: str) -> Path:
        return self.root / name


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def _build(root: Path, factory: MemberFactory) -> list[dict[str, object]]:
    members: list[dict[str, object]] = []
    for name, (tag, answers) in CLEAN.items():
        factory.member(root / name, tag, **answers)
        members.append({"repo": name})
    # local edits that merge cleanly with the template's changes
    m = factory.member(root / "edited-readme", "v1.1.0", owner="team-b")
    (m / "README.md").write_text((m / "README.md").read_text() + README_NOTE)
    commit_all(m, "local notes")
    m = factory.member(root / "edited-config", "v1.0.0")
    _edit(m / "config.yaml", "replicas: 1", "replicas: 3")
    commit_all(m, "scale out")
    m = factory.member(root / "edited-app", "v1.1.0")
    _edit(m / "app.py", "return 42", "return 43")
    (m / "custom.py").write_text("VALUE = 1\n")
    commit_all(m, "our helper")
    # the special cases
    m = factory.member(root / "conflict", "v1.1.0")
    _edit(m / "app.py", "TIMEOUT = 5", "TIMEOUT = 7")
    commit_all(m, "we need 7")
    m = factory.member(root / "edited-legacy", "v1.1.0")
    (m / "legacy.txt").write_text("our own legacy notes, still needed\n")
    commit_all(m, "legacy notes")
    m = factory.member(root / "deleted-readme", "v1.1.0")
    (m / "README.md").unlink()
    commit_all(m, "no readme here")
    m = factory.member(root / "dirty", "v1.1.0")
    (m / "config.yaml").write_text((m / "config.yaml").read_text() + "debug: true\n")
    m = factory.member(root / "unknown-version", "v1.1.0")
    _edit(m / ".copier-answers.yml", "_commit: v1.1.0", "_commit: v0.5.0")
    commit_all(m, "answers from a template fork")
    m = factory.member(root / "replay", "v1.0.0")
    _edit(m / ".copier-answers.yml", "_commit: v1.0.0", "_commit: v0.9.0")
    commit_all(m, "claims the broken release")
    m = factory.member(root / "failing-migration", "v1.1.0")
    (m / "FAIL_MIGRATION").write_text("the 2.0.0 migration refuses this member\n")
    commit_all(m, "marker")
    m = factory.member(root / "failing-checks", "v1.1.0")
    (m / "broken.py").write_text("def broken(:\n")
    commit_all(m, "a syntax error the checks catch")
    # two subprojects of one repository are two members
    mono = root / "mono"
    factory.render_into(mono / "services" / "a", "v1.1.0", {"project_name": "svc-a"})
    factory.render_into(mono / "services" / "b", "v1.0.0", {"project_name": "svc-b"})
    (mono / "README.md").write_text("a monorepo\n")
    init_repo(mono)
    # a member reached through a URL to a bare repository
    src = factory.member(root / "bare-src", "v1.1.0", owner="team-c")
    subprocess.run(
        ["git", "clone", "--quiet", "--bare", str(src), str(root / "bare.git")], check=True
    )
    shutil.rmtree(src)
    members += [
        {"repo": n}
        for n in (
            "edited-readme",
            "edited-config",
            "edited-app",
            "conflict",
            "edited-legacy",
            "deleted-readme",
            "dirty",
            "unknown-version",
            "replay",
            "failing-migration",
            "failing-checks",
        )
    ]
    members += [
        {"name": "mono-a", "repo": "mono", "subdir": "services/a"},
        {"name": "mono-b", "repo": "mono", "subdir": "services/b"},
        {"name": "bare", "repo": f"file://{root / 'bare.git'}"},
        {"name": "unreachable", "repo": "git://127.0.0.1:9/nothing-listens-here.git"},
    ]
    return members


def _local_repos(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / ".git").exists() or p.suffix == ".git")


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory: pytest.TempPathFactory, factory: MemberFactory) -> FleetRun:
    root = tmp_path_factory.mktemp("fleet")
    members = _build(root, factory)
    assert len(members) >= 20
    fleet = write_fleet(root / "fleet.yml", members, checks=[CHECK])
    state = root / "state"
    heads = {p.name: git_out(p, "rev-parse", "HEAD").strip() for p in _local_repos(root)}
    first = run_fleet(
        "update", "--fleet", fleet, "--to", "2.0.0", "--jobs", "2", "--state-dir", state
    )
    refs1 = {p.name: refs_snapshot(p) for p in _local_repos(root)}
    second = run_fleet(
        "update", "--fleet", fleet, "--to", "2.0.0", "--jobs", "2", "--state-dir", state
    )
    refs2 = {p.name: refs_snapshot(p) for p in _local_repos(root)}
    return FleetRun(root, state, first, second, heads, refs1, refs2)


def _result(run: Run, name: str) -> tuple[str, str | None]:
    m = run.member(name)
    return m["result"], m["category"]


def test_summary_and_exit_code(fleet_run: FleetRun) -> None:
    summary = fleet_run.first.doc["summary"]
    assert summary == {
        "updated": 15,
        "up-to-date": 0,
        "conflicted": 2,
        "skipped": 1,
        "failed": 5,
    }, fleet_run.first.doc
    assert fleet_run.first.code == 1  # any failure -> non-zero


@pytest.mark.parametrize("name", [*CLEAN, "mono-a", "mono-b", "bare"])
def test_clean_members_get_the_release_on_a_branch(fleet_run: FleetRun, name: str) -> None:
    out = fleet_run.first.member(name)
    assert (out["result"], out["category"]) == ("updated", None), out
    assert out["checks"] == [CHECK]
    repo_name, sub = {
        "mono-a": ("mono", "services/a/"),
        "mono-b": ("mono", "services/b/"),
        "bare": ("bare.git", ""),
    }.get(name, (name, ""))
    repo = fleet_run.repo(repo_name)
    ref = out["branch"]
    assert (
        ref == f"slipway-update/{sub.rstrip('/').replace('/', '-') + '/' if sub else ''}"
        f"{out['from_version']}-to-2.0.0"
    )
    assert "TIMEOUT = 10" in show(repo, ref, f"{sub}app.py")
    assert "Template generation: 2" in show(repo, ref, f"{sub}README.md")
    assert "timeout: 30" in show(repo, ref, f"{sub}config.yaml")
    assert show(repo, ref, f"{sub}docs/index.md").startswith("# ")
    assert "_commit: v2.0.0" in show(repo, ref, f"{sub}.copier-answers.yml")
    with pytest.raises(subprocess.CalledProcessError):
        show(repo, ref, f"{sub}legacy.txt")
    expected = "1.1.0\n2.0.0\n" if out["from_version"] == "1.0.0" else "2.0.0\n"
    assert show(repo, ref, f"{sub}.migrations.log") == expected  # once each, version order
    assert set(out["files_deleted"]) == {"legacy.txt"}
    message = git_out(repo, "log", "-1", "--format=%B", ref)
    assert f"from {out['from_version']} to 2.0.0" in message
    assert "Slipway-Fleet-Status: updated" in message


def test_member_trees_and_branches_untouched(fleet_run: FleetRun) -> None:
    for name, head in fleet_run.heads_before.items():
        repo = fleet_run.repo(name)
        assert git_out(repo, "rev-parse", "HEAD").strip() == head, name
        if not name.endswith(".git"):
            assert git_out(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
            assert (
                "TIMEOUT = 5"
                in (repo / ("services/a/app.py" if name == "mono" else "app.py")).read_text()
                or name == "conflict"
            )
    assert git_out(fleet_run.repo("dirty"), "status", "--porcelain").strip() == "M config.yaml"
    assert (fleet_run.repo("dirty") / "config.yaml").read_text().endswith("debug: true\n")


def test_local_edits_survive(fleet_run: FleetRun) -> None:
    def on_branch(name: str, path: str) -> str:
        return show(fleet_run.repo(name), fleet_run.first.member(name)["branch"], path)

    assert _result(fleet_run.first, "edited-readme") == ("updated", None)
    readme = on_branch("edited-readme", "README.md")
    assert readme.endswith(README_NOTE)
    assert "Template generation: 2" in readme
    config = on_branch("edited-config", "config.yaml")
    assert "replicas: 3" in config
    assert "timeout: 30" in config
    app = on_branch("edited-app", "app.py")
    assert "return 43" in app
    assert "TIMEOUT = 10" in app
    assert on_branch("edited-app", "custom.py") == "VALUE = 1\n"


def test_conflicting_edit_is_reported_never_committed_as_success(fleet_run: FleetRun) -> None:
    out = fleet_run.first.member("conflict")
    assert out["result"] == "conflicted"
    assert out["conflicts"] == ["app.py"]
    repo, ref = fleet_run.repo("conflict"), out["branch"]
    app = show(repo, ref, "app.py")
    assert "<<<<<<<" in app
    assert "TIMEOUT = 7" in app
    assert "TIMEOUT = 10" in app
    message = git_out(repo, "log", "-1", "--format=%B", ref)
    assert message.startswith("[needs human]")
    assert "Slipway-Fleet-Status: conflicted" in message
    assert "- app.py" in message


def test_template_deleted_but_member_edited_is_kept(fleet_run: FleetRun) -> None:
    out = fleet_run.first.member("edited-legacy")
    assert out["result"] == "conflicted"
    assert out["kept_edited"] == ["legacy.txt"]
    assert "legacy.txt" in out["conflicts"]
    assert (
        show(fleet_run.repo("edited-legacy"), out["branch"], "legacy.txt")
        == "our own legacy notes, still needed\n"
    )


def test_member_deleted_template_changed_stays_deleted(fleet_run: FleetRun) -> None:
    out = fleet_run.first.member("deleted-readme")
    assert out["result"] == "updated"
    assert out["kept_deleted"] == ["README.md"]
    with pytest.raises(subprocess.CalledProcessError):
        show(fleet_run.repo("deleted-readme"), out["branch"], "README.md")


@pytest.mark.parametrize(
    ("name", "result", "category", "words"),
    [
        ("dirty", "skipped", "dirty", "config.yaml"),
        ("unknown-version", "failed", "unknown-version", "v0.5.0"),
        ("replay", "failed", "replay", "v0.9.0"),
        ("failing-migration", "failed", "migration", "FAIL_MIGRATION"),
        ("failing-checks", "failed", "checks", "compileall"),
        ("unreachable", "failed", "unreachable", "127.0.0.1:9"),
    ],
)
def test_special_members_fail_with_a_category(
    fleet_run: FleetRun, name: str, result: str, category: str, words: str
) -> None:
    out = fleet_run.first.member(name)
    assert (out["result"], out["category"]) == (result, category), out
    assert words in out["reason"]
    if (fleet_run.root / name).exists():
        assert branches(fleet_run.repo(name)) == {"main"}  # nothing half-done left behind


def test_no_temporary_branches_or_worktrees(fleet_run: FleetRun) -> None:
    for name, refs in fleet_run.refs_after_first.items():
        heads = {r.removeprefix("refs/heads/") for r in refs if r.startswith("refs/heads/")}
        extra = {h for h in heads if h != "main" and not h.startswith("slipway-update/")}
        assert not extra, (name, extra)
        assert len(heads - {"main"}) <= (2 if name == "mono" else 1), (name, heads)
        if not name.endswith(".git"):
            assert len(git_out(fleet_run.repo(name), "worktree", "list").splitlines()) == 1
    assert not (fleet_run.state / "work").exists()


def test_second_run_is_a_no_op(fleet_run: FleetRun) -> None:
    assert fleet_run.refs_after_second == fleet_run.refs_after_first
    summary = fleet_run.second.doc["summary"]
    assert summary["updated"] == 0
    assert summary["up-to-date"] == 15
    assert summary["conflicted"] == 2
    assert fleet_run.second.member("clean-a")["reason"].endswith("(awaiting merge)")


def test_human_commits_on_the_update_branch_survive(fleet_run: FleetRun) -> None:
    repo = fleet_run.repo("conflict")
    ref = fleet_run.first.member("conflict")["branch"]
    git_out(repo, "checkout", "--quiet", ref)
    app = (repo / "app.py").read_text()
    start, end = app.index("<<<<<<<"), app.index(">>>>>>>")
    resolved = app[:start] + "TIMEOUT = 7\n" + app[app.index("\n", end) + 1 :]
    (repo / "app.py").write_text(resolved)
    commit_all(repo, "resolve: keep 7")
    human = git_out(repo, "rev-parse", "HEAD").strip()
    git_out(repo, "checkout", "--quiet", "main")
    only = write_fleet(fleet_run.root / "only-conflict.yml", [{"repo": "conflict"}])
    third = run_fleet(
        "update", "--fleet", only, "--to", "2.0.0", "--state-dir", fleet_run.root / "state-3"
    )
    out = third.member("conflict")
    assert out["result"] == "up-to-date"
    assert out["commit"] == human
    assert git_out(repo, "rev-parse", ref).strip() == human
    assert show(repo, ref, "app.py") == resolved
