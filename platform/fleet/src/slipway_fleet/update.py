"""`run_update`: a fleet update as a function - what the CLI and the bench both call.

Input checks (preflight) -> run state (resume) -> one UpdateJob per member ->
workers -> outcomes in fleet order. No printing: the caller renders the outcomes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from slipway_fleet import copier_reuse
from slipway_fleet.fleet import Fleet, Member
from slipway_fleet.member_update import UpdateJob, update_member
from slipway_fleet.outcome import Outcome
from slipway_fleet.preflight import check_run
from slipway_fleet.publish import PublishConfig
from slipway_fleet.runner import run_parallel
from slipway_fleet.state import RunState


@dataclass(frozen=True)
class UpdateOptions:
    """One `update` run's settings (the CLI flags, as values)."""

    target: str
    jobs: int = 2
    dry_run: bool = False
    resume: bool = False
    checks: tuple[str, ...] = ()
    publish: PublishConfig | None = None
    allow_downgrade: bool = False
    data_for: Callable[[str], dict[str, Any]] = field(default=lambda _name: {})


class UpdateInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: `outcomes` holds the members that finished (fleet order)."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__()
        self.outcomes = outcomes


def run_update(
    fleet: Fleet,
    options: UpdateOptions,
    state: RunState,
    *,
    console: Console | None = None,
    show_progress: bool = False,
) -> list[Outcome]:
    """Update every member of `fleet`; outcomes in fleet order (previous run's included)."""
    run_id = uuid.uuid4().hex
    copier_reuse.prune(state.cache)  # checkouts and pristine renders live for one run
    check_run(fleet, options.target, state.cache, run_id, allow_downgrade=options.allow_downgrade)
    key = f"{options.target}{' (dry run)' if options.dry_run else ''}"
    previous = state.previous(key) if options.resume else {}
    if not options.dry_run:
        state.start(key, previous)
    todo = [m for m in fleet.members if m.name not in previous]
    jobs = [_job(m, options, state, fleet, run_id) for m in todo]
    for m in todo:
        (state.logs / f"{m.name}.log").unlink(missing_ok=True)
    by_name: dict[str, Outcome] = {}
    for name, outcome in previous.items():
        outcome.from_previous_run = True
        by_name[name] = outcome

    def record(_index: int, outcome: Outcome) -> None:
        by_name[outcome.member] = outcome
        if not options.dry_run:
            state.record(outcome)

    try:
        run_parallel(
            update_member,
            jobs,
            names=[m.name for m in todo],
            workers=options.jobs,
            label=f"update -> {options.target}",
            console=console or Console(stderr=True),
            show_progress=show_progress,
            on_result=record,
        )
    except KeyboardInterrupt as exc:
        done = [by_name[m.name] for m in fleet.members if m.name in by_name]
        raise UpdateInterrupted(done) from exc
    return [by_name[m.name] for m in fleet.members]


def _job(
    member: Member, options: UpdateOptions, state: RunState, fleet: Fleet, run_id: str
) -> UpdateJob:
    return UpdateJob(
        member=member,
        target=options.target,
        work_root=state.work,
        cache_root=state.cache,
        log_dir=state.logs,
        dry_run=options.dry_run,
        checks=options.checks or fleet.checks,
        publish=options.publish,
        data=options.data_for(member.name),
        run_id=run_id,
        allow_downgrade=options.allow_downgrade,
    )
