"""Secrets scan with detect-secrets: over the repository and over built images.

Repository: every file git knows (tracked or not ignored) is scanned with the
plugins and filters recorded in `.secrets.baseline`; a secret that is not in the
baseline fails, as does a baseline entry audited as a real secret (`is_secret: true`).
Create or refresh the baseline with `slipway-gates secrets --update-baseline`
and review the diff: it records hashes, never the secrets.

Image: `docker export` of a container created (not started) from the image, i.e.
the flattened filesystem a pod would run. Files the distribution's packages own
(stdlib, /usr/share, dpkg state) are skipped: they are not ours and are public.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from detect_secrets.core import baseline as ds_baseline
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.filters import regex as regex_filters
from detect_secrets.settings import default_settings, get_filters, get_settings

from slipway_gates.outcome import CheckResult
from slipway_gates.repo_files import list_files

BASELINE_FILENAME = ".secrets.baseline"
# Lock files are full of sha256 hashes: high entropy by design, never secrets.
EXCLUDED_FILES_REGEX = r"(^|/)(uv\.lock|\.secrets\.baseline|package-lock\.json)$"
# Lines that name a secret without holding one (recorded in the baseline's filters):
# a Kubernetes Secret's name in chart values, and URL placeholders in documentation.
EXCLUDED_LINES = [
    r"^\s*(tls)?[sS]ecretName:\s*[\"']?[a-z0-9][a-z0-9.-]*[\"']?\s*$",
    r"://user:password@",
]
_LINE_FILTER = "detect_secrets.filters.regex.should_exclude_line"
# Pseudo-filesystems and caches: never part of what an image ships.
_IMAGE_SKIPPED_PREFIXES = ("proc/", "sys/", "dev/", "var/cache/", "var/log/")
# Files a Debian maintainer script generates (so not in dpkg's checksums) whose
# keyword hits are known false positives: path -> (detector, why).
_IMAGE_FALSE_POSITIVES = {
    "etc/nsswitch.conf": (
        "Secret Keyword",
        "written by libc-bin's postinst; `passwd: files` names a database",
    ),
}
_IMAGE_MAX_FILE_BYTES = 512 * 1024


def _findings(collection: Iterable[tuple[str, PotentialSecret]]) -> list[str]:
    return [
        f"{filename}:{secret.line_number} {secret.type}"
        for filename, secret in sorted(collection, key=lambda fs: (fs[0], fs[1].line_number or 0))
    ]


def _clear_filter_caches() -> None:
    """Filters are cached per process; settings changed. Not cache_bust(): it drops plugins."""
    get_filters.cache_clear()
    regex_filters._get_line_exclusion_regex.cache_clear()


@contextmanager
def _settings_from(baseline_path: Path) -> Iterator[SecretsCollection]:
    """Configure detect-secrets from the baseline (plugins, filters) and yield its secrets."""
    with default_settings():
        known = (
            ds_baseline.load(ds_baseline.load_from_file(str(baseline_path)), str(baseline_path))
            if baseline_path.is_file()
            else SecretsCollection()
        )
        _clear_filter_caches()
        yield known


def _repo_files(root: Path) -> list[str]:
    pattern = re.compile(EXCLUDED_FILES_REGEX)
    return [
        str(p.relative_to(root))
        for p in list_files(root)
        if not pattern.search(str(p.relative_to(root)))
    ]


def update_baseline(root: Path, baseline_path: Path | None = None) -> Path:
    """Write a fresh baseline over the same files the scan reads; audit marks are kept."""
    root = root.resolve()
    path = (baseline_path or root / BASELINE_FILENAME).resolve()
    base = path.parent  # entries are keyed relative to the baseline's folder
    with _settings_from(path) as old:
        patterns = get_settings().filters.get(_LINE_FILTER, {}).get("pattern", [])
        get_settings().filters[_LINE_FILTER] = {"pattern": sorted({*patterns, *EXCLUDED_LINES})}
        _clear_filter_caches()
        fresh = SecretsCollection(root=str(base))
        files = [str((root / f).relative_to(base)) for f in _repo_files(root)]
        fresh.scan_files(*files, num_processors=2)
        fresh.merge(old)
        output = ds_baseline.format_for_output(fresh)
        for key, entries in output["results"].items():
            for entry in entries:
                entry["filename"] = key  # relative: the baseline must not pin a checkout path
        ds_baseline.save_to_file(output, str(path))
    return path


def find_baseline(root: Path) -> Path:
    """<root>/.secrets.baseline, else the nearest one up to the git top (monorepo services)."""
    for base in (root, *root.parents):
        if (base / BASELINE_FILENAME).is_file():
            return base / BASELINE_FILENAME
        if (base / ".git").exists():
            break
    return root / BASELINE_FILENAME


def scan_repo(root: Path, baseline_path: Path | None = None) -> CheckResult:
    root = root.resolve()
    path = (baseline_path or find_baseline(root)).resolve()
    name = "secrets: repository"
    if not path.is_file():
        return CheckResult.failed(
            name,
            f"no baseline at {path}: create it with "
            "`slipway-gates secrets --update-baseline` and review it",
            [],
        )
    # Baseline entries are keyed by paths relative to the baseline's folder.
    base = path.parent
    files = [str((root / f).relative_to(base)) for f in _repo_files(root)]
    with _settings_from(path) as known:
        current = SecretsCollection(root=str(base))
        current.scan_files(*files, num_processors=2)
        # Compare on (repository-relative path, hash, type): detect-secrets' own
        # subtraction also compares its stored filename, absolute when scanned with a
        # root, which would tie a baseline to one checkout's location.
        baselined = {(f, s.secret_hash, s.type) for f, s in known}
        new = [(f, s) for f, s in current if (f, s.secret_hash, s.type) not in baselined]
    audited_real = [
        f"{f}:{s.line_number} {s.type} is audited as a real secret (is_secret=true): rotate it"
        for f, s in known
        if s.is_secret
    ]
    findings = [
        f"{f}: not in {path.name} (a new secret? if a false positive, refresh the baseline)"
        for f in _findings(new)
    ] + audited_real
    if findings:
        return CheckResult.failed(
            name, f"{len(findings)} secrets found in {len(files)} files", findings
        )
    return CheckResult.passed(
        name,
        f"{len(files)} files under {root.name or root} scanned, nothing beyond {path} "
        f"({len(list(known))} audited entries)",
    )


def _dpkg_checksums(files: dict[str, bytes]) -> dict[str, str]:
    """path -> md5 of every file as Debian packaged it (md5sums lists + conffiles in status)."""
    sums: dict[str, str] = {}
    for name, data in files.items():
        if name.startswith("var/lib/dpkg/info/") and name.endswith(".md5sums"):
            for line in data.decode("utf-8", "replace").splitlines():
                digest, _, path = line.partition("  ")
                sums[path.strip()] = digest
    status = files.get("var/lib/dpkg/status", b"").decode("utf-8", "replace")
    for line in status.splitlines():  # " /etc/debconf.conf 81a3ad6f7b1b9f2f... " under Conffiles:
        parts = line.split()
        if line.startswith(" /") and len(parts) >= 2 and len(parts[1]) == 32:
            sums[parts[0].lstrip("/")] = parts[1]
    return sums


def _record_digest(data: bytes) -> str:
    """A file's hash as a wheel's RECORD writes it (sha256, urlsafe base64, unpadded)."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _wheel_checksums(files: dict[str, bytes]) -> dict[str, str]:
    """path -> RECORD digest of every file pip installed from a wheel.

    Such files are a published (or repository-built, and repository-scanned)
    package's contents, byte for byte; what the image adds beyond them is scanned.
    """
    sums: dict[str, str] = {}
    for name, data in files.items():
        if not name.endswith(".dist-info/RECORD"):
            continue
        site = name.rsplit("/", 2)[0]  # the folder holding the .dist-info
        for line in data.decode("utf-8", "replace").splitlines():
            parts = line.rsplit(",", 2)
            if len(parts) == 3 and parts[1].startswith("sha256="):
                path = posixpath.normpath(posixpath.join(site, parts[0]))
                sums[path] = parts[1].removeprefix("sha256=")
    return sums


