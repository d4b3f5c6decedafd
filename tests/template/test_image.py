"""A rendered service's image: built from its locked wheelhouse, minimal, started hardened.

The example services/orders-api (a template render, byte-exact, see
test_examples.py) is built the way `nox -s release` builds it (slipway-delivery's
wheelhouse + BuildKit). Its exported filesystem carries no shell, no package
manager, no perl, no su and no setuid/setgid file, and the image is no bigger
than before it was made distroless. It then runs as the chart runs it: read-only
root filesystem, UID 10001, all capabilities dropped, with a real PostgreSQL on
a private Docker network. Start-up migrates the schema; the example endpoint
stores and reads an item; the access log line carries a trace id.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import tarfile
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from template_rendering import SERVICES

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(900)]
EXAMPLE = SERVICES / "orders-api"
# The orders-api image before its runtime stage became distroless (bea3cfb): 202.1 MB.
SIZE_BEFORE_DISTROLESS = 202_118_394
# Programs an attacker with code execution would reach for, none of which the
# service runs: shells, package managers (Debian's, Python's, other distros'),
# perl, and privilege changers. Matched on executable files and symlinks anywhere.
FORBIDDEN_PROGRAMS = frozenset(
    {"sh", "bash", "dash", "ash", "zsh", "ksh", "csh", "tcsh", "busybox"}
    | {"apt", "apt-get", "apt-cache", "apt-config", "apt-key", "apt-mark", "aptitude"}
    | {"dpkg", "dpkg-deb", "dpkg-query", "dpkg-divert", "dpkg-split", "dpkg-trigger"}
    | {"rpm", "yum", "dnf", "microdnf", "apk", "pip", "pip3", "easy_install"}
    | {"perl", "su", "sudo", "login", "newgrp", "chsh", "chfn", "gpasswd", "mount"}
)
# The only executables in the PATH folders: the interpreter (python3 links to it).
PATH_FOLDERS = ("bin/", "sbin/", "usr/bin/", "usr/sbin/", "usr/local/bin/", "usr/local/sbin/")


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


@pytest.fixture(scope="module")
def exported_files(image: str) -> list[tarfile.TarInfo]:
    """Every entry of the image's flattened filesystem (docker create + export)."""
    container = _docker("create", image)
    try:
        with (
            subprocess.Popen(["docker", "export", container], stdout=subprocess.PIPE) as proc,
            tarfile.open(fileobj=proc.stdout, mode="r|") as tar,
        ):
            members = list(tar)
        assert proc.returncode == 0, f"docker export {container} failed"
    finally:
        _docker("rm", "-f", container, check=False)
    return members


def test_image_has_no_shell_package_manager_or_setuid_file(
    exported_files: list[tarfile.TarInfo],
) -> None:
    names = {m.name.removeprefix("./").rstrip("/"): m for m in exported_files}
    forbidden = sorted(
        f"{path} ({'symlink' if m.issym() else 'file'})"
        for path, m in names.items()
        if (m.issym() or (m.isreg() and m.mode & 0o111))
        and path.rsplit("/", 1)[-1] in FORBIDDEN_PROGRAMS
    )
    assert not forbidden, f"programs the service never runs are in the image: {forbidden}"
    privileged = sorted(
        f"{path} ({stat.filemode(m.mode)})"
        for path, m in names.items()
        if m.isreg() and m.mode & (stat.S_ISUID | stat.S_ISGID)
    )
    assert not privileged, f"setuid/setgid files in the image: {privileged}"
    on_path = sorted(
        path
        for path, m in names.items()
        if path.startswith(PATH_FOLDERS) and (m.issym() or m.mode & 0o111) and not m.isdir()
    )
    assert on_path == ["usr/bin/python3", "usr/bin/python3.11"], on_path
    # What it does carry: the venv's interpreter link, the stdlib, the service.
    assert {"opt/venv/bin/python", "usr/lib/python3.11/os.py", "etc/passwd"} <= names.keys()
    assert any(p.startswith("opt/app/orders_api/") for p in names)


def test_image_is_no_bigger_than_before(image: str) -> None:
    size = int(_docker("image", "inspect", "-f", "{{.Size}}", image))
    print(f"orders-api image: {size / 1e6:.1f} MB (before distroless: "
          f"{SIZE_BEFORE_DISTROLESS / 1e6:.1f} MB)")  # fmt: skip
    assert size <= SIZE_BEFORE_DISTROLESS


def test_image_runs_without_a_shell(image: str) -> None:
    """The entrypoint and healthcheck are exec-form: nothing in the image config needs sh."""
    config = json.loads(_docker("image", "inspect", "-f", "{{json .Config}}", image))
    assert config["Entrypoint"][0] == "python3", config["Entrypoint"]
    assert config["Healthcheck"]["Test"][:2] == ["CMD", "python3"], config["Healthcheck"]
    assert config["User"] == "10001:10001"
    done = subprocess.run(
        ["docker", "run", "--rm", "--network=none", "--entrypoint", "sh", image, "-c", "true"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "executable file not found" in done.stderr, done.stderr


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
    uid = "import os; print(os.getuid(), os.getgid())"
    assert _docker("exec", app, "python3", "-c", uid) == "10001 10001"
    # The image's own HEALTHCHECK command, exactly as Docker runs it (exec form, no shell).
    health = json.loads(
        _docker("image", "inspect", "-f", "{{json .Config.Healthcheck.Test}}", image)
    )
    assert health[0] == "CMD", health
    _docker("exec", app, *health[1:])  # fails the test on a non-zero exit
    logs = subprocess.run(["docker", "logs", app], capture_output=True, text=True, check=True)
    lines = [json.loads(x) for x in (logs.stdout + logs.stderr).splitlines() if x.startswith("{")]
    access = [x for x in lines if x.get("route") == "/items" and x.get("status") == 201]
    assert access, lines[-5:]
    assert len(str(access[0].get("trace_id", ""))) == 32
