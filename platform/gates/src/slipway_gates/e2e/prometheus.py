"""A real Prometheus server scraping the service under test (host process, temp storage)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx
import yaml
from slipway_contract import probes
from slipway_contract.waiting import poll


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrometheusServer:
    """`prometheus` scraping one target every second, with a static `service` label."""

    def __init__(self, target: str, service: str, binary: str = "prometheus") -> None:
        self.target = target
        self.service = service
        self.binary = binary
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = Path(tempfile.mkdtemp(prefix="gates-prometheus-"))
        self._proc: subprocess.Popen[bytes] | None = None

    def config(self) -> dict[str, Any]:
        return {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [
                {
                    "job_name": self.service,
                    "metrics_path": probes.METRICS,
                    "static_configs": [
                        {"targets": [self.target], "labels": {"service": self.service}}
                    ],
                }
            ],
        }

    def __enter__(self) -> PrometheusServer:
        if shutil.which(self.binary) is None:
            raise FileNotFoundError(f"{self.binary} is not installed (scripts/provision.sh)")
        (self._tmp / "prometheus.yml").write_text(yaml.safe_dump(self.config()))
        self._proc = subprocess.Popen(
            [
                self.binary,
                f"--config.file={self._tmp / 'prometheus.yml'}",
                f"--storage.tsdb.path={self._tmp / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self._tmp / "prometheus.log").open("wb"),
        )
        started = poll(self._ready_or_exited, until=lambda seen: seen != "starting", timeout=30)
        if started.last == "ready":
            return self
        log = (self._tmp / "prometheus.log").read_text(errors="replace")[-1500:]
        self.__exit__()
        raise RuntimeError(f"prometheus did not become ready within 30 s:\n{log}")

    def _ready_or_exited(self) -> str:
        """ "ready" (ours answers), "exited" (ours died: e.g. the port was taken between
        pick and bind) or "starting"."""
        if self._proc is not None and self._proc.poll() is not None:
            return "exited"
        try:
            if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200 and self._is_ours():
                return "ready"
        except httpx.HTTPError:
            pass
        return "starting"

    def _is_ours(self) -> bool:
        """The ready answer came from our process, not another Prometheus on that port."""
        flags = httpx.get(f"{self.url}/api/v1/status/flags", timeout=2).json()["data"]
        return bool(flags.get("storage.tsdb.path") == str(self._tmp / "data"))

    def query(self, expr: str) -> list[dict[str, Any]]:
        resp = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=5)
        resp.raise_for_status()
        result: list[dict[str, Any]] = resp.json()["data"]["result"]
        return result

    def wait_for(self, expr: str, timeout: float = 30) -> list[dict[str, Any]]:
        """Poll an instant query until it returns a series (empty list on timeout)."""
        return poll(lambda: self.query(expr), timeout=timeout).last

    def __exit__(self, *_exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        shutil.rmtree(self._tmp, ignore_errors=True)
