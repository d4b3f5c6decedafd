"""`slipway-fleet ci-workflow`: a CI pipeline that runs one fleet update as N shards.

GitHub Actions (a `strategy.matrix` over the shards, each uploading its JSON, then a
job merging them) or GitLab CI (`parallel: matrix`, artifacts, a summary job). Every
shard job runs `update --shard K/N --json`; the merge job runs `report merge`, whose
exit code is the one an unsharded run would have had (conflicts 3, failures 1).
A shard's own non-zero exit (a member failed or conflicted) does not stop the
pipeline: the merge judges the whole fleet; only a usage error (2) fails the shard.

The shard and merge commands live in `shard_script` / `merge_script` so the test
runs exactly the shell the workflow runs.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from slipway_contract.cli import print_envelope
from slipway_contract.exit_codes import ExitCode

PYTHON_VERSION = "3.11"


@dataclass(frozen=True)
class WorkflowSpec:
    shards: int
    fleet: str  # fleet file path in the repository holding the workflow
    install: str  # shell command installing slipway-fleet
    publish: str = "none"
    jobs: int = 2

    @property
    def update_flags(self) -> str:
        flags = ["--fleet", self.fleet, "--jobs", str(self.jobs)]
        if self.publish != "none":
            flags += ["--publish", self.publish]
        return shlex.join(flags)


def shard_script(spec: WorkflowSpec) -> str:
    """Shell run by each shard job; expects $SHARD (1..N) and $FLEET_TARGET."""
    return (
        "status=0\n"
        f'slipway-fleet update {spec.update_flags} --to "$FLEET_TARGET" '
        f'--shard "$SHARD/{spec.shards}" --json --no-progress '
        '> "shard-$SHARD.json" || status=$?\n'
        'echo "slipway-fleet update (shard $SHARD) exited $status"\n'
        "# 1 failed, 4 conflicted, 3 skipped: the merge judges the fleet; 2 is a usage error\n"
        'if [ "$status" -eq 2 ] || [ ! -s "shard-$SHARD.json" ]; then exit 2; fi\n'
    )


def merge_script(folder: str) -> str:
    """Shell run by the merge job over the downloaded shard documents in `folder`."""
    return (
        f"slipway-fleet report merge {folder}/shard-*.json --out fleet-summary.json"
        " > fleet-summary.txt || status=$?\n"
        "cat fleet-summary.txt\n"
        'exit "${status:-0}"\n'
    )


def github(spec: WorkflowSpec) -> dict[str, Any]:
    install = [
        {"uses": "actions/checkout@v4"},
        {"uses": "actions/setup-python@v5", "with": {"python-version": PYTHON_VERSION}},
        {"name": "Install slipway-fleet", "run": spec.install},
    ]
    return {
        "name": "fleet-update",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    "to": {
                        "description": "Template release to update the fleet to",
                        "required": True,
                        "default": "latest",
                        "type": "string",
                    }
                }
            }
        },
        "permissions": {"contents": "read"},
        "jobs": {
            "update": {
                "name": f"update shard ${{{{ matrix.shard }}}}/{spec.shards}",
                "runs-on": "ubuntu-latest",
                "strategy": {
                    "fail-fast": False,
                    "matrix": {"shard": list(range(1, spec.shards + 1))},
                },
                "steps": [
                    *install,
                    {
                        "name": "Update this shard",
                        "env": {
                            "SHARD": "${{ matrix.shard }}",
                            "FLEET_TARGET": "${{ inputs.to }}",
                        },
                        "run": shard_script(spec),
                    },
                    {
                        "uses": "actions/upload-artifact@v4",
                        "if": "always()",
                        "with": {
                            "name": "fleet-shard-${{ matrix.shard }}",
                            "path": "shard-${{ matrix.shard }}.json",
                        },
                    },
                ],
            },
            "merge": {
                "name": "fleet summary",
                "needs": "update",
                "if": "always()",
                "runs-on": "ubuntu-latest",
                "steps": [
                    *install,
                    {
                        "uses": "actions/download-artifact@v4",
                        "with": {
                            "pattern": "fleet-shard-*",
                            "merge-multiple": True,
                            "path": "shards",
                        },
                    },
                    {"name": "Merge the shard reports", "run": merge_script("shards")},
                    {
                        "uses": "actions/upload-artifact@v4",
                        "if": "always()",
                        "with": {"name": "fleet-summary", "path": "fleet-summary.*"},
                    },
                ],
            },
        },
    }


def gitlab(spec: WorkflowSpec) -> dict[str, Any]:
    return {
        "stages": ["fleet-update", "fleet-summary"],
        "variables": {"FLEET_TARGET": "latest"},  # override when running the pipeline
        "fleet-update": {
            "stage": "fleet-update",
            "image": f"python:{PYTHON_VERSION}",
            "parallel": {"matrix": [{"SHARD": [str(i) for i in range(1, spec.shards + 1)]}]},
            "script": [spec.install, shard_script(spec)],
            "artifacts": {"when": "always", "paths": ["shard-*.json"]},
        },
        "fleet-summary": {
            "stage": "fleet-summary",
            "image": f"python:{PYTHON_VERSION}",
            "when": "always",
            "needs": [{"job": "fleet-update", "artifacts": True}],
            "script": [spec.install, merge_script(".")],
            "artifacts": {"when": "always", "paths": ["fleet-summary.json", "fleet-summary.txt"]},
        },
    }


class _Literal(str):
    """A multi-line shell script, written as a YAML block (`|`) for readability."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


