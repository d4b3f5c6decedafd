"""`status`: source, version, latest, how far behind, drift, open update branch;
an unreachable member makes the exit code non-zero with the reason."""

from __future__ import annotations

from pathlib import Path

from fleet_helpers import run_fleet, write_fleet
from slipway_fleet.gitcmd import git
from slipway_fleet.testing import MemberFactory, commit_all, init_repo


def test_status_reports_versions_drift_branches_and_unreachable(
    tmp_path: Path, factory: MemberFactory, template_repo: Path
) -> None:
    old = factory.member(tmp_path / "old", "v1.0.0")
    (old / "app.py").write_text((old / "app.py").read_text() + "# local\n")
    (old / "legacy.txt").unlink()
    commit_all(old, "local drift")
    factory.member(tmp_path / "newest", "v3.0.0", cost_center="CC")
    fleet = write_fleet(
        tmp_path / "fleet.yml",
        [
            {"repo": "old"},
            {"repo": "newest"},
            {"repo": "gone"},
        ],
    )
    git("branch", "slipway-update/1.0.0-to-2.0.0", cwd=old)  # as an earlier update left it

    run = run_fleet("status", "--fleet", fleet, "--state-dir", tmp_path / "state")

    assert run.code == 1  # the unreachable member
    s = {m["member"]: m for m in run.doc["members"]}
    assert s["old"]["source"] == str(template_repo)
    assert (s["old"]["version"], s["old"]["commit"], s["old"]["latest"]) == (
        "1.0.0",
        "v1.0.0",
        "3.0.0",
    )
    assert s["old"]["behind"] == 3  # 1.1.0, 2.0.0, 3.0.0
    assert s["old"]["drift_modified"] == ["app.py"]
    assert s["old"]["drift_deleted"] == ["legacy.txt"]
    assert s["old"]["update_branches"] == ["slipway-update/1.0.0-to-2.0.0"]
    assert s["newest"]["behind"] == 0
    assert s["newest"]["drift_modified"] == []
    assert s["gone"]["category"] == "unreachable"
    assert "does not exist" in s["gone"]["problem"]
    assert run.doc["summary"] == {"members": 3, "problems": 1, "behind": 1}


def test_discover_finds_repositories_and_subprojects(
    tmp_path: Path, factory: MemberFactory
) -> None:
    factory.member(tmp_path / "src" / "alone", "v1.1.0")
    mono = tmp_path / "src" / "mono"
    factory.render_into(mono / "services" / "a", "v1.1.0", {"project_name": "a"})
    factory.render_into(mono / "services" / "b", "v2.0.0", {"project_name": "b"})
    init_repo(mono)

    run = run_fleet("status", "--discover", tmp_path / "src", "--state-dir", tmp_path / "state")

    assert run.code == 0, run.doc
    found = {(m["member"], m["subdir"], m["version"]) for m in run.doc["members"]}
    assert found == {
        ("alone", "", "1.1.0"),
        ("mono-services-a", "services/a", "1.1.0"),
        ("mono-services-b", "services/b", "2.0.0"),
    }
