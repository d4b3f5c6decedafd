"""The real Slipway template through a fleet update, releases cut from this repository.

`real_template.cut_releases` clones this repository (objects shared, committed
history only) and tags two of its template commits as releases - the same setup
`slipway-fleet bench` measures. Two members generated from the older release with
different answers (one with a local README edit) are updated to the newer one
through the CLI. The unedited member's branch must hold exactly what a fresh
`copier copy` of the newer release renders with its answers (the update brings the
release, nothing more, nothing less); the edited member keeps its edit.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fleet_helpers import run_fleet, write_fleet
from slipway_fleet import real_template
from slipway_fleet.testing import MemberFactory, commit_all

HERE = Path(__file__).resolve().parent
NOTE = "On-call for this service: the payments rota."


def _branch_files(repo: Path, branch: str) -> dict[str, bytes]:
    def git(*args: str) -> bytes:
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, check=True, timeout=60
        ).stdout

    names = git("ls-tree", "-r", "-z", "--name-only", branch).decode().split("\0")
    return {n: git("cat-file", "blob", f"{branch}:{n}") for n in names if n}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def test_real_template_members_update_to_the_next_release(tmp_path: Path) -> None:
    try:
        source = real_template.find_repository(HERE)
    except real_template.RealTemplateError as exc:
        pytest.skip(str(exc))
    template = real_template.cut_releases(source, tmp_path / "slipway-template")
    factory = MemberFactory(template.repo, tmp_path / "renders")
    plain_answers, edited_answers = real_template.member_answers(0), real_template.member_answers(1)
    factory.member(tmp_path / "plain", real_template.OLD_TAG, **plain_answers)
    edited = factory.member(tmp_path / "edited", real_template.OLD_TAG, **edited_answers)
    readme = edited / "README.md"
    readme.write_text(readme.read_text() + f"\n{NOTE}\n")
    commit_all(edited, "local on-call note")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "plain"}, {"repo": "edited"}])

    to = real_template.NEW_TAG.removeprefix("v")
    run = run_fleet("update", "--fleet", fleet, "--to", to, "--state-dir", tmp_path / "s")

    assert run.code in (0, 3), run.doc  # 3: the README edit met a template change there
    plain = run.member("plain")
    assert plain["result"] == "updated", plain
    assert plain["from_version"] == "1.0.0"
    assert plain["to_version"] == to
    fresh = factory.render_into(tmp_path / "fresh", real_template.NEW_TAG, plain_answers)
    on_branch = _branch_files(tmp_path / "plain", plain["branch"])
    assert sorted(on_branch) == sorted(_files(fresh))
    different = [rel for rel, data in _files(fresh).items() if on_branch[rel] != data]
    assert different == [], different
    assert set(plain["seconds"]) >= {"clone", "render", "merge", "checks", "commit"}

    edited_out = run.member("edited")
    assert edited_out["result"] in ("updated", "conflicted"), edited_out
    kept = _branch_files(tmp_path / "edited", edited_out["branch"])
    assert NOTE in kept["README.md"].decode()
    assert f"_commit: {real_template.NEW_TAG}" in kept[".copier-answers.yml"].decode()
