"""checkov over terraform/: zero failed checks, and every skip states its reason."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from terraform_harness import TERRAFORM_DIR

SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def test_every_checkov_skip_has_a_reason() -> None:
    skips = 0
    for tf in TERRAFORM_DIR.rglob("*.tf"):
        if ".terraform" in tf.parts:
            continue
        for lineno, line in enumerate(tf.read_text().splitlines(), 1):
            if match := SKIP.search(line):
                skips += 1
                reason = (match.group(2) or "").strip()
                assert len(reason) >= 20, (
                    f"{tf.relative_to(TERRAFORM_DIR)}:{lineno}: skip of {match.group(1)} "
                    "needs a reason (#checkov:skip=CKV_AWS_X:why this is safe)"
                )
    assert skips > 0  # the scan below relies on these being inline, not global


@pytest.mark.requires("checkov")
def test_checkov_finds_no_failures() -> None:
    proc = subprocess.run(
        [
            "checkov",
            "--directory",
            str(TERRAFORM_DIR),
            "--framework",
            "terraform",
            "--skip-path",
            r"\.terraform",
            "--output",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.stdout.strip(), f"checkov printed nothing (exit {proc.returncode}): {proc.stderr}"
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range'][0]})"
        for report in reports
        for c in report.get("results", {}).get("failed_checks", [])
    ]
    passed = sum(r.get("summary", {}).get("passed", 0) for r in reports)
    assert not failed, "checkov failures:\n" + "\n".join(failed)
    assert passed > 100, f"checkov passed only {passed} checks: did it scan terraform/?"
    assert proc.returncode == 0, proc.stderr


def test_backup_skip_reason_states_the_range_the_variable_accepts() -> None:
    """CKV_AWS_133 is skipped because backups are always on: the days its reason
    names must be the days `backup_retention_days` accepts and the defaults use."""
    database = TERRAFORM_DIR / "modules" / "database"
    reason = re.search(r"checkov:skip=CKV_AWS_133:(.*)", (database / "main.tf").read_text())
    assert reason, "modules/database/main.tf skips CKV_AWS_133 with a reason"
    stated = re.search(r"(\d+) to (\d+) days", reason.group(1))
    accepted = re.search(r"accepts (\d+)-(\d+)", reason.group(1))
    assert stated, reason.group(1)
    assert accepted, reason.group(1)
    variable = re.search(
        r'^variable "backup_retention_days" \{\n(.*?)^\}',
        (database / "variables.tf").read_text(),
        re.M | re.S,
    )
    assert variable, "modules/database/variables.tf declares backup_retention_days"
    condition = re.search(r"condition\s*=\s*(.*)", variable.group(1))
    assert condition
    low = {int(n) for n in re.findall(r">= (\d+)", condition.group(1))}
    high = {int(n) for n in re.findall(r"<= (\d+)", condition.group(1))}
    assert len(low) == len(high) == 1, condition.group(1)
    validated = (low.pop(), high.pop())
    assert tuple(map(int, stated.groups())) == tuple(map(int, accepted.groups())) == validated
    defaults = [
        int(days)
        for days in re.findall(
            r"backup_retention_days\s*=\s*(\d+)", (database / "environment_defaults.tf").read_text()
        )
    ]
    assert len(defaults) == 4
    assert validated[0] <= min(defaults)
    assert max(defaults) <= validated[1]
