"""Checkov gate: one batched run; failures and reason-less skips fail, mapped to repo paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slipway_gates.outcome import Status
from slipway_gates.security import checkov_scan

GOOD_DOCKERFILE = """\
ARG BASE_IMAGE=slipway/python-base:bookworm
FROM ${BASE_IMAGE}
# checkov:skip=CKV_DOCKER_7: the base image is pinned by the BASE_IMAGE build argument
HEALTHCHECK CMD ["python3", "-c", "print(1)"]
USER 10001:10001
ENTRYPOINT ["python3"]
"""


@pytest.mark.requires("checkov")
def test_clean_dockerfile_with_reasoned_skip_passes(git_repo: Path) -> None:
    (git_repo / "svc").mkdir()
    (git_repo / "svc" / "Dockerfile").write_text(GOOD_DOCKERFILE)
    result = checkov_scan.run(git_repo)
    assert result.status is Status.PASSED, result.findings
    assert "1 skipped inline with reasons" in result.summary


@pytest.mark.requires("checkov")
def test_failures_and_reasonless_skips_fail_with_repo_paths(git_repo: Path) -> None:
    (git_repo / "svc").mkdir()
    (git_repo / "svc" / "Dockerfile").write_text(
        GOOD_DOCKERFILE.replace(
            ": the base image is pinned by the BASE_IMAGE build argument", ""
        ).replace("USER 10001:10001\n", "")
    )
    (git_repo / "terraform").mkdir()
    (git_repo / "terraform" / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'
    )
    result = checkov_scan.run(git_repo)
    assert result.status is Status.FAILED
    text = "\n".join(result.findings)
    assert "CKV_DOCKER_3" in text
    assert "svc/Dockerfile" in text
    assert "CKV_DOCKER_7 skipped WITHOUT a reason at svc/Dockerfile" in text
    assert "terraform/main.tf" in text
    assert "aws_s3_bucket.b" in text


def test_parse_report_handles_back_to_back_documents() -> None:
    a = {"check_type": "terraform", "results": {}}
    b = [{"check_type": "dockerfile", "results": {}}]
    docs = checkov_scan.parse_report(json.dumps(a) + "\n" + json.dumps(b))
    assert [d["check_type"] for d in docs] == ["terraform", "dockerfile"]


def test_nothing_to_scan_is_not_run(git_repo: Path) -> None:
    result = checkov_scan.run(git_repo)
    assert result.status is Status.NOT_RUN
