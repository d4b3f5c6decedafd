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
