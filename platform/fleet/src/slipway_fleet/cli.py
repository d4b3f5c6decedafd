"""`slipway-fleet`: status and update for a fleet of copier-generated repositories."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.markup import escape
from slipway_contract.cli import (
    JSON_HELP,
    human_output_to_stderr,
    parse_or_envelope,
    print_envelope,
)
from slipway_contract.exit_codes import ExitCode

from slipway_fleet import ci_workflow, merge, report
from slipway_fleet.catalog.command import add_arguments as add_catalog_arguments
from slipway_fleet.catalog.command import run_catalog
from slipway_fleet.fleet import Fleet, FleetFileError, discover, load_fleet_file
from slipway_fleet.outcome import Outcome
from slipway_fleet.preflight import UsageError, check_target_syntax
from slipway_fleet.publish import PublishConfig
from slipway_fleet.runner import run_parallel
from slipway_fleet.shard import Shard, parse_shard, select
from slipway_fleet.state import RunState, StateError, default_state_dir
from slipway_fleet.status import StatusJob, member_status
from slipway_fleet.update import UpdateInterrupted, UpdateOptions, run_update

DEFAULT_JOBS = 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    source = common.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--fleet", type=Path, help="fleet file (YAML members list or one path/URL per line)"
    )
    source.add_argument("--discover", type=Path, help="directory to search for .copier-answers.yml")
    common.add_argument("--jobs", "-j", type=int, default=DEFAULT_JOBS, help="parallel workers")
    common.add_argument("--json", action="store_true", help="print JSON on stdout (no table)")
    common.add_argument("--state-dir", type=Path, help="run state, caches and logs")
    common.add_argument("--no-progress", action="store_true", help="hide the progress display")

    parser = argparse.ArgumentParser(prog="slipway-fleet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", parents=[common], help="where each member stands")
    up = sub.add_parser("update", parents=[common], help="update members to a template release")
    up.add_argument("--to", required=True, metavar="VERSION", help="release (e.g. 2.0.0) or latest")
    up.add_argument(
        "--dry-run", action="store_true", help="show patches and conflicts; change nothing"
    )
    up.add_argument(
        "--resume", action="store_true", help="redo only the remaining and failed members"
    )
    up.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="CMD",
        help="fast check command for every member without its own (repeatable)",
    )
    up.add_argument(
        "--allow-downgrade",
        action="store_true",
        help="update members that are newer than --to back to it (refused otherwise)",
    )
    up.add_argument("--data-dir", type=Path, help="answers for new questions: DIR/<member>.yml")
    up.add_argument(
        "--publish",
        choices=["none", "push", "github", "gitlab"],
        default="none",
        help="push the branch to the member's remote (and open a PR)",
    )
    up.add_argument("--remote", default="origin", help="remote to publish to")
    up.add_argument("--api-url", default="", help="GitHub/GitLab API base URL")
    up.add_argument("--token-env", default="", help="variable holding the API token")
    up.add_argument("--base-branch", default="", help="PR target branch (default: member's HEAD)")
    up.add_argument(
        "--shard",
        metavar="K/N",
        help="update only shard K of N (stable by member name); merge with `report merge`",
    )
    rep = sub.add_parser("report", help="work with update reports")
    rep_sub = rep.add_subparsers(dest="report_command", required=True)
    merge = rep_sub.add_parser("merge", help="one summary from the JSON of `update --shard` runs")
    merge.add_argument("shard_files", nargs="+", type=Path, metavar="SHARD_JSON")
    merge.add_argument("--json", action="store_true", help="print the merged JSON on stdout")
    merge.add_argument("--out", type=Path, help="also write the merged JSON to this file")
    ci = sub.add_parser("ci-workflow", help="print a CI workflow running the update as N shards")
    ci_workflow.add_arguments(ci)
    catalog = sub.add_parser("catalog", parents=[common], help="write the fleet's static HTML site")
    add_catalog_arguments(catalog)
    bench = sub.add_parser("bench", help="time updates of generated fleets (1 and N workers)")
    bench.add_argument("--members", default="20,50", help="fleet sizes, comma-separated")
    bench.add_argument("--jobs", default="1,2", help="worker counts, comma-separated")
    bench.add_argument("--json", action="store_true", help=JSON_HELP)
    bench.add_argument(
        "--template",
        choices=["real", "small"],
        default="real",
        help="real: Slipway's template, two releases cut from its history (default); "
        "small: the test template",
    )
    bench.add_argument(
        "--template-repo", type=Path, help="Slipway checkout (default: the one holding the cwd)"
    )
    return parser


def _load(args: argparse.Namespace) -> tuple[Fleet, str]:
    if args.fleet:
        return load_fleet_file(args.fleet), str(args.fleet.resolve())
    if not args.discover.is_dir():
        raise FleetFileError(f"--discover {args.discover}: not a directory")
    return discover(args.discover), str(args.discover.resolve())


def _data_for(data_dir: Path | None, name: str) -> dict[str, Any]:
    if data_dir is None or not (path := data_dir / f"{name}.yml").is_file():
        return {}
    loaded = yaml.safe_load(path.read_text()) or {}
    if not isinstance(loaded, dict):
        raise FleetFileError(f"--data-dir: {path} must hold a YAML mapping of question -> answer")
    return loaded


def _usage_error(args: argparse.Namespace, err: Console, message: str) -> int:
    """Exit 2 naming the problem on stderr; under `--json` the usage envelope on stdout too."""
    err.print(f"[red]error:[/] {escape(message)}", markup=True, highlight=False)
    if getattr(args, "json", False):
        print_envelope(f"slipway-fleet {args.command}", ExitCode.USAGE, error=message)
    return report.EXIT_USAGE


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911 - one exit per command
    args = parse_or_envelope(_parser().parse_args, argv, "slipway-fleet")
    if args.command == "bench":
        return _bench(args)
    out = Console(soft_wrap=False, width=200 if not sys.stdout.isatty() else None)
    err = Console(stderr=True)
    if args.command == "ci-workflow":
        return ci_workflow.run(args, err=err)
    if args.command == "report":
        return _report_merge(args, out=out, err=err)
    if args.jobs < 1:
        return _usage_error(args, err, "--jobs must be at least 1")
    try:
        shard = None
        if args.command == "update":
            check_target_syntax(args.to)  # before reading the fleet or taking the lock
            shard = parse_shard(args.shard) if args.shard else None
        fleet, key = _load(args)
        if shard:  # shards of one fleet on one machine must not share a state folder
            key += f"#shard-{shard.index}-of-{shard.count}"
        with RunState(args.state_dir or default_state_dir(key)) as state:
            show = not (args.json or args.no_progress) and err.is_terminal
            if args.command == "catalog":
                return run_catalog(args, fleet, state, err=err)
            if args.command == "status":
                return _status(args, fleet, state, out=out, err=err, show=show)
            return _update(args, fleet, state, out=out, err=err, show=show, shard=shard)
    except (FleetFileError, StateError, UsageError) as exc:
        return _usage_error(args, err, str(exc))
    except KeyboardInterrupt:
        # Scratch clones are gone (RunState cleanup); finished members are in state.json.
        err.print("interrupted: rerun the same command with --resume to finish the rest")
        return report.EXIT_INTERRUPTED


def _counts(flag: str, text: str) -> list[int]:
    """`--members 20,50` / `--jobs 1,2`: positive integers, comma-separated."""
    try:
        counts = [int(n) for n in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise UsageError(f"{flag} {text!r}: expected positive integers, comma-separated (1,2)")
    return counts


def _bench(args: argparse.Namespace) -> int:
    from slipway_fleet import bench  # noqa: PLC0415 - only for this command

    err = Console(stderr=True)
    try:
        sizes, workers = _counts("--members", args.members), _counts("--jobs", args.jobs)
    except UsageError as exc:
        return _usage_error(args, err, str(exc))
    with human_output_to_stderr(args.json):  # the progress, and git/copier children, too
        console = Console(stderr=args.json, width=160)  # the table must fit in CI logs too
        code, data = bench.run_bench(
            sizes, workers, console, template=args.template, repo=args.template_repo
        )
        if not args.json:
            bench.print_table(console, data)
    if args.json:
        return print_envelope("slipway-fleet bench", code, data=data)
    return int(code)


def _status(
    args: argparse.Namespace,
    fleet: Fleet,
    state: RunState,
    *,
    out: Console,
    err: Console,
    show: bool,
) -> int:
    run_id = uuid.uuid4().hex
    jobs = [StatusJob(m, state.work, state.cache, run_id) for m in fleet.members]
    statuses = run_parallel(
        member_status,
        jobs,
        names=[m.name for m in fleet.members],
        workers=args.jobs,
        label="status",
        console=err,
        show_progress=show,
    )
    if args.json:
        print(report.status_json(statuses))
    else:
        report.print_status(out, statuses)
    return report.status_exit_code(statuses)


def _update(
    args: argparse.Namespace,
    fleet: Fleet,
    state: RunState,
    *,
    out: Console,
    err: Console,
    show: bool,
    shard: Shard | None = None,
) -> int:
    shard_info = None
    if shard:
        shard_info = {
            "index": shard.index,
            "count": shard.count,
            "fleet_members": [m.name for m in fleet.members],  # lets the merge check coverage
        }
        fleet = select(fleet, shard)
    publish = None
    if args.publish != "none":
        publish = PublishConfig(
            remote=args.remote,
            provider="none" if args.publish == "push" else args.publish,
            api_url=args.api_url,
            token_env=args.token_env,
            base_branch=args.base_branch,
        )
    options = UpdateOptions(
        target=args.to,
        jobs=args.jobs,
        dry_run=args.dry_run,
        resume=args.resume,
        checks=tuple(args.check),
        publish=publish,
        allow_downgrade=args.allow_downgrade,
        data_for=functools.partial(_data_for, args.data_dir),
    )
    try:
        outcomes = run_update(fleet, options, state, console=err, show_progress=show)
    except UpdateInterrupted as exc:
        if args.json:  # scripts still get what finished; members not started are absent
            print(
                report.update_json(
                    args.to, args.dry_run, exc.outcomes, interrupted=True, shard=shard_info
                )
            )
        raise
    if args.json:
        print(report.update_json(args.to, args.dry_run, outcomes, shard=shard_info))
    else:
        report.print_update(out, args.to, args.dry_run, outcomes)
    return report.update_exit_code(outcomes)


def _report_merge(args: argparse.Namespace, *, out: Console, err: Console) -> int:
    """Exit code as the unsharded run would have had it (2 when the shards do not add up)."""
    try:
        doc = merge.merge(merge.load(args.shard_files))
    except merge.MergeError as exc:
        return _usage_error(args, err, str(exc))
    text = json.dumps(doc, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    if args.json:
        print(text)
    else:
        data = doc["data"]
        outcomes = [Outcome.from_json(m) for m in data["members"]]
        report.print_update(out, data["target"], data["dry_run"], outcomes)
    return int(doc["exit_code"])


if __name__ == "__main__":
    sys.exit(main())
