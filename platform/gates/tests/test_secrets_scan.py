"""detect-secrets over a repository (with its baseline) and over an image's filesystem."""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from pathlib import Path

import pytest
from slipway_gates.outcome import Status
from slipway_gates.security import secrets_scan

# Built at run time so this file itself holds no secret-shaped literal.
FAKE_AWS_KEY = "AKIA" + "ZQ3DMN7RT2XH5WVB"
FAKE_PRIVATE_KEY = (
    "-----BEGIN RSA "
    + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n-----END RSA PRIVATE KEY-----\n"
)


def test_a_new_secret_fails_and_a_baselined_one_passes(git_repo: Path) -> None:
    (git_repo / "app.py").write_text("def f() -> int:\n    return 1\n")
    secrets_scan.update_baseline(git_repo)
    assert secrets_scan.scan_repo(git_repo).status is Status.PASSED

    (git_repo / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{FAKE_AWS_KEY}"\n')
    result = secrets_scan.scan_repo(git_repo)
    assert result.status is Status.FAILED
    assert any("settings.py:1 AWS Access Key" in f for f in result.findings)

    # Reviewed as a false positive: refreshing the baseline records it (by hash).
    secrets_scan.update_baseline(git_repo)
    assert FAKE_AWS_KEY not in (git_repo / ".secrets.baseline").read_text()
    assert secrets_scan.scan_repo(git_repo).status is Status.PASSED


def test_ignored_files_are_not_scanned_and_a_missing_baseline_fails(git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("reports/\n")
    (git_repo / "reports").mkdir()
    (git_repo / "reports" / "dump.txt").write_text(f"key={FAKE_AWS_KEY}\n")
    result = secrets_scan.scan_repo(git_repo)
    assert result.status is Status.FAILED
    assert "no baseline" in result.summary
    secrets_scan.update_baseline(git_repo)
    assert secrets_scan.scan_repo(git_repo).status is Status.PASSED


@pytest.mark.requires("docker")
def test_image_filesystem_scan_finds_a_baked_in_key(tmp_path: Path) -> None:
    image = f"gates-test-secrets-{uuid.uuid4().hex[:8]}:1"
    (tmp_path / "id_rsa").write_text(FAKE_PRIVATE_KEY)
    (tmp_path / "Dockerfile").write_text(
        "FROM slipway/python-base:bookworm\nCOPY id_rsa /app/config/id_rsa\n"
    )
    subprocess.run(
        ["docker", "build", "-q", "-t", image, str(tmp_path)], check=True, capture_output=True
    )
    try:
        result = secrets_scan.scan_image(image)
        assert result.status is Status.FAILED
        assert any("app/config/id_rsa" in f and "Private Key" in f for f in result.findings)
        clean = secrets_scan.scan_image("slipway/python-base:bookworm")
        assert clean.status is Status.PASSED, clean.findings
    finally:
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True, check=False)


def test_files_identical_to_their_wheel_record_or_dpkg_sum_are_recognised() -> None:
    code = b"print('hi')\n"
    record = (
        f"pkg/__init__.py,sha256={secrets_scan._record_digest(code)},12\n"
        "pkg-1.0.dist-info/RECORD,,\n"
    ).encode()
    files = {
        "opt/venv/lib/python3.11/site-packages/pkg/__init__.py": code,
        "opt/venv/lib/python3.11/site-packages/pkg-1.0.dist-info/RECORD": record,
        "var/lib/dpkg/info/base.md5sums": (
            hashlib.md5(b"conf\n", usedforsecurity=False).hexdigest() + "  etc/base.conf\n"
        ).encode(),
    }
    wheels = secrets_scan._wheel_checksums(files)
    assert wheels == {
        "opt/venv/lib/python3.11/site-packages/pkg/__init__.py": secrets_scan._record_digest(code)
    }
    dpkg = secrets_scan._dpkg_checksums(files)
    assert dpkg == {"etc/base.conf": hashlib.md5(b"conf\n", usedforsecurity=False).hexdigest()}


def test_a_baseline_holds_relative_paths_and_works_in_another_checkout(
    git_repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (git_repo / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{FAKE_AWS_KEY}"\n')
    secrets_scan.update_baseline(git_repo)
    text = (git_repo / ".secrets.baseline").read_text()
    assert str(git_repo) not in text
    clone = tmp_path_factory.mktemp("clone")
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    for name in ("settings.py", ".secrets.baseline"):
        (clone / name).write_text((git_repo / name).read_text())
    result = secrets_scan.scan_repo(clone)
    assert result.status is Status.PASSED, result.findings
