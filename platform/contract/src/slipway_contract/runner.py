"""One way to run an external tool (docker, git, helm, terraform...), one error type.

subprocess.run with text capture; a failure, a missing executable and a timeout
all become CommandError, whose message names the command and carries the end of
its stderr, so a caller can print it as is.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

_TAIL = 2000  # characters of stderr kept in a message: enough to act on, not a log dump


class CommandError(RuntimeError):
    """An external command failed, was not installed, or timed out."""

    def __init__(
        self,
        argv: Sequence[str],
        message: str,
        *,
        returncode: int | None = None,
        output: str = "",
        stderr: str = "",
    ) -> None:
        super().__init__(message)
        self.argv = list(argv)
        self.returncode = returncode
        self.output = output  # the command's stdout
        self.stderr = stderr  # all of it, for callers that phrase their own message


def run(
    argv: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    check: bool = True,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `argv` (never a shell); CommandError when it fails and `check` is set."""
    shown = " ".join(argv)
    try:
        # argv lists built by the calling module, never a shell string.
        done = subprocess.run(  # noqa: S603
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise CommandError(argv, f"{argv[0]} is not installed (running `{shown}`)") from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandError(argv, f"`{shown}` did not finish within {timeout:.0f}s") from exc
    if check and done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-_TAIL:]
        raise CommandError(
            argv,
            f"{shown} failed ({done.returncode}): {tail}",
            returncode=done.returncode,
            output=done.stdout,
            stderr=done.stderr,
        )
    return done
