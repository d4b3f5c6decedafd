"""checkov over the rendered output of every combination: zero failed checks,
and every skip is an inline `checkov.io/skipN: ID=reason` annotation.

checkov is slow on two shared cores, so it runs once over the whole rendered
folder (all combinations) rather than once per combination.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helm_render import Combination

pytestmark = pytest.mark.requires("helm", "checkov")

# The only checks the chart skips, each where it renders the annotation:
# 8/9 probes on the one-shot test pod, 15 pull policy with a digest, 35 secrets
# as env vars (secretEnv), 43 tag without digest.
ALLOWED_SKIPS = {"CKV_K8S_8", "CKV_K8S_9", "CKV_K8S_15", "CKV_K8S_35", "CKV_K8S_43"}
# A skip reason must explain itself, not just exist.
MIN_REASON_WORDS = 4


@pytest.fixture(scope="module")
def checkov_report(rendered_matrix: dict[Combination, Path], rendered_folder: Path) -> dict:
    proc = subprocess.run(
        [
            "checkov", "-d", str(rendered_folder), "--framework", "kubernetes",
            "--output", "json", "--skip-download", "--compact",
        ],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.stdout.strip(), f"checkov printed nothing (exit {proc.returncode}): {proc.stderr}"
    report: Any = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    kubernetes = [r for r in reports if r.get("check_type") == "kubernetes"]
    assert kubernetes, f"checkov produced no kubernetes report: {proc.stdout[:500]}"
    return kubernetes[0]


def test_checkov_scanned_every_rendered_file(checkov_report: dict, rendered_folder: Path) -> None:
    """Every combination of the matrix and every generated service in every environment."""
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0
    scanned = {Path(c["file_path"]).name for c in checkov_report["results"]["passed_checks"]}
    assert scanned == {p.name for p in rendered_folder.glob("*.yaml")}
    assert summary["passed"] > 1000  # ~45 checks x ~10 workload objects x 24 files


def test_checkov_has_no_failed_checks(checkov_report: dict) -> None:
    failed = [
        f"{c['check_id']} {c['check_name']}: {c['resource']} ({Path(c['file_path']).name})"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert not failed, "\n".join(failed)


def test_every_checkov_skip_is_inline_with_a_reason(checkov_report: dict) -> None:
    skipped = checkov_report["results"]["skipped_checks"]
    assert skipped, "expected the documented inline skips (CKV_K8S_43, test pod probes)"
    vague = [
        f"{c['check_id']} on {c['resource']}: {c.get('check_result', {}).get('suppress_comment')!r}"
        for c in skipped
        if len(str(c.get("check_result", {}).get("suppress_comment", "")).split())
        < MIN_REASON_WORDS
    ]
    assert not vague, "skips without a real reason:\n" + "\n".join(vague)
    assert {c["check_id"] for c in skipped} <= ALLOWED_SKIPS