def _extract_image_fs(image: str, dest: Path) -> tuple[int, int]:
    """docker create + export; write the files a scan must read into dest.

    Files byte-identical to what a Debian package installed (dpkg's own md5sums)
    are public and skipped; a packaged file that was modified in the image is scanned.
    Returns (files written, distro files skipped).
    """
    cid = subprocess.run(
        ["docker", "create", image],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    files: dict[str, bytes] = {}
    try:
        with subprocess.Popen(["docker", "export", cid], stdout=subprocess.PIPE) as proc:
            stream: IO[bytes] = proc.stdout  # type: ignore[assignment]
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    rel = member.name.removeprefix("./")
                    if not member.isreg() or rel.startswith(_IMAGE_SKIPPED_PREFIXES):
                        continue
                    metadata = rel.startswith("var/lib/dpkg/") or rel.endswith("/RECORD")
                    if member.size > _IMAGE_MAX_FILE_BYTES and not metadata:
                        continue
                    if "/__pycache__/" in rel or rel.endswith((".pyc", ".so")):
                        continue
                    fileobj = tar.extractfile(member)
                    if fileobj is not None:
                        files[rel] = fileobj.read()
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, "docker export")
    finally:
        subprocess.run(["docker", "rm", "-f", cid], capture_output=True, check=False)
    packaged = _dpkg_checksums(files)
    wheels = _wheel_checksums(files)
    written = skipped = 0
    for rel, data in files.items():
        if rel.startswith("var/lib/dpkg/"):
            continue
        if packaged.get(rel) == hashlib.md5(data, usedforsecurity=False).hexdigest() or (
            rel in wheels and wheels[rel] == _record_digest(data)
        ):
            skipped += 1
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    return written, skipped


def scan_image(image: str, baseline_path: Path | None = None) -> CheckResult:
    name = f"secrets: image {image}"
    if shutil.which("docker") is None:
        return CheckResult.not_run(name, "docker is not installed")
    with tempfile.TemporaryDirectory(prefix="gates-image-fs-") as tmp:
        dest = Path(tmp)
        try:
            kept, packaged = _extract_image_fs(image, dest)
        except subprocess.CalledProcessError as exc:
            return CheckResult.failed(
                name, f"could not export the image: {exc}", [str(exc.stderr or "")]
            )
        files = [str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()]
        with _settings_from(baseline_path or Path("/nonexistent")):
            found = SecretsCollection(root=str(dest))
            found.scan_files(*files, num_processors=2)
        findings = [
            f
            for f in _findings(found)
            if not any(
                f.startswith(f"{path}:") and f.endswith(kind)
                for path, (kind, _) in _IMAGE_FALSE_POSITIVES.items()
            )
        ]
    if findings:
        return CheckResult.failed(
            name, f"{len(findings)} secrets in the image filesystem", findings
        )
    return CheckResult.passed(
        name,
        f"{kept} files of the image filesystem scanned, no secret "
        f"({packaged} files byte-identical to their Debian package or wheel skipped)",
    )


def baseline_summary(path: Path) -> dict[str, int]:
    """Entries per file in a baseline (for reports)."""
    data = json.loads(path.read_text())
    return {f: len(v) for f, v in data.get("results", {}).items()}
