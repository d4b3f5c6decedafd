"""`update --shard K/N` + `report merge` against one unsharded run, member by member.

Two identical copies of a fleet (clean members, a conflict, a member whose release
does not replay): one is updated in one run, the other as 4 shards by the very
shell the generated GitHub workflow runs, then merged by the workflow's merge
script. The merged summary, exit code and every member's outcome and branch tree
must equal the unsharded run's. The generated workflows are checked by actionlint
(GitHub) and structurally (GitLab: no GitLab here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet_helpers import git_out, run_fleet, write_fleet
from slipway_contract.cli import envelope
from slipway_contract.exit_codes import ExitCode
from slipway_fleet import ci_workflow, merge
from slipway_fleet.fleet import Fleet, Member
from slipway_fleet.preflight import UsageError
from slipway_fleet.shard import Shard, parse_shard, select, shard_of
from slipway_fleet.testing import MemberFactory, commit_all

SHARDS = 4
COMPARED = (
    "result",
    "category",
    "from_version",
    "to_version",
    "branch",
    "files_added",
    "files_changed",
    "files_deleted",
    "conflicts",
    "kept_deleted",
    "kept_edited",
    "migrations",
)
BIN = Path(sys.executable).parent


CLEAN: list[tuple[str, dict[str, Any]]] = [
    ("v1.1.0", {}),
    ("v1.0.0", {"owner": "team-b"}),
    ("v1.1.0", {"use_worker": True}),
]


def _build(root: Path, factory: MemberFactory) -> None:
    members = []
    for i, (tag, answers) in enumerate(CLEAN):
        factory.member(root / f"clean-{i}", tag, **answers)
        members.append({"repo": f"clean-{i}"})
    m = factory.member(root / "conflict", "v1.1.0")
    (m / "app.py").write_text((m / "app.py").read_text().replace("TIMEOUT = 5", "TIMEOUT = 7"))
    commit_all(m, "we need 7")
    m = factory.member(root / "broken", "v1.0.0")  # claims a release that does not replay
    answers = m / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v1.0.0", "_commit: v0.9.0"))
    commit_all(m, "claims the broken release")
    members += [{"repo": "conflict"}, {"repo": "broken"}]
    write_fleet(root / "fleet.yml", members)


def _tree(repo: Path, branch: str) -> str:
    return git_out(repo, "rev-parse", f"{branch}^{{tree}}").strip()


def test_shard_assignment_is_stable_complete_and_order_free() -> None:
    names = [f"svc-{i:03d}" for i in range(200)]
    fleet = Fleet(members=tuple(Member(name=n, location=f"/x/{n}") for n in names))
    parts = [select(fleet, Shard(k, SHARDS)).members for k in range(1, SHARDS + 1)]
    assert sorted(m.name for part in parts for m in part) == names  # each member exactly once
    assert all(len(part) > 20 for part in parts)  # spread out, not all in one shard
    reordered = Fleet(members=tuple(reversed(fleet.members)))
    again = {m.name for m in select(reordered, Shard(2, SHARDS)).members}
    assert again == {m.name for m in parts[1]}
    assert shard_of("svc-007", SHARDS) == shard_of("svc-007", SHARDS)  # not hash(): unsalted
    for bad in ("0/4", "5/4", "4", "a/b", "1/0"):
        with pytest.raises(UsageError, match="--shard"):
            parse_shard(bad)


def test_four_shards_merged_equal_one_unsharded_run(tmp_path: Path, factory: MemberFactory) -> None:
    _build(tmp_path / "one", factory)
    shutil.copytree(tmp_path / "one", tmp_path / "sharded", symlinks=True)
    whole = run_fleet(
        "update", "--fleet", tmp_path / "one" / "fleet.yml", "--to", "2.0.0",
        "--state-dir", tmp_path / "state-one",
    )  # fmt: skip
    assert whole.code == 1, whole.doc  # the broken member failed, the conflict conflicted

    spec = ci_workflow.WorkflowSpec(SHARDS, "fleet.yml", "true", jobs=1)  # one worker: CI cost
    work = tmp_path / "sharded"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "FLEET_TARGET": "2.0.0"}
    for k in range(1, SHARDS + 1):  # the CI matrix, one job after the other
        done = subprocess.run(
            ["bash", "-c", ci_workflow.shard_script(spec)],
            cwd=work, env={**env, "SHARD": str(k), "XDG_CACHE_HOME": str(tmp_path / f"c{k}")},
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr  # members' failures: not fatal
        shard_doc = json.loads((work / f"shard-{k}.json").read_text())["data"]
        assert shard_doc["shard"]["index"] == k
    (work / "shards").mkdir()

    def merge_shards() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", ci_workflow.merge_script("shards")],
            cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    for k in range(1, SHARDS):  # one shard job lost its artifact: no summary
        (work / f"shard-{k}.json").rename(work / "shards" / f"shard-{k}.json")
    incomplete = merge_shards()
    assert incomplete.returncode == 2
    assert f"shard(s) {SHARDS}/{SHARDS} missing" in " ".join(incomplete.stderr.split())
    (work / f"shard-{SHARDS}.json").rename(work / "shards" / f"shard-{SHARDS}.json")
    merged_run = merge_shards()
    envelope = json.loads((work / "fleet-summary.json").read_text())
    merged = envelope["data"]

    assert merged_run.returncode == whole.code == envelope["exit_code"], merged_run.stderr
    assert envelope["command"] == "slipway-fleet update"
    assert merged["summary"] == whole.doc["summary"]
    assert merged["shards"] == SHARDS
    assert [m["member"] for m in merged["members"]] == [m["member"] for m in whole.doc["members"]]
    for ours, theirs in zip(merged["members"], whole.doc["members"], strict=True):
        assert {k: ours[k] for k in COMPARED} == {k: theirs[k] for k in COMPARED}, ours["member"]
        if theirs["commit"]:  # same files committed on the same branch
            name, branch = theirs["member"], theirs["branch"]
            assert _tree(work / name, branch) == _tree(tmp_path / "one" / name, branch)
    assert "conflict" in merged_run.stdout
    assert "broken" in merged_run.stdout


def test_merge_refuses_shards_that_do_not_add_up(tmp_path: Path) -> None:
    def doc(index: int, count: int, target: str = "2.0.0") -> Path:
        path = tmp_path / f"s{index}-{count}-{target}.json"
        shard = {"index": index, "count": count, "fleet_members": ["a", "b"]}
        body = {"target": target, "dry_run": False, "members": [], "shard": shard}
        path.write_text(json.dumps(envelope("slipway-fleet update", ExitCode.OK, data=body)))
        return path

    bare = tmp_path / "bare.json"  # the document without the envelope (before issue 18)
    bare.write_text(json.dumps({"command": "update", "target": "2.0.0", "members": []}))
    for paths, message in (
        ([bare], "not the JSON of `slipway-fleet update --json`"),
        ([doc(1, 2)], "shard(s) 2/2 missing"),
        ([doc(1, 2), doc(1, 2)], "given twice"),
        ([doc(1, 2), doc(2, 2, "3.0.0")], "different runs"),
        ([doc(1, 2), doc(2, 2)], "no shard reported member(s) a, b"),
    ):
        with pytest.raises(merge.MergeError) as caught:  # the CLI's exit 2 (see above)
            merge.merge(merge.load(paths))
        assert message in str(caught.value)


def test_generated_workflows_lint_clean(tmp_path: Path) -> None:
    actionlint = BIN / "actionlint"
    if not actionlint.exists():
        pytest.skip("actionlint is not installed in this environment (lint group)")
    spec = ci_workflow.WorkflowSpec(SHARDS, "fleets/prod.yml", "pip install slipway-fleet")
    path = tmp_path / ".github" / "workflows" / "fleet.yml"
    path.parent.mkdir(parents=True)
    path.write_text(ci_workflow.render("github", spec))
    done = subprocess.run(
        [str(actionlint), str(path.relative_to(tmp_path))],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    github = yaml.safe_load(path.read_text())
    assert github["jobs"]["update"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert github["jobs"]["merge"]["needs"] == "update"

    gitlab = yaml.safe_load(ci_workflow.render("gitlab", spec))
    update, summary = gitlab["fleet-update"], gitlab["fleet-summary"]
    assert update["parallel"]["matrix"] == [{"SHARD": ["1", "2", "3", "4"]}]
    assert ci_workflow.shard_script(spec) in update["script"]
    assert summary["needs"] == [{"job": "fleet-update", "artifacts": True}]
    assert update["stage"] in gitlab["stages"]
    assert summary["stage"] in gitlab["stages"]
    assert gitlab["stages"].index(update["stage"]) < gitlab["stages"].index(summary["stage"])
