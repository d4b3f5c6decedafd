"""A rendered service's image: built from its locked wheelhouse, started hardened, working.

The example services/orders-api (a template render, byte-exact, see
test_examples.py) is built the way `nox -s release` builds it (slipway-delivery's
wheelhouse + BuildKit), then run as the chart runs it: read-only root
filesystem, UID 10001, all capabilities dropped, with a real PostgreSQL on a
private Docker network. Start-up migrates the schema; the example endpoint
stores and reads an item; the access log line carries a trace id.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from template_rendering import SERVICES

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(900)]
EXAMPLE = SERVICES / "orders-api"


def _docker(*args: str, check: bool = True) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        pytest.fail(f"docker {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from slipway_delivery.imagebuild import build_image  # noqa: PLC0415
    from slipway_delivery.wheelhouse import build_wheelhouse  # noqa: PLC0415

    context = tmp_path_factory.mktemp("orders-api-context")
    for name in ("Dockerfile", ".dockerignore"):
        shutil.copy2(EXAMPLE / name, context / name)
    build_wheelhouse(EXAMPLE, context / "wheelhouse")
    tag = f"it-{uuid.uuid4().hex[:8]}"
    built = build_image(context, "template-test/orders-api", [tag])
    try:
        yield built.refs[0]
    finally:
        _docker("rmi", "--force", built.refs[0], check=False)


@pytest.fixture
def network() -> Iterator[str]:
    name = f"template-it-{uuid.uuid4().hex[:8]}"
    _docker("network", "create", name)
    containers: list[str] = []
    try:
        yield name
    finally:
        for container in _docker("ps", "-aq", "--filter", f"network={name}").split():
            containers.append(container)
        if containers:
            _docker("rm", "-f", *containers, check=False)
        _docker("network", "rm", name, check=False)


def _wait(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer 200 within {timeout:.0f}s")


def _wait_for_postgres(container: str, timeout: float = 90) -> None:
    probe = "$(ls -d /usr/lib/postgresql/*/bin | tail -n1)/pg_isready -q -h 127.0.0.1"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            subprocess.run(["docker", "exec", container, "sh", "-c", probe], check=False).returncode
            == 0
        ):
            return
        time.sleep(0.5)
    pytest.fail(
        f"postgres not ready within {timeout:.0f}s:\n{_docker('logs', container, check=False)}"
    )


def test_image_runs_hardened_against_real_postgres(image: str, network: str) -> None:
    suffix = network.removeprefix("template-it-")
    db = _docker("run", "-d", "--name", f"template-it-db-{suffix}", "--network", network,
                 "--network-alias", "db", "slipway/postgres:15")  # fmt: skip
    _wait_for_postgres(db)
    app = _docker(
        "run", "-d", "--name", f"template-it-app-{suffix}", "--network", network,
        "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges",
        "-e", "APP_ENV=prod", "-e", "DATABASE_URL=postgresql+asyncpg://postgres:postgres@db:5432/app",
        "-p", "127.0.0.1::8000", image,
    )  # fmt: skip
    port = _docker("port", app, "8000/tcp").split()[0].rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/readyz", 120)
    except BaseException:
        print(_docker("logs", app, check=False))
        raise
    created = httpx.post(f"{base}/items", json={"name": "mug", "quantity": 1, "unit_price": "2.5"})
    assert created.status_code == 201, created.text
    fetched = httpx.get(f"{base}/items/{created.json()['id']}")
    assert fetched.json()["unit_price"] == "2.50"
    assert httpx.get(f"{base}/docs").status_code == 404  # prod profile: docs off
    assert _docker("exec", app, "id", "-u") == "10001"
    logs = subprocess.run(["docker", "logs", app], capture_output=True, text=True, check=True)
    lines = [json.loads(x) for x in (logs.stdout + logs.stderr).splitlines() if x.startswith("{")]
    access = [x for x in lines if x.get("route") == "/items" and x.get("status") == 201]
    assert access, lines[-5:]
    assert len(str(access[0].get("trace_id", ""))) == 32
