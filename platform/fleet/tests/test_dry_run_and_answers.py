"""`--dry-run` shows real patches, conflicts and migrations and changes nothing;
new required questions take answers from data or fail with "missing answer"."""

from __future__ import annotations

from pathlib import Path

import yaml
from fleet_helpers import branches, run_fleet, show, write_fleet
from slipway_fleet.testing import MemberFactory, commit_all, refs_snapshot


def test_dry_run_shows_patch_conflicts_and_migrations_and_changes_nothing(
    tmp_path: Path, factory: MemberFactory
) -> None:
    clean = factory.member(tmp_path / "clean", "v1.0.0")
    conflict = factory.member(tmp_path / "conflict", "v1.1.0")
    (conflict / "app.py").write_text(
        (conflict / "app.py").read_text().replace("TIMEOUT = 5", "TIMEOUT = 7")
    )
    commit_all(conflict, "we need 7")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "clean"}, {"repo": "conflict"}])
    before = {p: (refs_snapshot(p), (p / "app.py").read_text()) for p in (clean, conflict)}

    run = run_fleet(
        "update", "--fleet", fleet, "--to", "v2.0.0", "--dry-run", "--state-dir", tmp_path / "state"
    )

    assert run.code == 4  # a conflict is coming: needs a human, the exit code says so
    out = run.member("clean")
    assert out["result"] == "would-update"
    assert out["branch"] == "slipway-update/1.0.0-to-2.0.0"
    assert "-TIMEOUT = 5\n+TIMEOUT = 10\n" in out["patch"]
    assert "deleted file mode" in out["patch"]
    assert "legacy.txt" in out["patch"]
    # listed in version order although copier.yml declares 2.0.0 first
    assert [m.split(":")[0] for m in out["migrations"]] == ["v1.1.0", "v2.0.0"]
    assert "1.1.0" in out["patch"]
    assert ".migrations.log" in out["patch"]
    bad = run.member("conflict")
    assert bad["result"] == "would-conflict"
    assert bad["conflicts"] == ["app.py"]
    assert [m.split(":")[0] for m in bad["migrations"]] == ["v2.0.0"]
    for path, (refs, app) in before.items():
        assert refs_snapshot(path) == refs
        assert (path / "app.py").read_text() == app
        assert branches(path) == {"main"}


def test_new_required_question_uses_member_data_or_fails_missing_answer(
    tmp_path: Path, factory: MemberFactory
) -> None:
    for name in ("with-data", "with-data-file", "with-data-dir", "without"):
        factory.member(tmp_path / name, "v2.0.0" if name != "without" else "v1.1.0")
    (tmp_path / "cc.yml").write_text(yaml.safe_dump({"cost_center": "CC-2"}))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "with-data-dir.yml").write_text("cost_center: CC-3\n")
    fleet = write_fleet(
        tmp_path / "fleet.yml",
        [
            {"repo": "with-data", "data": {"cost_center": "CC-1"}},
            {"repo": "with-data-file", "data_file": "cc.yml"},
            {"repo": "with-data-dir"},
            {"repo": "without"},
        ],
    )

    run = run_fleet(
        "update",
        "--fleet",
        fleet,
        "--to",
        "3.0.0",
        "--data-dir",
        tmp_path / "data",
        "--state-dir",
        tmp_path / "state",
    )

    assert run.code == 1
    missing = run.member("without")
    assert (missing["result"], missing["category"]) == ("failed", "missing-answer")
    assert "missing answer" in missing["reason"]
    assert "cost_center" in missing["reason"]
    assert branches(tmp_path / "without") == {"main"}
    for name, value in (
        ("with-data", "CC-1"),
        ("with-data-file", "CC-2"),
        ("with-data-dir", "CC-3"),
    ):
        out = run.member(name)
        assert out["result"] == "updated", out
        repo = tmp_path / name
        assert show(repo, out["branch"], "billing.txt") == f"cost centre: {value}\n"
        assert f"cost_center: {value}" in show(repo, out["branch"], ".copier-answers.yml")
        assert show(repo, out["branch"], ".migrations.log") == "3.0.0\n"
