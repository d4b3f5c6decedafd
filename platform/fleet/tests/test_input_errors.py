"""Input errors are usage errors before any member is touched; real causes are named.

issue 17 item 4: `--to banana` / `--to 0.5.0` (not a release) exit 2; a downgrade is
refused naming the member's version unless `--allow-downgrade`; an empty repository
and a HEAD naming a missing branch say so; migrations are shown rendered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fleet_helpers import branches, run_fleet, show, write_fleet
from slipway_fleet.testing import MemberFactory, refs_snapshot


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slipway_fleet.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("banana", "--to 'banana' is not a PEP 440 version"),
        ("0.5.0", "--to '0.5.0': no such template release (known: v0.9.0, v1.0.0"),
    ],
)
def test_bad_target_is_a_usage_error_before_any_member_is_touched(
    tmp_path: Path, factory: MemberFactory, target: str, message: str
) -> None:
    member = factory.member(tmp_path / "one", "v1.1.0")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "one"}])
    refs = refs_snapshot(member)

    proc = _cli("update", "--fleet", fleet, "--to", target, "--state-dir", tmp_path / "s")

    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert refs_snapshot(member) == refs
    assert not (tmp_path / "s" / "state.json").exists()  # no run was started


def test_usage_error_under_json_prints_the_usage_envelope(
    tmp_path: Path, factory: MemberFactory
) -> None:
    factory.member(tmp_path / "one", "v1.1.0")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "one"}])

    bad = _cli("update", "--fleet", fleet, "--to", "banana", "--json", "--state-dir", tmp_path)
    flag = _cli("update", "--fleet", fleet, "--to", "1.0.0", "--json", "--no-such-flag")

    assert bad.returncode == 2, bad.stdout + bad.stderr
    doc = json.loads(bad.stdout)  # stdout holds the envelope only; the person reads stderr
    assert (doc["command"], doc["exit_code"], doc["result"]) == ("slipway-fleet update", 2, "usage")
    assert "--to 'banana' is not a PEP 440 version" in doc["error"]
    assert flag.returncode == 2, flag.stdout + flag.stderr
    assert json.loads(flag.stdout)["result"] == "usage"
    assert "--no-such-flag" in flag.stderr


def test_downgrade_is_refused_naming_the_version_unless_allowed(
    tmp_path: Path, factory: MemberFactory
) -> None:
    newer = factory.member(tmp_path / "newer", "v2.0.0")
    (newer / "README.md").write_text((newer / "README.md").read_text() + "\nOur notes.\n")
    subprocess.run(["git", "commit", "-qam", "notes"], cwd=newer, check=True)
    factory.member(tmp_path / "older", "v1.0.0")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "newer"}, {"repo": "older"}])

    proc = _cli("update", "--fleet", fleet, "--to", "1.1.0", "--state-dir", tmp_path / "s")

    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "member newer is at 2.0.0, newer than --to 1.1.0" in proc.stderr
    assert "--allow-downgrade" in proc.stderr
    assert branches(newer) == {"main"}
    assert branches(tmp_path / "older") == {"main"}

    run = run_fleet(
        "update",
        "--fleet",
        fleet,
        "--to",
        "1.1.0",
        "--allow-downgrade",
        "--state-dir",
        tmp_path / "s",
    )

    assert run.code == 0, run.doc
    down = run.member("newer")
    assert down["result"] == "updated"
    assert (down["from_version"], down["to_version"]) == ("2.0.0", "1.1.0")
    assert "_commit: v1.1.0" in show(newer, down["branch"], ".copier-answers.yml")
    assert "legacy notes" in show(newer, down["branch"], "legacy.txt")  # 1.1.0 has it again
    assert "docs/index.md" in down["files_deleted"]
    assert show(newer, down["branch"], "README.md").endswith("Our notes.\n")  # edit kept
    assert run.member("older")["to_version"] == "1.1.0"


def _bare(path: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


def test_empty_repository_and_missing_default_branch_are_named(
    tmp_path: Path, factory: MemberFactory
) -> None:
    _bare(tmp_path / "empty.git")
    src = factory.member(tmp_path / "src", "v1.1.0")
    dangling = _bare(tmp_path / "dangling.git")
    subprocess.run(["git", "push", "-q", str(dangling), "main:trunk"], cwd=src, check=True)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=dangling, check=True)
    fleet = write_fleet(
        tmp_path / "fleet.yml",
        [
            {"name": "empty", "repo": f"file://{tmp_path / 'empty.git'}"},
            {"name": "dangling", "repo": f"file://{dangling}"},
        ],
    )

    run = run_fleet("update", "--fleet", fleet, "--to", "2.0.0", "--state-dir", tmp_path / "s")

    assert run.code == 1
    assert "is an empty repository" in run.member("empty")["reason"]
    reason = run.member("dangling")["reason"]
    assert "HEAD names branch 'main', which does not exist (branches: trunk)" in reason
    assert ".copier-answers.yml" not in reason


def test_migrations_are_shown_rendered(tmp_path: Path, factory: MemberFactory) -> None:
    factory.member(tmp_path / "one", "v2.0.0")
    fleet = write_fleet(tmp_path / "fleet.yml", [{"repo": "one", "data": {"cost_center": "C1"}}])

    dry = run_fleet(
        "update", "--fleet", fleet, "--to", "3.0.0", "--dry-run", "--state-dir", tmp_path / "s"
    )
    run = run_fleet("update", "--fleet", fleet, "--to", "3.0.0", "--state-dir", tmp_path / "s")

    expected = "v3.0.0: test -f .copier-answers.yml && echo 3.0.0 >> .migrations.log"
    assert dry.member("one")["migrations"] == [expected]
    out = run.member("one")
    assert out["migrations"] == [expected]
    body = subprocess.run(
        ["git", "log", "-1", "--format=%B", out["branch"]],
        cwd=tmp_path / "one",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"- {expected}" in body
    assert "{{" not in body
    assert show(tmp_path / "one", out["branch"], ".migrations.log") == "3.0.0\n"
