"""`slipway-gitops`: promote, record, roll back, flip flags and check the environments tree."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from slipway_delivery.applications import add_service
from slipway_delivery.cli_support import run_cli
from slipway_delivery.errors import DeliveryError, UsageError
from slipway_delivery.flags import export_flagd_json, set_flag
from slipway_delivery.gitops_tree import DEFAULT_TREE, ENVIRONMENTS, STAGES, GitopsTree
from slipway_delivery.promotion import TRIGGERS, promote, record_verification, rollback
from slipway_delivery.tree_check import check_tree


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slipway-gitops", description=__doc__)
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="GitOps tree root")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("promote", help="pin a digest in an environment (the PR's change)")
    p.add_argument("--service", required=True)
    p.add_argument("--to", required=True, choices=ENVIRONMENTS, dest="env")
    p.add_argument("--digest", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--image", help="repository (default: 127.0.0.1:5000/<service>)")
    p.add_argument("--trigger", default="merge", choices=TRIGGERS[:2])
    p.add_argument("--git-ref", help="the commit or tag that triggered this")
    p.add_argument("--approved-by", help="approver (required for stage and prod)")
    p.add_argument("--pr-body", type=Path, help="write the pull request text here")

    r = sub.add_parser("record", help="record a verification result for a digest")
    r.add_argument("--service", required=True)
    r.add_argument("--env", required=True, choices=STAGES)
    r.add_argument("--digest", required=True)
    r.add_argument("--result", required=True, choices=("passed", "failed"))
    r.add_argument("--version")
    r.add_argument("--evidence", type=Path, help="JSON from slipway-smoke/--release record")

    b = sub.add_parser("rollback", help="pin the previously promoted digest again")
    b.add_argument("--service", required=True)
    b.add_argument("--env", required=True, choices=ENVIRONMENTS)

    f = sub.add_parser("flag", help="flip a feature flag in one environment")
    f.add_argument("--service", required=True)
    f.add_argument("--env", required=True, choices=ENVIRONMENTS)
    f.add_argument("--flag", required=True)
    f.add_argument("--variant", required=True)

    x = sub.add_parser("export-flags", help="write the flagd JSON the ConfigMap carries")
    x.add_argument("--service", required=True)
    x.add_argument("--env", required=True, choices=ENVIRONMENTS)
    x.add_argument("--out", type=Path, required=True)

    a = sub.add_parser("add-service", help="write Applications and flag files for a service")
    a.add_argument("--service", required=True)
    a.add_argument("--repo-url", required=True, help="git URL Argo CD reads this repo from")
    a.add_argument("--service-path", help="service folder in the repo (default services/NAME)")

    sub.add_parser("check", help="validate the tree (digests pinned, no latest)")
    return parser


def _evidence(path: Path | None) -> dict[str, object] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"--evidence {path}: unreadable JSON ({exc})") from None
    keep = ("result", "url", "checks", "window", "gates", "smoke_image", "digest", "version")
    return {k: data[k] for k in keep if k in data}


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    tree = GitopsTree(args.tree)
    if args.command == "promote":
        done, evidence = promote(
            tree, args.service, args.env, args.digest, args.version,
            repository=args.image or f"127.0.0.1:5000/{args.service}",
            trigger=args.trigger, git_ref=args.git_ref, approved_by=args.approved_by,
        )  # fmt: skip
        body = done.pr_body({k: v for k, v in evidence.items() if k != "evidence"})
        if args.pr_body:
            args.pr_body.write_text(f"{done.pr_title()}\n\n{body}")
        print(done.pr_title())
        print(body)
    elif args.command == "record":
        entry = record_verification(
            tree, args.service, args.env, args.digest, args.result,
            version=args.version, evidence=_evidence(args.evidence),
        )  # fmt: skip
        print(f"recorded {args.service}@{args.digest} {args.env}: {entry['result']}")
    elif args.command == "rollback":
        done = rollback(tree, args.service, args.env)
        print(f"{done.pr_title()} (rollback from {done.previous_digest} to {done.digest})")
    elif args.command == "flag":
        old, new = set_flag(tree, args.env, args.service, args.flag, args.variant)
        print(f"{args.service} {args.env}: flag {args.flag} {old} -> {new}")
    elif args.command == "export-flags":
        print(export_flagd_json(tree, args.env, args.service, args.out))
    elif args.command == "add-service":
        path = args.service_path or f"services/{args.service}"
        seed = Path(path) if Path(path).is_dir() else None
        for written in add_service(tree, args.service, args.repo_url, path, seed):
            print(f"wrote {written}")
    else:
        problems = check_tree(tree)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            raise DeliveryError(f"{len(problems)} problem(s) in {args.tree}")
        print(f"{args.tree}: ok")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `slipway-gitops`."""
    return run_cli(_main, argv, "slipway-gitops")


if __name__ == "__main__":
    raise SystemExit(main())
