"""The audit trail of the environments tree: one signed-off git commit per change.

Every promotion, rollback, flag flip and recorded check that `slipway-gitops`
makes is committed (`git commit -s`) with only the files it wrote, its pull
request title as subject and body as message, and these trailers:

    Action: promote | rollback | flag | record
    Service: orders-api
    Environment: prod
    Digest: sha256:...
    Version: 1.4.0
    Actor: who asked for it (--actor, else the CI user, else git's user.name)
    Reason: why (--reason; promotions default to their trigger)
    Checks: the verification the change relied on
    Signed-off-by: the committer (git adds it)

`history()` reads them back with `git log`, so the trail is the git history
itself: nothing else to keep in sync, and reviewable in the pull request.
"""

from __future__ import annotations

import getpass
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from slipway_contract.runner import CommandError, run

from slipway_delivery.errors import DeliveryError, UsageError

ACTIONS = ("promote", "rollback", "flag", "record")
# CI systems name the person or bot that triggered the job in these variables.
ACTOR_VARIABLES = ("SLIPWAY_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN")
TRAILERS = ("Action", "Service", "Environment", "Digest", "Version", "Actor", "Reason", "Checks")


@dataclass(frozen=True)
class AuditEntry:
    """One change to the tree, as its commit trailers carry it."""

    action: str
    service: str
    environment: str
    digest: str
    actor: str
    reason: str
    checks: str
    version: str = ""
    commit: str = ""
    date: str = ""
    subject: str = ""
    signed_off_by: list[str] = field(default_factory=list)

    def trailers(self) -> str:
        values = {
            "Action": self.action, "Service": self.service, "Environment": self.environment,
            "Digest": self.digest, "Version": self.version, "Actor": self.actor,
            "Reason": self.reason, "Checks": self.checks,
        }  # fmt: skip
        # A trailer value is one line: fold newlines so `git log` parses it back whole.
        return "\n".join(f"{k}: {' '.join(v.split())}" for k, v in values.items() if v)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _git(root: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> str:
    if shutil.which("git") is None:
        raise DeliveryError("git is not installed: the audit trail needs it")
    try:
        return run(
            ["git", *args], cwd=root, env={**os.environ, **(env or {})}, input_text=stdin
        ).stdout
    except CommandError as exc:
        raise DeliveryError(f"git {args[0]} failed in {root}: {exc.stderr.strip()}") from None


def require_git_tree(root: Path) -> Path:
    """The work tree's top level; UsageError when `root` is not inside one."""
    try:
        return Path(_git(root, "rev-parse", "--show-toplevel").strip())
    except DeliveryError:
        raise UsageError(
            f"--tree {root} is not inside a git work tree: every change is recorded as a "
            "signed-off commit (the audit trail); `git init` it or clone the environments repo, "
            "or pass --no-commit to write the files only"
        ) from None


def resolve_actor(explicit: str | None, root: Path) -> str:
    """--actor, else the CI's user variable, else git's user.name, else the login name."""
    if explicit:
        return explicit
    for name in ACTOR_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    try:
        configured = _git(root, "config", "user.name").strip()
    except DeliveryError:
        configured = ""
    return configured or getpass.getuser()


def commit_change(root: Path, files: list[str], entry: AuditEntry, title: str, body: str) -> str:
    """Commit exactly `files` (relative to root) signed off, with the entry's trailers."""
    if entry.action not in ACTIONS:
        raise UsageError(f"audit action {entry.action!r} is not one of {', '.join(ACTIONS)}")
    require_git_tree(root)
    identity: dict[str, str] = {}
    if not _git_config(root, "user.email"):
        # A CI runner often has no git identity: commit as the actor, so the
        # sign-off still names who made the change.
        identity = {
            "GIT_AUTHOR_NAME": entry.actor, "GIT_COMMITTER_NAME": entry.actor,
            "GIT_AUTHOR_EMAIL": f"{entry.actor}@users.noreply.invalid",
            "GIT_COMMITTER_EMAIL": f"{entry.actor}@users.noreply.invalid",
        }  # fmt: skip
    message = f"{title}\n\n{body.rstrip()}\n\n{entry.trailers()}\n"
    _git(root, "add", "--", *files)
    _git(root, "commit", "-q", "-s", "-F", "-", "--", *files, env=identity, stdin=message)
    return _git(root, "rev-parse", "HEAD").strip()


def _git_config(root: Path, key: str) -> str:
    try:
        return _git(root, "config", key).strip()
    except DeliveryError:
        return ""


_FIELD = "\x1f"
_RECORD = "\x1e"


def history(root: Path, service: str, env: str | None = None) -> list[AuditEntry]:
    """The audited changes of `service` (optionally one environment), newest first."""
    require_git_tree(root)
    fmt = _FIELD.join(("%H", "%cI", "%s", "%(trailers:unfold,only,separator=%x1d)")) + _RECORD
    out = _git(root, "log", f"--format={fmt}", "--", ".")
    entries = []
    for raw in out.split(_RECORD):
        if not raw.strip():
            continue
        sha, date, subject, trailers = raw.strip("\n").split(_FIELD)
        values: dict[str, str] = {}
        signers: list[str] = []
        for line in trailers.split("\x1d"):
            key, sep, value = line.partition(": ")
            if not sep:
                continue
            if key == "Signed-off-by":
                signers.append(value.strip())
            elif key in TRAILERS:
                values[key] = value.strip()
        if values.get("Service") != service or values.get("Action") not in ACTIONS:
            continue
        if env is not None and values.get("Environment") != env:
            continue
        entries.append(
            AuditEntry(
                action=values["Action"], service=service,
                environment=values.get("Environment", ""), digest=values.get("Digest", ""),
                version=values.get("Version", ""), actor=values.get("Actor", ""),
                reason=values.get("Reason", ""), checks=values.get("Checks", ""),
                commit=sha, date=date, subject=subject, signed_off_by=signers,
            )
        )  # fmt: skip
    return entries
