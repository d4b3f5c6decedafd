"""`slipway-fleet bench`: wall time to update N generated members with W workers.

Default (`--template real`): the real Slipway template, two releases cut from this
repository's history (`real_template`), members generated from the older one with
varied answers (every member its own name and team, six service shapes), a third
of them with a local README edit, updated to the newer release. `--template small`
uses the test template of `slipway_fleet.testing` (1.x -> 2.0.0).

Each measurement gets a fresh copy of the fleet and a fresh state folder (cold
caches) and goes through the same code path as `update`. Reported: seconds, the
speed-up of W workers over the fewest measured, the per-member breakdown (mean
seconds of each step, from the outcomes) and the load average around the run -
absolute numbers depend on what else the machine is doing.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table
from slipway_contract.exit_codes import ExitCode

from slipway_fleet import copier_reuse, real_template, report
from slipway_fleet.fleet import load_fleet_file
from slipway_fleet.outcome import Outcome
from slipway_fleet.state import RunState
from slipway_fleet.testing import MemberFactory, commit_all, make_template_repo
from slipway_fleet.update import UpdateOptions, run_update

PHASES = ("clone", "render", "merge", "checks", "commit", "publish")

_SMALL_ANSWER_MIX: list[dict[str, Any]] = [
    {},
    {"owner": "team-b", "use_worker": True},
    {"owner": "team-c"},
    {"project_name": "billing"},
    {"owner": "team-b"},
    {"use_worker": True},
]


def build_fleet(
    root: Path, count: int, generate: Callable[[Path, int], Path], readme: str = "README.md"
) -> Path:
    """`count` members made by `generate(dest, index)`, every third with a local edit."""
    names = []
    for i in range(count):
        name = f"svc-{i:03d}"
        member = generate(root / name, i)
        if i % 3 == 0:
            path = member / readme
            path.write_text(path.read_text() + f"\n## Local\n\nOn-call: team {i}\n")
            commit_all(member, "local notes")
        names.append({"repo": name})
    fleet = root / "fleet.yml"
    fleet.write_text(yaml.safe_dump({"members": names}))
    return fleet


def breakdown(outcomes: list[Outcome]) -> dict[str, float]:
    """Mean seconds per member of each step (worker time, not wall time)."""
    if not outcomes:
        return {}
    return {
        phase: round(sum(o.seconds.get(phase, 0.0) for o in outcomes) / len(outcomes), 3)
        for phase in PHASES
    }


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (workers, git)."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def measure(members: int, workers: int, base: Path, scratch: Path, target: str) -> dict[str, Any]:
    """Update a fresh copy of the fleet in `base` with `workers` workers."""
    root = scratch / f"fleet-{members}-{workers}"
    shutil.copytree(base, root, symlinks=True)
    fleet = load_fleet_file(root / "fleet.yml")
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    with RunState(root / "state") as state:
        outcomes = run_update(fleet, UpdateOptions(target=target, jobs=workers), state)
    wall = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    shutil.rmtree(root, ignore_errors=True)
    return {
        "members": members,
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "seconds_per_member": round(wall / members, 2),
        # CPU of this process, the workers and their git/copier children: what a member
        # costs whatever else runs on the machine (wall time depends on that load)
        "cpu_seconds_per_member": round(cpu / members, 2),
        "exit_code": report.update_exit_code(outcomes),
        "summary": report.summary(outcomes),
        "per_member_seconds": breakdown(outcomes),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "problems": [f"{o.member}: {o.category} {o.reason}" for o in outcomes if o.category][:5],
    }


def _generator(kind: str, scratch: Path, repo: Path | None) -> tuple[Callable[..., Path], str]:
    """(generate(dest, index), target) for the chosen template."""
    if kind == "small":
        factory = MemberFactory(make_template_repo(scratch), scratch / "generated")
        mix = _SMALL_ANSWER_MIX

        def small(dest: Path, i: int) -> Path:
            return factory.member(dest, "v1.0.0" if i % 2 else "v1.1.0", **mix[i % len(mix)])

        return small, "2.0.0"
    source = real_template.find_repository(repo or Path.cwd())
    template = real_template.cut_releases(source, scratch / "slipway-template")
    factory = MemberFactory(template.repo, scratch / "generated")
    # generating hundreds of members: the same caches the update workers use
    copier_reuse.install()
    copier_reuse.configure(scratch / "generate-cache", "bench")

    def real(dest: Path, i: int) -> Path:
        return factory.member(dest, real_template.OLD_TAG, **real_template.member_answers(i))

    return real, real_template.NEW_TAG.removeprefix("v")


def run_bench(
    member_counts: list[int],
    worker_counts: list[int],
    console: Console,
    *,
    template: str = "real",
    repo: Path | None = None,
) -> tuple[ExitCode, dict[str, Any]]:
    """Measure every size x worker count (progress on `console`); the exit code (a finding
    when some member was not updated) and the figures, the `--json` envelope's data."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="slipway-fleet-bench-") as tmp:
        scratch = Path(tmp)
        generate, target = _generator(template, scratch, repo)
        for members in member_counts:
            console.print(f"bench: generating {members} members ({template} template) ...")
            base = scratch / f"base-{members}"
            base.mkdir()
            build_fleet(base, members, generate)
            for workers in worker_counts:
                console.print(f"bench: {members} members, {workers} worker(s) ...")
                rows.append(measure(members, workers, base, scratch, target))
            shutil.rmtree(base, ignore_errors=True)
    by_key = {(r["members"], r["workers"]): r["wall_seconds"] for r in rows}
    for r in rows:
        fewest = by_key.get((r["members"], min(worker_counts)))
        r["speedup_vs_fewest_workers"] = round(fewest / r["wall_seconds"], 2) if fewest else None
    failed = [r for r in rows if r["summary"]["failed"] or r["summary"]["skipped"]]
    if failed:
        console.print(f"[red]bench: some members were not updated: {failed}[/]")
    data = {"cores": os.cpu_count(), "template": template, "target": target, "runs": rows}
    return (ExitCode.FINDING if failed else ExitCode.OK), data


def print_table(console: Console, data: dict[str, Any]) -> None:
    """The figures of `run_bench` as a table (the run without `--json`)."""
    _print_table(console, data["runs"], data["template"], data["target"])


def _print_table(console: Console, rows: list[dict[str, Any]], template: str, target: str) -> None:
    title = f"slipway-fleet bench ({os.cpu_count()} cores, {template} template -> {target})"
    table = Table(title=title)
    columns = (
        "members",
        "workers",
        "wall s",
        "s/member",
        "cpu s/member",
        "speed-up",
        "updated",
        "conflicted",
    )
    for col in (*columns, *(f"{p} s" for p in PHASES), "load before/after"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            str(r["members"]),
            str(r["workers"]),
            str(r["wall_seconds"]),
            str(r["seconds_per_member"]),
            str(r["cpu_seconds_per_member"]),
            str(r["speedup_vs_fewest_workers"]),
            str(r["summary"]["updated"]),
            str(r["summary"]["conflicted"]),
            *(f"{r['per_member_seconds'].get(p, 0.0):.2f}" for p in PHASES),
            "/".join(map(str, r["load_average"])),
        )
    console.print(table)
    console.print("step columns: mean seconds per member inside a worker (sum over workers)")
