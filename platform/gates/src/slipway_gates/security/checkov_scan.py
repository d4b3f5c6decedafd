"""Checkov over Terraform, rendered Helm output (every environment) and Dockerfiles.

Checkov costs ~4 s of start-up per invocation on these 2 cores, so every input is
staged into one folder and scanned in ONE run (`terraform/`, `helm/<chart>-<env>.yaml`,
`docker/<path>/Dockerfile`); findings are mapped back to the repository paths.
Zero failures are allowed, and every skip must be inline with a reason: checkov
reports a bare `checkov:skip=ID` as "No comment provided", which fails here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from slipway_gates.outcome import CheckResult
from slipway_gates.repo_files import dockerfiles, is_template_source, list_files
from slipway_gates.security.helm_render import (
    find_charts,
    plan_renders,
    render_all,
    service_renders,
)

NAME = "checkov"
FRAMEWORKS = ("terraform", "kubernetes", "dockerfile")
_NO_REASON = "No comment provided"


@dataclass
class Staged:
    """What was staged for the run, and how to map a staged path back to the repo."""

    directory: Path
    origin: dict[str, str]  # staged relative path -> repository path (or "chart (env)")
    described: list[str]


def stage_inputs(
    root: Path, stage: Path, terraform_dir: Path | None = None, test_only: tuple[str, ...] = ()
) -> Staged:
    """Copy/render every input into `stage`; returns the path mapping."""
    origin: dict[str, str] = {}
    described: list[str] = []
    # Every Terraform file (platform stacks/modules, services' deploy/terraform), at its
    # repository path so relative module sources still resolve inside the stage.
    tf_files = [
        f
        for f in list_files(terraform_dir or root, "*.tf")
        if not any(fnmatch(str(f.relative_to(root)), g) for g in test_only)
        and not is_template_source(f)
    ]
    for f in tf_files:
        target = stage / "terraform" / f.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
        origin[str(target.relative_to(stage))] = str(f.relative_to(root))
    if tf_files:
        described.append(f"terraform ({len(tf_files)} .tf files)")
    for chart in find_charts(root):
        renders = plan_renders(chart) + service_renders(root, chart)
        for r, out in zip(renders, render_all(renders, stage / "helm"), strict=True):
            layers = " + ".join(str(v.relative_to(root)) for v in r.values) or "defaults"
            origin[str(out.relative_to(stage))] = f"{chart.relative_to(root)} with {layers}"
        described.append(f"helm {chart.relative_to(root)}: {len(renders)} renders")
    files = [
        f
        for f in dockerfiles(root)
        if not any(fnmatch(str(f.relative_to(root)), g) for g in test_only)
    ]
    for df in files:
        rel = df.relative_to(root)
        # Checkov recognises a file named exactly `Dockerfile` (or *.Dockerfile).
        target = (
            stage / "docker" / rel.parent / "Dockerfile"
            if rel.name.startswith("Dockerfile")
            else stage / "docker" / rel
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(df, target)
        origin[str(target.relative_to(stage))] = str(rel)
    if files:
        described.append(f"{len(files)} Dockerfiles")
    if test_only:
        described.append(f"test-only paths not checked: {', '.join(test_only)}")
    return Staged(stage, origin, described)


def parse_report(text: str) -> list[dict[str, Any]]:
    """Checkov prints one JSON document per framework, sometimes several back to back."""
    decoder = json.JSONDecoder()
    docs: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        obj, i = decoder.raw_decode(text, i)
        docs.extend(obj if isinstance(obj, list) else [obj])
    return docs


def judge(docs: list[dict[str, Any]], staged: Staged) -> CheckResult:
    """Fail on any failed check, parsing error, or skip without a reason."""
    findings: list[str] = []
    passed = skipped = 0

    def where(check: dict[str, Any]) -> str:
        abs_path = Path(check.get("file_abs_path") or check.get("file_path", "?"))
        try:
            rel = str(abs_path.relative_to(staged.directory))
        except ValueError:
            rel = str(check.get("file_path", "?")).lstrip("/")
        lines = check.get("file_line_range") or []
        span = f":{lines[0]}" if lines else ""
        return f"{staged.origin.get(rel, rel)}{span} [{check.get('resource', '')}]"

    for doc in docs:
        results = doc.get("results", {})
        passed += len(results.get("passed_checks", []))
        for check in results.get("failed_checks", []):
            findings.append(f"{check['check_id']} {check.get('check_name', '')} at {where(check)}")
        for check in results.get("skipped_checks", []):
            skipped += 1
            reason = (check.get("check_result") or {}).get("suppress_comment", "").strip()
            if not reason or reason == _NO_REASON:
                findings.append(
                    f"{check['check_id']} skipped WITHOUT a reason at {where(check)}: "
                    "write `checkov:skip=<ID>: <why>`"
                )
        for err in results.get("parsing_errors", []):
            findings.append(f"checkov could not parse {err}")
    scope = ", ".join(staged.described)
    if findings:
        return CheckResult.failed(NAME, f"{len(findings)} problems in {scope}", findings)
    if passed == 0:
        return CheckResult.not_run(NAME, f"checkov evaluated no check ({scope or 'no inputs'})")
    return CheckResult.passed(
        NAME, f"{passed} checks passed, {skipped} skipped inline with reasons ({scope})"
    )


def run(
    root: Path, terraform_dir: Path | None = None, test_only: tuple[str, ...] = ()
) -> CheckResult:
    """Stage, run checkov once, judge."""
    if shutil.which("checkov") is None:
        return CheckResult.not_run(
            NAME, "checkov is not on PATH (scripts/provision.sh installs it)"
        )
    with tempfile.TemporaryDirectory(prefix="gates-checkov-") as tmp:
        stage = Path(tmp)
        try:
            staged = stage_inputs(root, stage, terraform_dir, test_only)
        except RuntimeError as exc:  # a chart that does not render is a failure, not a skip
            return CheckResult.failed(NAME, "helm template failed", [str(exc)])
        if not staged.origin:
            return CheckResult.not_run(NAME, f"no Terraform, chart or Dockerfile under {root}")
        proc = subprocess.run(
            [
                "checkov",
                "-d",
                str(stage),
                "--framework",
                *FRAMEWORKS,
                "-o",
                "json",
                "--skip-download",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            docs = parse_report(proc.stdout)
        except json.JSONDecodeError:
            return CheckResult.failed(
                NAME, "checkov output was not JSON", [proc.stdout[-2000:], proc.stderr[-2000:]]
            )
        return judge(docs, staged)
