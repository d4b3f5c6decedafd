"""Run wrk (C load generator, pinned to its own core) and parse its report.

wrk, not a Python generator: one core of wrk drives far more than one uvicorn
worker can serve, so the server is always the bottleneck being measured.

Besides wrk's throughput, the server's own CPU time (user+sys from /proc, all
threads, so span export counts) is sampled around each run: CPU µs per request
is far steadier than req/s on a machine whose cores are shared with other work.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class WrkResult:
    """Throughput and latency of one wrk run."""

    requests_per_second: float
    p50_seconds: float
    p99_seconds: float
    errors: int
    requests: int
    server_cpu_seconds: float = 0.0  # filled in by the caller from /proc

    @property
    def cpu_us_per_request(self) -> float:
        """Server CPU time (user+sys, all its threads) per request, in µs."""
        return self.server_cpu_seconds / self.requests * 1e6 if self.requests else float("inf")


def _duration(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(output: str) -> WrkResult:
    """Parse `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and p50 and p99):
        raise ValueError(f"could not parse wrk output:\n{output}")
    errors = 0
    if socket_errors := re.search(r"Socket errors: (.*)", output):
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    if non_2xx := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(non_2xx.group(1))
    total = re.search(r"(\d+) requests in", output)
    return WrkResult(
        float(rps.group(1)),
        _duration(p50.group(1)),
        _duration(p99.group(1)),
        errors,
        int(total.group(1)) if total else 0,
    )


def process_cpu_seconds(pid: int) -> float:
    """user+sys CPU seconds of process `pid` (all threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)


def run(url: str, *, seconds: float, connections: int, core: int, pid: int = 0) -> WrkResult:
    """Load `url` for `seconds` with wrk pinned to `core`; with `pid`, measure its CPU."""
    command = [
        "taskset", "-c", str(core), "wrk", "--latency", "-t1", f"-c{connections}",
        f"-d{max(1, round(seconds))}s", url,
    ]  # fmt: skip
    cpu_before = process_cpu_seconds(pid) if pid else 0.0
    # A fixed argv built here (no shell, no outside input).
    output = subprocess.run(  # noqa: S603
        command,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cpu = process_cpu_seconds(pid) - cpu_before if pid else 0.0
    return replace(parse(output), server_cpu_seconds=cpu)
