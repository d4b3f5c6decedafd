"""`slipway-gitops`: promote, record, roll back, flip flags and check the environments tree.

Every change (promote, record, rollback, flag) is committed signed-off with its
actor, reason, digest and checks as trailers (audit.py); `history` prints them.
Exit codes follow CONTRACTS.md; `--json` on every subcommand prints one envelope
on stdout (what changed, the entries, the rows or the problems as its `data`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from slipway_contract.cli import DeprecatedSpelling, json_option
from slipway_contract.exit_codes import ExitCode

from slipway_delivery.applications import add_service
from slipway_delivery.audited_commands import AUDITED_COMMANDS
from slipway_delivery.cli_support import run_cli, run_subcommand
from slipway_delivery.errors import UsageError
from slipway_delivery.flags import export_flagd_json
from slipway_delivery.gitops_tree import DEFAULT_TREE, ENVIRONMENTS, STAGES, GitopsTree
from slipway_delivery.inventory_view import run_inventory
from slipway_delivery.promotion import TRIGGERS
from slipway_delivery.slo_rules import write_slo_rules
from slipway_delivery.tree_check import check_tree

PROG = "slipway-gitops"


def _audited(reason_required: bool) -> argparse.ArgumentParser:
    """Options of the commands whose change becomes a signed-off commit."""
    opts = argparse.ArgumentParser(add_help=False, parents=[json_option()])
    opts.add_argument("--actor", help="who asks for the change (default: CI user, git user.name)")
    opts.add_argument("--reason", required=reason_required, help="why (recorded in the commit)")
    opts.add_argument(
        "--no-commit", action="store_true",
        help="write the files only (no audit commit; the caller commits)",
    )  # fmt: skip
    return opts


def _target_env(p: argparse.ArgumentParser) -> None:
    """`--env ENV` (the word every command uses for an environment); `--to` hidden alias."""
    env = p.add_mutually_exclusive_group(required=True)
    env.add_argument("--env", choices=ENVIRONMENTS, dest="env", help="the environment to pin")
    env.add_argument(
        "--to",
        choices=ENVIRONMENTS,
        dest="env",
        action=DeprecatedSpelling,
        instead="--env",
        help=argparse.SUPPRESS,
    )


def _service(p: argparse.ArgumentParser) -> None:
    """SERVICE positionally (`rollback orders-api --env prod`) or as --service."""
    p.add_argument("service_arg", nargs="?", metavar="SERVICE")
    p.add_argument("--service", dest="service_opt", metavar="NAME")


def _tree_views(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`slo-rules` and `inventory`: what the tree delivers to each environment."""
    o = sub.add_parser(
        "slo-rules", parents=[json_option()],
        help="write envs/<env>/SERVICE/slo-rules.yaml from the service's slo.yaml",
    )  # fmt: skip
    _service(o)
    o.add_argument("--slo", type=Path, required=True, help="the service's slo.yaml")
    o.add_argument("--env", choices=ENVIRONMENTS, help="only this environment (default: all)")
    i = sub.add_parser(
        "inventory", parents=[json_option()],
        help="render every Application (helm template) and print what each env gets",
    )  # fmt: skip
    i.add_argument("--env", choices=ENVIRONMENTS, help="only this environment")
    i.add_argument(
        "--check", action="store_true",
        help="compare with the environment contract; exit 1 naming every difference",
    )  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="GitOps tree root")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "promote", parents=[_audited(False)], help="pin a digest in an environment (a PR's change)"
    )
    _service(p)
    _target_env(p)
    p.add_argument("--digest", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--image", help="repository (default: 127.0.0.1:5000/<service>)")
    p.add_argument("--trigger", default="merge", choices=TRIGGERS[:2])
    p.add_argument("--git-ref", help="the commit or tag that triggered this")
    p.add_argument("--approved-by", help="approver (required for stage and prod)")
    p.add_argument("--pr-body", type=Path, help="write the pull request text here")
    p.add_argument(
        "--slo", type=Path,
        help="the service's slo.yaml: its rules are written to slo-rules.yaml "
        "(default: ./slo.yaml when present)",
    )  # fmt: skip

    r = sub.add_parser(
        "record", parents=[_audited(False)], help="record a verification result for a digest"
    )
    _service(r)
    r.add_argument("--env", required=True, choices=STAGES)
    r.add_argument("--digest", required=True)
    r.add_argument("--result", required=True, choices=("passed", "failed"))
    r.add_argument("--version")
    r.add_argument("--evidence", type=Path, help="JSON from slipway-smoke/--release record")

    b = sub.add_parser(
        "rollback", parents=[_audited(True)],
        help="pin again the last digest that passed this environment's checks",
    )  # fmt: skip
    _service(b)
    b.add_argument("--env", required=True, choices=ENVIRONMENTS)
    b.add_argument("--digest", help="this digest instead (refused unless it passed there)")
    b.add_argument("--pr-body", type=Path, help="write the pull request text here")

    f = sub.add_parser(
        "flag", parents=[_audited(True)], help="flip a feature flag in one environment"
    )
    _service(f)
    f.add_argument("--env", required=True, choices=ENVIRONMENTS)
    f.add_argument("--flag", required=True)
    f.add_argument("--variant", required=True)

    x = sub.add_parser(
        "export-flags", parents=[json_option()], help="write the flagd JSON the ConfigMap carries"
    )
    x.add_argument("--service", required=True)
    x.add_argument("--env", required=True, choices=ENVIRONMENTS)
    x.add_argument("--out", type=Path, required=True)

    a = sub.add_parser(
        "add-service", parents=[json_option()],
        help="write Applications and flag files for a service",
    )  # fmt: skip
    a.add_argument("--service", required=True)
    a.add_argument("--repo-url", required=True, help="git URL Argo CD reads this repo from")
    a.add_argument("--service-path", help="service folder in the repo (default services/NAME)")

    h = sub.add_parser(
        "history", parents=[json_option()], help="the audited changes of a service (from git)"
    )
    _service(h)
    h.add_argument("--env", choices=ENVIRONMENTS)

    _tree_views(sub)

    sub.add_parser(
        "check", parents=[json_option()], help="validate the tree (digests pinned, no latest)"
    )
    return parser


def _service_name(args: argparse.Namespace) -> str:
    if args.service_arg and args.service_opt and args.service_arg != args.service_opt:
        raise UsageError(f"SERVICE {args.service_arg!r} and --service {args.service_opt!r} differ")
    name = args.service_arg or args.service_opt
    if not name:
        raise UsageError(f"{args.command}: name the service (SERVICE or --service NAME)")
    return str(name)


def _written(paths: Sequence[object]) -> tuple[ExitCode, dict[str, Any]]:
    for path in paths:
        print(f"wrote {path}")
    return ExitCode.OK, {"written": [str(p) for p in paths]}


def _check(args: argparse.Namespace, tree: GitopsTree) -> tuple[ExitCode, dict[str, Any]]:
    problems = check_tree(tree)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{PROG}: error: {len(problems)} problem(s) in {args.tree}", file=sys.stderr)
        return ExitCode.FINDING, {"problems": problems}
    print(f"{args.tree}: ok")
    return ExitCode.OK, {"problems": []}


def _run(args: argparse.Namespace) -> tuple[ExitCode, Any]:
    """Do the command, print its lines for a person; the exit code and the JSON data."""
    tree = GitopsTree(args.tree)
    if hasattr(args, "service_arg"):
        args.service = _service_name(args)
    if args.command in AUDITED_COMMANDS:
        return ExitCode.OK, AUDITED_COMMANDS[args.command](args, tree)
    if args.command == "export-flags":
        return _written([export_flagd_json(tree, args.env, args.service, args.out)])
    if args.command == "slo-rules":
        envs = (args.env,) if args.env else ENVIRONMENTS
        return _written([write_slo_rules(tree, env, args.service, args.slo) for env in envs])
    if args.command == "inventory":
        return run_inventory(tree, args.env, table=not args.json, check=args.check)
    if args.command == "add-service":
        where = args.service_path or f"services/{args.service}"
        seed = Path(where) if Path(where).is_dir() else None
        return _written(list(add_service(tree, args.service, args.repo_url, where, seed)))
    return _check(args, tree)


def _main(argv: Sequence[str] | None) -> int:
    return run_subcommand(PROG, _parser(), _run, argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `slipway-gitops`."""
    return run_cli(_main, argv, PROG, envelope=True)


if __name__ == "__main__":
    raise SystemExit(main())
