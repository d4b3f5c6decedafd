"""Dependency vulnerabilities of the lock file: online with pip-audit, or offline (OSV dir).

pip-audit prints "No known vulnerabilities found" even when it could not reach its
service, having checked nothing. So before trusting it we ask the service about a
canary (a release known to be vulnerable) and only use pip-audit, with --strict,
when the answer lists advisories. Otherwise the offline OSV directory is used; with
neither, the check is reported NOT RUN (and fails under CI) - never as clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import httpx

from slipway_gates.outcome import CheckResult
from slipway_gates.security import osv
from slipway_gates.security.lockfile import LockError, find_lock, read_pins

NAME = "vulnerabilities"
ADVISORY_DB_ENV = "SLIPWAY_ADVISORY_DB"
# jinja2 2.10 has several published advisories (e.g. PYSEC-2019-217): a service that
# knows vulnerabilities must list at least one for it.
_CANARY_URL = "https://pypi.org/pypi/jinja2/2.10/json"


EXCEPTIONS_FILENAME = "vulnerability-exceptions.toml"


class ExceptionsError(ValueError):
    """The exceptions file is malformed; the message names the file and the entry."""


def load_exceptions(root: Path, lock_dir: Path | None = None) -> dict[str, str]:
    """Accepted advisories: `[ignore]` id (or alias) = "why it does not apply / until when".

    Read from <root>, else from the lock's folder (a monorepo service shares its
    workspace's lock, so it shares the workspace's reviewed exceptions).
    """
    candidates = [root / EXCEPTIONS_FILENAME] + (
        [lock_dir / EXCEPTIONS_FILENAME] if lock_dir else []
    )
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ExceptionsError(f"{path}: not valid TOML: {exc}") from exc
    ignore = data.get("ignore", {})
    for vuln_id, reason in ignore.items():
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            raise ExceptionsError(
                f"{path}: [ignore] {vuln_id} needs a reason (a sentence, not a word)"
            )
    return dict(ignore)


def default_advisory_db(root: Path) -> Path | None:
    """$SLIPWAY_ADVISORY_DB, else ../shared/advisory-db beside the repository, if present."""
    if env := os.environ.get(ADVISORY_DB_ENV):
        return Path(env)
    for base in (root, *root.resolve().parents):
        candidate = base.parent / "shared" / "advisory-db"
        if candidate.is_dir():
            return candidate
        if (base / ".git").exists():
            break
    return None


def vulnerability_service_reachable(url: str = _CANARY_URL, timeout: float = 5.0) -> bool:
    """True only if the service answers AND reports the canary's known advisories."""
    try:
        resp = httpx.get(url, timeout=timeout, follow_redirects=True)
        return resp.status_code == 200 and bool(resp.json().get("vulnerabilities"))
    except (httpx.HTTPError, ValueError):
        return False


def offline(lock: Path, db: Path, accepted: dict[str, str] | None = None) -> CheckResult:
    """Match the lock's pins against the OSV directory; name every advisory hit."""
    name = f"{NAME} (offline, OSV dir {db})"
    accepted = accepted or {}
    try:
        pins = read_pins(lock)
        advisories = osv.load(db, {p.name for p in pins})
    except (LockError, osv.AdvisoryDBError) as exc:
        return CheckResult.failed(name, str(exc), [])
    if not pins:
        return CheckResult.not_run(name, f"{lock} pins no third-party package")
    all_hits = osv.match(pins, advisories)
    hits = [h for h in all_hits if not accepted.keys() & {h.advisory.id, *h.advisory.aliases}]
    for h in all_hits:
        if h not in hits:
            print(
                f"          accepted: {h.advisory.id} on {h.pin.name}=={h.pin.version} "
                f"({EXCEPTIONS_FILENAME})"
            )
    total = osv.count_advisories(db)
    if hits:
        return CheckResult.failed(
            name,
            f"{len(hits)} known vulnerabilities in "
            f"{len({h.pin for h in hits})} of {len(pins)} pinned packages",
            [h.describe() for h in hits],
        )
    return CheckResult.passed(
        name,
        f"{len(pins)} pinned packages checked against {total} advisories "
        f"({len(advisories)} concern these packages; none affects the pinned versions"
        f"{f' except {len(all_hits)} accepted in {EXCEPTIONS_FILENAME}' if all_hits else ''})",
    )


def online(lock: Path, accepted: dict[str, str] | None = None) -> CheckResult:
    """pip-audit --strict over the lock exported as pinned requirements."""
    name = f"{NAME} (pip-audit)"
    with tempfile.TemporaryDirectory(prefix="gates-audit-") as tmp:
        reqs = Path(tmp) / "requirements.txt"
        export = subprocess.run(
            [
                "uv",
                "export",
                "--frozen",
                "--all-packages",
                "--all-groups",
                "--no-emit-workspace",
                "--no-hashes",
                "--format",
                "requirements-txt",
                "-o",
                str(reqs),
            ],
            cwd=lock.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if export.returncode != 0:
            return CheckResult.failed(name, "uv export failed", export.stderr.splitlines())
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--strict",
                "--no-deps",
                "--disable-pip",
                "-r",
                str(reqs),
                *(arg for vuln_id in (accepted or {}) for arg in ("--ignore-vuln", vuln_id)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    if proc.returncode != 0:
        return CheckResult.failed(name, "pip-audit reported vulnerabilities or errors", lines)
    return CheckResult.passed(name, lines[-1] if lines else "pip-audit passed")


def run(root: Path, mode: str = "auto", advisory_db: Path | None = None) -> CheckResult:
    """mode: auto (online when the service really answers, else offline), online, offline."""
    lock = find_lock(root)
    db = advisory_db or default_advisory_db(root)
    try:
        accepted = load_exceptions(root, lock.parent)
    except ExceptionsError as exc:
        return CheckResult.failed(NAME, str(exc), [])
    if mode in {"auto", "online"} and vulnerability_service_reachable():
        return online(lock, accepted)
    if mode == "online":
        return CheckResult.not_run(NAME, "no vulnerability service answered the canary query")
    if db is None:
        return CheckResult.not_run(
            NAME,
            f"no vulnerability service reachable and no advisory directory "
            f"(pass --advisory-db or set {ADVISORY_DB_ENV})",
        )
    return offline(lock, db, accepted)
