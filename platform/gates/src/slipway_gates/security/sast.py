"""Static analysis for security: bandit (severity and confidence medium or higher)
and ruff's flake8-bandit `S` rules, over the Python sources except tests.

Tests are excluded because they legitimately use `assert`, fixed temp paths and
literal subprocess commands; ruff's per-file-ignores say the same for them.
Suppressions must be inline (`# nosec BXXX` / `# noqa: SXXX`), visible in review.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from slipway_gates.outcome import CheckResult
from slipway_gates.repo_files import list_files

_SKIPPED_PARTS = {"tests", "template", "migrations"}


def python_sources(root: Path) -> list[Path]:
    """The Python files SAST looks at: tracked sources outside tests/templates."""
    return [
        p
        for p in list_files(root, "*.py")
        if not _SKIPPED_PARTS.intersection(p.relative_to(root).parts[:-1])
        and not p.name.startswith("test_")
        and p.name not in {"conftest.py", "noxfile.py"}
    ]


def suppressed_by_ruff_noqa(result: dict[str, object]) -> bool:
    """True when the flagged line carries ruff's equivalent suppression (B104 -> `noqa: S104`).

    ruff's S rules are flake8-bandit's tests renumbered B -> S; one inline
    justification (`# noqa: S104 - why`) then serves both tools, instead of two
    comments (`noqa` and `nosec`) that drift apart.
    """
    test_id = str(result.get("test_id", ""))
    lines = str(result.get("code", "")).splitlines()
    flagged = next(
        (ln for ln in lines if ln.split(" ", 1)[0] == str(result.get("line_number"))), ""
    )
    match = re.search(r"#\s*noqa:([^#]*)", flagged)
    if match is None:
        return False
    return f"S{test_id[1:]}" in re.split(r"[\s,]+", match.group(1))


def bandit(root: Path, files: list[Path]) -> CheckResult:
    name = "sast: bandit"
    if not files:
        return CheckResult.not_run(name, f"no Python sources under {root}")
    proc = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-f", "json", "-ll", "-ii", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return CheckResult.failed(name, "bandit did not produce a report", [proc.stderr[-2000:]])
    results = report.get("results", [])
    kept = [r for r in results if not suppressed_by_ruff_noqa(r)]
    findings = [
        f"{r['test_id']} {r['issue_text']} at "
        f"{Path(r['filename']).resolve().relative_to(root.resolve())}:{r['line_number']}"
        f" (severity {r['issue_severity']}, confidence {r['issue_confidence']})"
        for r in kept
    ]
    findings += [f"bandit error: {e}" for e in report.get("errors", [])]
    if findings:
        return CheckResult.failed(name, f"{len(findings)} findings in {len(files)} files", findings)
    quiet = len(results) - len(kept)
    return CheckResult.passed(
        name, f"{len(files)} files, no medium/high finding ({quiet} justified inline with noqa)"
    )


def ruff_s(root: Path, files: list[Path]) -> CheckResult:
    name = "sast: ruff S rules"
    ruff = shutil.which("ruff")
    if ruff is None:
        return CheckResult.not_run(name, "ruff is not installed")
    if not files:
        return CheckResult.not_run(name, f"no Python sources under {root}")
    proc = subprocess.run(
        [
            ruff,
            "check",
            "--select",
            "S",
            "--output-format",
            "concise",
            "--no-cache",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
    if proc.returncode == 0:
        return CheckResult.passed(name, f"{len(files)} files clean")
    lines = [ln for ln in proc.stdout.splitlines() if ln and not ln.startswith("Found")]
    return CheckResult.failed(name, f"{len(lines)} findings", lines)


def run(root: Path) -> list[CheckResult]:
    files = python_sources(root)
    return [bandit(root, files), ruff_s(root, files)]