def _blocks(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _blocks(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_blocks(v) for v in node]
    return _Literal(node) if isinstance(node, str) and "\n" in node else node


def render(provider: str, spec: WorkflowSpec) -> str:
    """The workflow as YAML text (`github` or `gitlab`)."""
    doc = github(spec) if provider == "github" else gitlab(spec)
    dumper: type[yaml.SafeDumper] = type("WorkflowDumper", (yaml.SafeDumper,), {})
    dumper.add_representer(_Literal, _literal)
    header = (
        f"# Generated by `slipway-fleet ci-workflow --provider {provider} --shards {spec.shards}`:"
        " one fleet update as shards, then one merged summary.\n"
    )
    body = str(yaml.dump(_blocks(doc), Dumper=dumper, sort_keys=False, width=200))
    return header + "---\n" + body


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", choices=["github", "gitlab"], required=True)
    parser.add_argument("--shards", type=int, required=True, help="number of parallel shard jobs")
    parser.add_argument("--fleet", default="fleet.yml", help="fleet file path in the repository")
    parser.add_argument(
        "--install", default="pip install slipway-fleet", help="command installing slipway-fleet"
    )
    parser.add_argument("--publish", choices=["none", "push", "github", "gitlab"], default="none")
    parser.add_argument("--jobs", type=int, default=2, help="workers per shard job")
    parser.add_argument("--out", type=Path, help="write the workflow here (default: stdout)")
    parser.add_argument(
        "--json", action="store_true",
        help="print one JSON envelope on stdout, the workflow in its data (CONTRACTS.md)",
    )  # fmt: skip


def run(args: argparse.Namespace, *, err: Console) -> int:
    command = "slipway-fleet ci-workflow"
    if args.shards < 1 or args.jobs < 1:
        message = "--shards and --jobs must be at least 1"
        err.print(f"[red]error:[/] {message}", markup=True)
        if args.json:
            return print_envelope(command, ExitCode.USAGE, error=message)
        return int(ExitCode.USAGE)
    spec = WorkflowSpec(args.shards, args.fleet, args.install, args.publish, args.jobs)
    text = render(args.provider, spec)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    if args.json:  # the workflow belongs in the envelope, not beside it
        data = {"provider": args.provider, "shards": args.shards, "workflow": text,
                "out": str(args.out) if args.out else None}  # fmt: skip
        return print_envelope(command, ExitCode.OK, data=data)
    if not args.out:
        print(text, end="")
    return int(ExitCode.OK)
