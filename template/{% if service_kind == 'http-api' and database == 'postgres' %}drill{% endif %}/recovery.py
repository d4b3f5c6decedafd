"""Recovery drill for {{ service_name }}: `nox -s drill` (or `python drill/recovery.py`).

Backs up a real PostgreSQL the way the platform's database module has RDS serve its
policy (terraform/modules/database: automated backups, point-in-time recovery over
the retention window), destroys it, restores it twice and proves the data:

 1. a PostgreSQL container (`slipway/postgres:15`) with continuous WAL archiving to a
    separate volume (the "backup storage"); the service's real server process applies
    the migrations at start-up;
 2. a base backup (pg_basebackup, WAL from the archive), then a known data set written
    through the service's HTTP API: batch A, the recovery point, batch B; a manifest
    (`python -m {{ package_name }}.consistency record`) after each batch;
 3. RPO: how long the last acknowledged write lived only on the primary before its WAL
    reached the archive (bounded by archive_timeout);
 4. the primary is destroyed (container and data gone); a full restore (base backup +
    every archived WAL) and a point-in-time restore (recovery_target_time between the
    batches) each start a new PostgreSQL, the service and `consistency check --manifest`;
    RTO is restore start -> service ready and consistent;
 5. through the API: after the full restore every write is there, after the
    point-in-time restore every batch-A write is there and no batch-B write is;
 6. warm-up: p95 and slowest of the first 100 real requests to a freshly started service, cold
    (full restore) and after `python -m {{ package_name }}.warmup` (point-in-time restore).

Figures are printed and written to reports/drill.json. Exit 1 when a step fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
import docker
import httpx
from docker.models.containers import Container
from slipway_contract import images

SERVICE, PACKAGE = "{{ service_name }}", "{{ package_name }}"
# The platform's image, from SLIPWAY_IMAGE_REGISTRY when set (slipway_contract.images).
IMAGE = os.environ.get("POSTGRES_IMAGE") or images.reference(images.POSTGRES)
BACKUP = "/drill"  # the backup volume in the containers: base/ (pg_basebackup) and wal/ (archive)
# Seconds after which PostgreSQL closes a WAL segment with writes in it, so it is archived:
# the bound of the data a lost primary can take with it (RDS ships its logs every 5 minutes;
# a drill keeps it short so it runs in seconds).
ARCHIVE_TIMEOUT_S = 1
FIRST_REQUESTS, IN_FLIGHT = 100, 10
REPORT = Path("reports/drill.json")


class DrillError(Exception):
    """A step of the drill did not do what it must."""


def wait_for(probe: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    """Call `probe` until it returns a truthy value without raising; fail naming `what`."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            if result := probe():
                return result
        except DrillError:
            raise
        except Exception as exc:  # any failure means "not yet"
            last = exc
        time.sleep(0.1)
    raise DrillError(f"{what}: not done after {timeout:.0f}s (last error: {last})")


def sql(url: str, query: str) -> Any:
    """One value from one query on a fresh connection."""

    async def run() -> Any:
        conn = await asyncpg.connect(url, timeout=3)
        try:
            return await conn.fetchval(query)
        finally:
            await conn.close()

    return asyncio.run(run())


@cache
def image_credentials() -> tuple[str, str]:
    """The test image's own throwaway user and password, read from its ENV (not copied here)."""
    config_env = docker.from_env().images.get(IMAGE).attrs["Config"]["Env"]
    env = dict(entry.split("=", 1) for entry in config_env)
    return env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Postgres:
    container: Container

    @property
    def url(self) -> str:
        self.container.reload()
        port = self.container.attrs["NetworkSettings"]["Ports"]["5432/tcp"][0]["HostPort"]
        user, password = image_credentials()
        return f"postgresql://{user}:{password}@127.0.0.1:{port}/app"

    def wait_primary(self) -> None:
        """Accepting connections and out of recovery (a restore is promoted)."""
        wait_for(lambda: sql(self.url, "SELECT NOT pg_is_in_recovery()"), "PostgreSQL ready")

    def psql(self, query: str) -> Any:
        return sql(self.url, query)


class Lab:
    """The drill's Docker objects (unique names, all removed at the end)."""

    def __init__(self) -> None:
        self.docker = docker.from_env()
        self.tag = uuid.uuid4().hex[:8]
        self.volume = self.docker.volumes.create(f"{SERVICE}-drill-backup-{self.tag}")
        self.containers: list[Container] = []
        # The backup volume belongs to the image's postgres user (a new volume is root's).
        self._run(
            ["sh", "-c", f"mkdir -p {BACKUP}/wal && chown -R postgres: {BACKUP}"], user="root"
        )

    def _run(self, entrypoint: list[str], **options: Any) -> None:
        self.docker.containers.run(
            IMAGE, entrypoint=entrypoint, remove=True, volumes=self._mounts(), **options
        )

    def _mounts(self) -> dict[str, dict[str, str]]:
        return {self.volume.name: {"bind": BACKUP, "mode": "rw"}}

    def postgres(self, role: str, entrypoint: list[str] | None = None) -> Postgres:
        container = self.docker.containers.run(
            IMAGE,
            name=f"{SERVICE}-drill-{role}-{self.tag}",
            entrypoint=entrypoint,
            detach=True,
            volumes=self._mounts(),
            ports={"5432/tcp": ("127.0.0.1", None)},  # loopback, an ephemeral port
        )
        self.containers.append(container)
        return Postgres(container)

    def exec(self, pg: Postgres, command: str) -> str:
        code, output = pg.container.exec_run(
            ["sh", "-c", command], environment={"PGPASSWORD": image_credentials()[1]}
        )
        text = output.decode(errors="replace")
        if code != 0:
            raise DrillError(f"`{command}` in {pg.container.name} exited {code}: {text}")
        return text

    def close(self) -> None:
        for container in self.containers:
            with contextlib.suppress(docker.errors.NotFound):  # the drill destroyed it
                container.remove(force=True)
        self.volume.remove(force=True)


def start_primary(lab: Lab) -> Postgres:
    """The database in service: WAL archived to the backup volume, segment by segment."""
    primary = lab.postgres("primary")
    primary.wait_primary()
    archive = f"test ! -f {BACKUP}/wal/%f && cp %p {BACKUP}/wal/%f"
    for setting, value in (
        ("archive_mode", "on"),
        ("archive_command", archive),
        ("archive_timeout", f"{ARCHIVE_TIMEOUT_S}s"),
    ):
        primary.psql(f"ALTER SYSTEM SET {setting} = '{value}'")
    primary.container.restart()  # archive_mode takes effect at server start
    primary.wait_primary()
    return primary


def restore(lab: Lab, role: str, target_time: str | None) -> Postgres:
    """A new PostgreSQL from the base backup + archived WAL (to `target_time` if given)."""
    settings = [f"restore_command = 'cp {BACKUP}/wal/%f %p'", "archive_mode = 'off'"]
    if target_time:
        settings += [
            f"recovery_target_time = '{target_time}'",
            "recovery_target_action = 'promote'",
        ]
    conf = "\n".join(settings)
    script = (
        'set -eu; mkdir -p "$PGDATA"; cp -a /drill/base/. "$PGDATA"/; chmod 700 "$PGDATA"; '
        f'printf "%s\\n" {shlex.quote(conf)} >>"$PGDATA/postgresql.auto.conf"; '
        'touch "$PGDATA/recovery.signal"; exec /usr/local/bin/pg-entrypoint'
    )
    return lab.postgres(role, entrypoint=["sh", "-c", script])


class Service:
    """The service's real server process (`python -m {{ package_name }}`) on a database."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "SERVICE_NAME": SERVICE,
            "APP_ENV": "dev",
            "HTTP_PORT": str(self.port),
            "TRACING_ENABLED": "false",
            "DATABASE_URL": database_url.replace("postgresql://", "postgresql+asyncpg://"),
        }
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter, this package
                [sys.executable, "-m", PACKAGE], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.client = httpx.Client(base_url=self.base, timeout=10)

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise DrillError(f"the service exited {self.process.returncode}:\n{tail}")
            return self.client.get("/readyz").status_code == 200

        wait_for(ready, "service /readyz 200", timeout=90)

    def stop(self) -> None:
        self.client.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextmanager
def service(database_url: str, log: Path) -> Iterator[Service]:
    svc = Service(database_url, log)
    try:
        svc.wait_ready()
        yield svc
    finally:
        svc.stop()


def write_batch(svc: Service, batch: str, count: int) -> list[str]:
    ids = []
    for i in range(count):
        item = {"name": f"drill-{batch}-{i:03d}", "quantity": i + 1, "unit_price": f"{i + 1}.25"}
        response = svc.client.post("/items", json=item)
        if response.status_code != 201:
            raise DrillError(f"POST /items answered {response.status_code}: {response.text}")
        ids.append(response.json()["id"])
    return ids


def consistency(command: str, database_url: str, manifest: Path) -> None:
    """The shipped tool, as a pipeline runs it; its exit code decides."""
    args = [sys.executable, "-m", f"{PACKAGE}.consistency", "--database-url", database_url]
    done = subprocess.run(  # noqa: S603 - this interpreter, this package
        [*args, command, "--manifest", str(manifest)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise DrillError(
            f"consistency {command} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    print(f"  {done.stdout.strip()}")


def present(svc: Service, ids: list[str]) -> int:
    """How many of `ids` the service returns (200); anything but 200/404 fails the drill."""
    found = 0
    for item_id in ids:
        status = svc.client.get(f"/items/{item_id}").status_code
        if status not in (200, 404):
            raise DrillError(f"GET /items/{item_id} answered {status}")
        found += status == 200
    return found


def first_requests_ms(svc: Service, item_ids: list[str]) -> dict[str, float]:
    """p95 and slowest (ms) of the first FIRST_REQUESTS real requests, IN_FLIGHT at a time.

    The slowest shows the cold-start cost the first users pay (new pool connections,
    first-use paths); p95 how far it reaches into the first hundred.
    """
    paths = [
        f"/items/{item_ids[i % len(item_ids)]}" if i % 2 else "/items?limit=50"
        for i in range(FIRST_REQUESTS)
    ]

    async def run() -> list[float]:
        gate = asyncio.Semaphore(IN_FLIGHT)
        async with httpx.AsyncClient(base_url=svc.base, timeout=10) as client:

            async def one(path: str) -> float:
                async with gate:
                    started = time.perf_counter()
                    response = await client.get(path)
                    took = time.perf_counter() - started
                if response.status_code != 200:
                    raise DrillError(f"GET {path} answered {response.status_code}")
                return took * 1000

            return await asyncio.gather(*(one(p) for p in paths))

    took = asyncio.run(run())
    p95 = statistics.quantiles(took, n=100, method="inclusive")[94]
    return {"p95": round(p95, 1), "max": round(max(took), 1)}


def warm_up(svc: Service) -> None:
    args = [sys.executable, "-m", f"{PACKAGE}.warmup", "--url", svc.base]
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise DrillError(f"warmup exited {done.returncode}:\n{done.stdout}{done.stderr}")
    print(f"  {done.stdout.strip()}")


def run_drill(workdir: Path, writes: int) -> dict[str, Any]:  # noqa: PLR0915 - one linear story
    lab, figures = Lab(), {}
    log = workdir / "service.log"
    try:
        print(f"recovery drill: {SERVICE} (PostgreSQL {IMAGE}, backup volume {lab.volume.name})")
        primary = start_primary(lab)
        manifest_a, manifest_b = workdir / "manifest-a.json", workdir / "manifest-b.json"
        with service(primary.url, log) as svc:  # start-up applies the migrations
            lab.exec(
                primary,
                f"pg_basebackup -h /var/run/postgresql -U postgres -D {BACKUP}/base"
                " -X none -c fast",
            )
            print("  base backup taken (pg_basebackup, WAL from the archive)")
            batch_a = write_batch(svc, "a", writes)
            consistency("record", primary.url, manifest_a)
            time.sleep(0.2)  # the recovery point falls strictly between the two batches
            target = primary.psql("SELECT clock_timestamp()::text")
            time.sleep(0.2)
            batch_b = write_batch(svc, "b", writes)
            acknowledged = time.monotonic()
            segment = primary.psql("SELECT pg_walfile_name(pg_current_wal_lsn() - 1)")
            wait_for(
                lambda: (
                    (primary.psql("SELECT last_archived_wal FROM pg_stat_archiver") or "")
                    >= segment
                ),
                f"WAL segment {segment} archived",
                timeout=60,
            )
            figures["rpo_seconds"] = round(time.monotonic() - acknowledged, 3)
            consistency("record", primary.url, manifest_b)
        print(f"  {writes} items written before the recovery point ({target}), {writes} after")
        primary.container.remove(force=True)  # the incident: the primary and its data are gone
        print("  primary destroyed")

        started = time.monotonic()
        full = restore(lab, "restore-full", None)
        full.wait_primary()
        database_s = time.monotonic() - started
        with service(full.url, log) as svc:
            consistency("check", full.url, manifest_b)
            figures["full"] = {
                "rto_seconds": round(time.monotonic() - started, 2),
                "database_seconds": round(database_s, 2),
            }
            cold = first_requests_ms(svc, batch_a)
            figures["full"]["present"] = {"a": present(svc, batch_a), "b": present(svc, batch_b)}
        full.container.remove(force=True)

        started = time.monotonic()
        pitr = restore(lab, "restore-pitr", target)
        pitr.wait_primary()
        database_s = time.monotonic() - started
        with service(pitr.url, log) as svc:
            consistency("check", pitr.url, manifest_a)
            figures["point_in_time"] = {
                "target": target,
                "rto_seconds": round(time.monotonic() - started, 2),
                "database_seconds": round(database_s, 2),
            }
            warm_up(svc)
            warm = first_requests_ms(svc, batch_a)
            figures["point_in_time"]["present"] = {
                "a": present(svc, batch_a),
                "b": present(svc, batch_b),
            }
        figures["first_requests_ms"] = {"cold": cold, "warm_after_warmup": warm}
    finally:
        lab.close()

    full_ok = figures["full"]["present"] == {"a": writes, "b": writes}
    pitr_ok = figures["point_in_time"]["present"] == {"a": writes, "b": 0}
    if not (full_ok and pitr_ok):
        raise DrillError(
            f"restored data wrong: full {figures['full']['present']} (want {writes}/{writes}), "
            f"point-in-time {figures['point_in_time']['present']} (want {writes}/0)"
        )
    figures["writes_per_batch"] = writes
    return figures


def summary(figures: dict[str, Any]) -> str:
    full, pitr = figures["full"], figures["point_in_time"]
    first = figures["first_requests_ms"]
    cold, warm = first["cold"], first["warm_after_warmup"]
    n = figures["writes_per_batch"]
    return "\n".join(
        [
            f"DRILL {SERVICE}: passed",
            f"  RPO {figures['rpo_seconds']:.2f} s: the last acknowledged write reached the WAL"
            f" archive after that long (bound: archive_timeout {ARCHIVE_TIMEOUT_S} s)",
            f"  full restore: RTO {full['rto_seconds']:.2f} s"
            f" (database {full['database_seconds']:.2f} s);"
            f" {full['present']['a'] + full['present']['b']}/{2 * n} writes present,"
            " manifest matches",
            f"  point-in-time restore to {pitr['target']}: RTO {pitr['rto_seconds']:.2f} s"
            f" (database {pitr['database_seconds']:.2f} s); {pitr['present']['a']}/{n} writes"
            f" before the point present, {pitr['present']['b']}/{n} after it present,"
            " manifest matches",
            f"  warm-up: first {FIRST_REQUESTS} requests ({IN_FLIGHT} in flight) p95"
            f" {cold['p95']:.1f} ms, slowest {cold['max']:.1f} ms cold; p95 {warm['p95']:.1f} ms,"
            f" slowest {warm['max']:.1f} ms after warm-up",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="drill/recovery.py", description=__doc__.splitlines()[0])
    cli.add_argument("--writes", type=int, default=50, help="items written per batch (default 50)")
    cli.add_argument("--report", type=Path, default=REPORT, help=f"JSON figures (default {REPORT})")
    args = cli.parse_args(argv)
    if args.writes < 1:
        cli.error("--writes must be at least 1")
    with tempfile.TemporaryDirectory(prefix=f"{SERVICE}-drill-") as tmp:
        try:
            figures = run_drill(Path(tmp), args.writes)
        except (DrillError, docker.errors.DockerException) as exc:
            print(f"DRILL {SERVICE}: FAILED: {exc}", file=sys.stderr)
            return 1
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(figures, indent=2) + "\n")
    print(summary(figures))
    print(f"  figures: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
