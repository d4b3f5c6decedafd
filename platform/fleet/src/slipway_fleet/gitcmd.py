"""Run git as a subprocess, never interactively.

Hand-written on purpose: the tool needs a handful of plumbing commands with exact
control over the environment (no prompts, no pager, fixed identity), which a
subprocess call gives more plainly than GitPython's object model.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Git must fail instead of asking for a password or a host key: a prompt would hang
# a worker forever, and an auth failure must become a per-member error.
_NON_INTERACTIVE = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=15",
    "GIT_PAGER": "cat",
    "GIT_EDITOR": "true",
}
# Commits made by the tool carry this identity unless the caller configured one.
BOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "slipway-fleet",
    "GIT_AUTHOR_EMAIL": "slipway-fleet@localhost",
    "GIT_COMMITTER_NAME": "slipway-fleet",
    "GIT_COMMITTER_EMAIL": "slipway-fleet@localhost",
}


class GitError(RuntimeError):
    """A git command failed; carries the command and git's own message."""

    def __init__(self, args: list[str], returncode: int, stderr: str) -> None:
        self.args_list = args
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(f"git {' '.join(args)} failed ({returncode}): {self.stderr}")


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment plus the non-interactive settings (and `extra`)."""
    env = {**os.environ, **_NON_INTERACTIVE}
    for key, value in BOT_IDENTITY.items():
        env.setdefault(key, value)
    if extra:
        env.update(extra)
    return env


def git(
    *args: str,
    cwd: Path | str | None = None,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> str:
    """Run `git ARGS` in `cwd` and return stdout; raise GitError when `check`."""
    proc = subprocess.run(  # noqa: S603 - fixed program, arguments built by this package
        ["git", *args],  # noqa: S607 - the user's git from PATH, like every git tool
        cwd=cwd,
        capture_output=True,
        text=True,
        env=git_env(env),
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        raise GitError(list(args), proc.returncode, proc.stderr)
    return proc.stdout


def git_ok(*args: str, cwd: Path | str | None = None) -> bool:
    """True when `git ARGS` exits 0 (for yes/no questions such as rev-parse)."""
    try:
        git(*args, cwd=cwd)
    except GitError:
        return False
    return True


def is_local(location: str) -> bool:
    """True for a filesystem path, False for a URL (scheme:// or scp-like user@host:)."""
    if "://" in location:
        return location.startswith("file://")
    head = location.split("/", 1)[0]
    return not (":" in head and not location.startswith((".", "/")))


def local_path(location: str) -> Path:
    """Filesystem path of a local location (a path or a file:// URL)."""
    return Path(location.removeprefix("file://")).expanduser()
