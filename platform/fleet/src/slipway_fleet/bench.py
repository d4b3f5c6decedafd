"""`slipway-fleet bench`: wall time to update N generated members with W workers.

Each measurement gets a fresh fleet (same template, same answer mix, members on
1.0.0 and 1.1.0, a third with local edits) and a cold render cache, updated to 2.0.0
through the same code path as `update`. Reports seconds and the speed-up ratio of W
workers over 1 measured in the same run: absolute numbers depend on the machine load.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from slipway_fleet import report
from slipway_fleet.fleet import load_fleet_file
from slipway_fleet.state import RunState
from slipway_fleet.testing import MemberFactory, commit_all, make_template_repo
from slipway_fleet.update import UpdateOptions, run_update

_ANSWER_MIX: list[dict[str, Any]] = [
    {},
    {"owner": "team-b", "use_worker": True},
    {"owner": "team-c"},
    {"project_name": "billing"},
    {"owner": "team-b"},
    {"use_worker": True},
]


def build_fleet(root: Path, factory: MemberFactory, count: int) -> Path:
    """`count` members with mixed answers/versions/edits and a fleet file listing them."""
    names = []
    for i in range(count):
        name = f"svc-{i:03d}"
        member = factory.member(
            root / name, "v1.0.0" if i % 2 else "v1.1.0", **_ANSWER_MIX[i % len(_ANSWER_MIX)]
        )
        if i % 3 == 0:
            readme = member / "README.md"
            readme.write_text(readme.read_text() + f"\n## Local\n\nOn-call: team {i}\n")
            commit_all(member, "local notes")
        names.append({"repo": name})
    fleet = root / "fleet.yml"
    fleet.write_text(yaml.safe_dump({"members": names}))
    return fleet


def measure(members: int, workers: int, scratch: Path, factory: MemberFactory) -> dict[str, Any]:
    root = scratch / f"fleet-{members}-{workers}"
    root.mkdir()
    fleet = load_fleet_file(build_fleet(root, factory, members))
    start = time.perf_counter()
    with RunState(root / "state") as state:
        outcomes = run_update(fleet, UpdateOptions(target="2.0.0", jobs=workers), state)
    wall = time.perf_counter() - start
    summary = report.summary(outcomes)
    code = report.update_exit_code(outcomes)
    return {
        "members": members,
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "seconds_per_member": round(wall / members, 2),
        "exit_code": code,
        "summary": summary,
    }


def run_bench(member_counts: list[int], worker_counts: list[int], as_json: bool) -> int:
    console = Console(stderr=as_json)
    rows = []
    with tempfile.TemporaryDirectory(prefix="slipway-fleet-bench-") as tmp:
        scratch = Path(tmp)
        template = make_template_repo(scratch)
        factory = MemberFactory(template, scratch / "generated")
        for members in member_counts:
            for workers in worker_counts:
                console.print(f"bench: {members} members, {workers} worker(s) ...")
                rows.append(measure(members, workers, scratch, factory))
    by_key = {(r["members"], r["workers"]): r["wall_seconds"] for r in rows}
    for r in rows:
        base = by_key.get((r["members"], min(worker_counts)))
        r["speedup_vs_fewest_workers"] = round(base / r["wall_seconds"], 2) if base else None
    failed = [r for r in rows if r["exit_code"] != 0 or r["summary"]["updated"] != r["members"]]
    if as_json:
        print(json.dumps({"cores": os.cpu_count(), "runs": rows}, indent=2))
    else:
        table = Table(title=f"slipway-fleet bench ({os.cpu_count()} cores, update 1.x -> 2.0.0)")
        for col in ("members", "workers", "wall s", "s/member", "speed-up", "updated"):
            table.add_column(col, justify="right")
        for r in rows:
            table.add_row(
                str(r["members"]),
                str(r["workers"]),
                str(r["wall_seconds"]),
                str(r["seconds_per_member"]),
                str(r["speedup_vs_fewest_workers"]),
                str(r["summary"]["updated"]),
            )
        console.print(table)
    if failed:
        console.print(f"[red]bench: some members were not updated: {failed}[/]")
        return 1
    return 0
