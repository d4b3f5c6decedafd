"""The index server: pypiserver on 127.0.0.1, uploads behind htpasswd, no re-uploads.

pypiserver is started as its own process (the maintained `pypi-server run` CLI);
this module only assembles its command line, writes the credentials file and
waits for its health endpoint. `--disable-fallback`: a package the index does not
hold is a 404, never a redirect to a public index (no dependency confusion).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from passlib.apache import HtpasswdFile
from slipway_contract.waiting import poll

HEALTH = "health"


def write_htpasswd(path: Path, user: str, password: str) -> Path:
    """Create or update an htpasswd file with one user (sha512-crypt, as Apache reads it)."""
    if not user or ":" in user:
        raise ValueError(f"index user must be a non-empty name without ':' (got {user!r})")
    if not password:
        raise ValueError("index password must not be empty")
    path.parent.mkdir(parents=True, exist_ok=True)
    htpasswd = HtpasswdFile(str(path), new=not path.exists(), default_scheme="sha512_crypt")
    htpasswd.set_password(user, password)
    htpasswd.save()
    return path


@dataclass(frozen=True)
class IndexServer:
    """One pypiserver instance serving `packages` (uploads land there too)."""

    packages: Path
    htpasswd: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        """Upload URL (`uv publish --publish-url`, twine's repository URL)."""
        return f"http://{self.host}:{self.port}/"

    @property
    def simple_url(self) -> str:
        """PEP 503 simple index URL (uv's `[[tool.uv.index]] url`)."""
        return f"{self.url}simple/"

    def command(self) -> list[str]:
        exe = shutil.which("pypi-server", path=str(Path(sys.executable).parent)) or "pypi-server"
        return [
            exe, "run",
            "--host", self.host, "--port", str(self.port),
            "--authenticate", "update", "--passwords", str(self.htpasswd),
            "--disable-fallback", "--health-endpoint", f"/{HEALTH}",
            "--log-stream", "stderr",
            str(self.packages),
        ]  # fmt: skip

    def start(
        self, log: Path, pidfile: Path | None = None, timeout: float = 60
    ) -> subprocess.Popen[bytes]:
        """Start the server in the background; return once it answers its health check."""
        if not self.htpasswd.is_file():
            raise FileNotFoundError(
                f"{self.htpasswd}: no credentials file (slipway-index serve writes one)"
            )
        self.packages.mkdir(parents=True, exist_ok=True)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            proc = subprocess.Popen(  # noqa: S603 - our own argv
                self.command(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        if pidfile is not None:
            pidfile.parent.mkdir(parents=True, exist_ok=True)
            pidfile.write_text(f"{proc.pid}\n")
        try:
            self.wait_ready(proc, timeout)
        except Exception as exc:
            proc.terminate()
            proc.wait(timeout=10)
            raise RuntimeError(
                f"pypiserver did not start on {self.url}; log: {log}\n{log.read_text()[-2000:]}"
            ) from exc
        return proc

    def wait_ready(self, proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
        """Until the health check answers; RuntimeError at once if `proc` exited."""

        def answers_while_running() -> bool:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"pypiserver exited with {proc.returncode}")
            return self.answers()

        if not poll(answers_while_running, timeout=timeout, interval=0.2).reached:
            raise TimeoutError(f"{self.url}{HEALTH} did not answer within {timeout} s")

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}{HEALTH}", timeout=2) as answer:  # noqa: S310 - http on our host
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False


def stop(proc: subprocess.Popen[bytes], pidfile: Path | None = None) -> None:
    """End the server we started (by its own process handle, never by name)."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)
    if pidfile is not None and pidfile.exists() and pidfile.read_text().strip() == str(proc.pid):
        pidfile.unlink()


def pid_alive(pidfile: Path) -> int | None:
    """The pid in `pidfile` if that process is alive, else None."""
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid
