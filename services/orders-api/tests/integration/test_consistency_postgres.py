"""`python -m orders_api.consistency` against a real PostgreSQL, as a pipeline runs it.

Each test gets its own database (migrated by the app's real start-up, items written
through the API), records a manifest, changes something the way a bad restore or a
bad rollback would, and checks the exit code and the finding the tool names.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import asyncpg
import pytest
from fastapi.testclient import TestClient
from testcontainers.core.container import DockerContainer

from orders_api import consistency
from orders_api.app import create_app
from orders_api.consistency import FINDINGS, OK, UNREACHABLE, USAGE
from orders_api.settings import Settings

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(240)]
SRC = Path(__file__).resolve().parents[2] / "src"
# The tool as a pipeline runs it: a new interpreter, this package importable, no DATABASE_URL.
ENV = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
ENV["PYTHONPATH"] = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def _sql(dsn: str, *statements: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(dsn, timeout=5)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="module")
def server_dsn(
    start_container: Callable[..., tuple[DockerContainer, str, int]],
    wait_until: Callable[..., None],
) -> str:
    container, host, port = start_container("postgres", 5432)
    # The test image's throwaway credentials, from its ENV (not copied into the repository).
    env = dict(e.split("=", 1) for e in container.get_wrapped_container().attrs["Config"]["Env"])
    dsn = f"postgresql://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@{host}:{port}"
    wait_until(lambda: _sql(f"{dsn}/app", "SELECT 1"), "postgres")
    return dsn


@pytest.fixture
def database(server_dsn: str) -> str:
    """A fresh database, migrated by the app's start-up, with three items written via the API."""
    name = f"c_{uuid.uuid4().hex[:10]}"
    _sql(f"{server_dsn}/app", f'CREATE DATABASE "{name}"')
    url = f"{server_dsn}/{name}"
    settings = Settings(
        service_name="orders-api",
        app_env="dev",
        database_url=url.replace("postgresql://", "postgresql+asyncpg://"),
        tracing_enabled=False,
        metrics_enabled=False,
    )
    with TestClient(create_app(settings)) as client:
        for n in (1, 2, 3):
            item = {"name": f"mug {n}", "quantity": n, "unit_price": "9.50"}
            assert client.post("/items", json=item).status_code == 201
    return url


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    """The tool in a new interpreter, exactly as a pipeline step runs it."""
    return subprocess.run(
        [sys.executable, "-m", "orders_api.consistency", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
        check=False,
    )


@pytest.fixture
def tool(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """The same `main()` in this process (a new interpreter per case would cost seconds each)."""

    def run(*args: str) -> Ran:
        try:
            code = consistency.main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def _recorded(tool: Callable[..., Ran], database: str, tmp_path: Path) -> Path:
    manifest = tmp_path / "manifest.json"
    done = tool("--database-url", database, "record", "--manifest", str(manifest), "--json")
    assert done.returncode == OK, done.stderr
    envelope = json.loads(done.stdout)  # --json: the manifest written is the data
    assert envelope["data"]["manifest"] == str(manifest)
    assert envelope["data"]["tables"] == json.loads(manifest.read_text())["tables"]
    return manifest


def test_an_untouched_database_is_consistent(database: str, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    recording = _tool("--database-url", database, "record", "--manifest", str(manifest))
    assert recording.returncode == OK, recording.stderr
    recorded = json.loads(manifest.read_text())
    assert recorded["alembic_revision"] == "0001"
    assert recorded["tables"]["items"]["rows"] == 3
    done = _tool("--database-url", database, "check", "--manifest", str(manifest), "--json")
    assert done.returncode == OK, done.stdout
    envelope = json.loads(done.stdout)  # all of stdout: Slipway's one envelope
    assert (envelope["schema"], envelope["result"]) == ("slipway-cli/1", "ok")
    report = envelope["data"]
    assert report["consistent"] is True
    assert report["alembic"] == {"database": "0001", "code_head": "0001"}
    assert set(report["invariants"].values()) == {0}


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        ("DELETE FROM items WHERE quantity = 3", "table items: 2 rows, the manifest has 3"),
        ("UPDATE items SET name = 'tea pot' WHERE quantity = 1", "different content (checksum)"),
        ("CREATE TABLE stray (id int)", "table stray: not in the manifest"),
    ],
    ids=["row-missing", "row-changed", "table-extra"],
)
def test_a_database_that_moved_from_the_manifest_is_a_finding(
    tool: Callable[..., Ran], database: str, tmp_path: Path, change: str, finding: str
) -> None:
    manifest = _recorded(tool, database, tmp_path)
    _sql(database, change)
    done = tool("--database-url", database, "check", "--manifest", str(manifest))
    assert done.returncode == FINDINGS, done.stdout
    assert finding in done.stdout


def test_a_revision_this_code_does_not_know_is_a_finding(
    tool: Callable[..., Ran], database: str
) -> None:
    # What a rollback to a release older than the schema leaves behind.
    _sql(database, "UPDATE alembic_version SET version_num = '0002'")
    done = tool("--database-url", database, "check")
    assert done.returncode == FINDINGS
    assert "alembic: the database is at 0002, this code's head is 0001" in done.stdout


def test_a_broken_declared_invariant_is_a_finding(tool: Callable[..., Ran], database: str) -> None:
    _sql(database, "UPDATE items SET created_at = now() + interval '1 day' WHERE quantity = 2")
    done = tool("--database-url", database, "check")
    assert done.returncode == FINDINGS
    assert "invariant broken: no item is dated in the future (1 rows)" in done.stdout


def test_bad_input_and_an_unreachable_database_have_their_own_exit_codes(
    tool: Callable[..., Ran], database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_manifest = tmp_path / "bad.json"
    not_a_manifest.write_text("[1, 2]")
    bad = tool("--database-url", database, "check", "--manifest", str(not_a_manifest))
    assert bad.returncode == USAGE
    assert "is not a manifest written by `consistency record`" in bad.stderr
    missing = tool("--database-url", database, "check", "--manifest", str(tmp_path / "none"))
    assert missing.returncode == USAGE
    monkeypatch.delenv("DATABASE_URL", raising=False)
    no_url = tool("check")
    assert no_url.returncode == USAGE
    assert "pass --database-url or set DATABASE_URL" in no_url.stderr
    closed = "postgresql://nobody@127.0.0.1:1/app"
    unreachable = tool("--database-url", closed, "--timeout", "2", "check")
    assert unreachable.returncode == UNREACHABLE
    assert "cannot reach the database" in unreachable.stderr
    as_json = tool("--database-url", closed, "--timeout", "2", "check", "--json")
    envelope = json.loads(as_json.stdout)  # the envelope says why, as for every Slipway command
    assert (envelope["exit_code"], envelope["result"]) == (UNREACHABLE, "not run")
    assert "cannot reach the database" in envelope["error"]
