"""Start a service image with its real dependencies on a private Docker network.

Used by `slipway-gates e2e` and by `slipway-gates load` (when no --host is given).
The dependencies come from the service's `.copier-answers.yml` (`database`,
`queue`), as images built from the local base by scripts/provision.sh, or their
copies in SLIPWAY_IMAGE_REGISTRY (slipway_contract.images). Only the
service's port is published, with a port docker picks: on 127.0.0.1, or on the
daemon's host when DOCKER_HOST names a remote one (slipway_contract.docker_host).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import httpx
import yaml
from slipway_contract import docker_host, env_vars, images, probes
from slipway_contract.runner import run
from slipway_contract.waiting import poll

from slipway_gates.e2e.docker_cli import (
    DockerError,
    docker,
    network_gateway,
    published_url,
    remove,
)


@dataclass(frozen=True)
class Dependency:
    """A dependency container: image, network alias, readiness probe, env for the service."""

    kind: str
    local_image: str  # the name scripts/provision.sh builds (slipway_contract.images)
    probe: tuple[str, ...]
    service_env: dict[str, str]

    @property
    def image(self) -> str:
        """Where this run pulls the image from: SLIPWAY_IMAGE_REGISTRY's copy, read when
        a stack starts (a hosted runner has no local build), else the local name."""
        return images.reference(self.local_image)


DEPENDENCIES = {
    "postgres": Dependency(
        "postgres",
        images.POSTGRES,
        ("pg_isready", "-h", "127.0.0.1", "-U", "postgres"),
        # Throwaway credentials of the test-only image (platform/images/postgres).
        {
            "DATABASE_URL": "postgresql+asyncpg://postgres:postgres@postgres:5432/app"
        },  # pragma: allowlist secret
    ),
    "redis": Dependency(
        "redis", images.REDIS, ("redis-cli", "ping"), {"BROKER_URL": "redis://redis:6379/0"}
    ),
    "rabbitmq": Dependency(
        "rabbitmq",
        images.RABBITMQ,
        ("rabbitmq-diagnostics", "-q", "check_port_connectivity"),
        {"BROKER_URL": "amqp://guest:guest@rabbitmq:5672/"},  # pragma: allowlist secret
    ),
}


@dataclass(frozen=True)
class ServiceInfo:
    """What the stack needs to know about a service directory."""

    directory: Path
    name: str
    port: int
    dependencies: tuple[str, ...]
    kind: str = "http-api"  # copier's service_kind: http-api | queue-worker

    @classmethod
    def from_dir(cls, directory: Path, name: str | None = None) -> ServiceInfo:
        answers_file = directory / ".copier-answers.yml"
        answers = yaml.safe_load(answers_file.read_text()) if answers_file.is_file() else {}
        slo = directory / "slo.yaml"
        slo_name = yaml.safe_load(slo.read_text()).get("service") if slo.is_file() else None
        deps = []
        if (
            answers.get("service_kind", "http-api") == "http-api"
            and answers.get("database") == "postgres"
        ):
            deps.append("postgres")
        if answers.get("service_kind") == "queue-worker" and answers.get("queue") in DEPENDENCIES:
            deps.append(answers["queue"])
        return cls(
            directory=directory,
            name=name or answers.get("service_name") or slo_name or directory.resolve().name,
            port=int(answers.get("port", 8000)),
            dependencies=tuple(deps),
            kind=str(answers.get("service_kind", "http-api")),
        )


class _Readiness(NamedTuple):
    """One look at the service: what /readyz answered, and whether it is still running."""

    answer: str
    ready: bool = False
    exited: bool = False


@dataclass
class Stack:
    """A running service plus dependencies; use as a context manager (teardown always runs)."""

    service: ServiceInfo
    image: str
    otlp_endpoint: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: f"gates-{uuid.uuid4().hex[:8]}")
    url: str = ""
    containers: dict[str, str] = field(default_factory=dict)

    @property
    def network(self) -> str:
        return f"{self.prefix}-net"

    @property
    def service_container(self) -> str:
        return self.containers["service"]

    def gateway(self) -> str:
        """The host's address on the stack's network (where host-side receivers listen)."""
        return network_gateway(self.network)

    def callback_address(self) -> str:
        """Where the stack's containers reach a server of this process (the OTLP receiver).

        The network's gateway when it is this machine's (the local daemon). A remote
        daemon's (GitLab's docker:dind) gateway is on the daemon's host; its containers'
        traffic leaves through that host, so they reach this machine at its address on
        the route toward the daemon."""
        gateway = self.gateway()
        if docker_host.is_local_address(gateway):
            return gateway
        return docker_host.local_address_toward_daemon()

    def create_network(self) -> None:
        docker("network", "create", self.network)

    def start(self) -> Stack:
        if not self.containers:
            try:
                docker("network", "inspect", self.network)
            except DockerError:
                self.create_network()
        env: dict[str, str] = {}
        for kind in self.service.dependencies:
            env.update(self.start_dependency(kind).service_env)
        for kind in self.service.dependencies:
            self.wait_dependency(kind)
        env.update(
            {
                env_vars.SERVICE_NAME: self.service.name,
                env_vars.APP_ENV: "dev",
                env_vars.LOG_LEVEL: "INFO",
                env_vars.HTTP_PORT: str(self.service.port),
                env_vars.SHUTDOWN_GRACE_SECONDS: "20",
            }
        )
        if self.otlp_endpoint:
            env[env_vars.OTEL_EXPORTER_OTLP_ENDPOINT] = self.otlp_endpoint
            env["OTEL_BSP_SCHEDULE_DELAY"] = "500"  # ms: spans reach the receiver quickly
        env.update(self.extra_env)
        name = f"{self.prefix}-service"
        args = [
            "run",
            "-d",
            "--name",
            name,
            "--network",
            self.network,
            "-p",
            docker_host.publish_flag(self.service.port),
            "--stop-timeout",
            "30",
        ]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        docker(*args, self.image)
        self.containers["service"] = name
        self.url = published_url(name, self.service.port)
        self.wait_ready()
        return self

    def start_dependency(self, kind: str) -> Dependency:
        """Run the dependency `kind` on the stack's network, reachable as host `kind`."""
        dep = DEPENDENCIES[kind]
        name = f"{self.prefix}-{kind}"
        docker("run", "-d", "--name", name, "--network", self.network,
               "--network-alias", kind, dep.image)  # fmt: skip
        self.containers[kind] = name
        return dep

    def wait_dependency(self, kind: str, timeout: float = 90) -> None:
        """Run the dependency's own readiness probe in its container until it succeeds."""
        probe = ["docker", "exec", self.containers[kind], *DEPENDENCIES[kind].probe]
        polled = poll(
            lambda: run(probe, check=False),
            until=lambda done: done.returncode == 0,
            timeout=timeout,
        )
        if not polled.reached:
            said = (polled.last.stdout + polled.last.stderr).strip()[-300:]
            raise DockerError(
                f"dependency {kind} did not become ready within {timeout}s "
                f"(last probe: exit {polled.last.returncode}: {said})"
            )

    def _readiness(self) -> _Readiness:
        try:
            resp = httpx.get(f"{self.url}{probes.READYZ}", timeout=2)
            if resp.status_code == 200:
                return _Readiness("200", ready=True)
            answer = f"{resp.status_code} {resp.text[:300]}"
        except httpx.HTTPError as exc:
            answer = repr(exc)
        state = docker("inspect", "-f", "{{.State.Status}}", self.service_container, check=False)
        return _Readiness(answer, exited=state == "exited")

    def wait_ready(self, timeout: float = 90) -> None:
        """Poll /readyz until 200; when the container exited or on timeout, raise with
        its last log lines."""
        last = poll(
            self._readiness, until=lambda seen: seen.ready or seen.exited, timeout=timeout
        ).last
        if last.ready:
            return
        tail = docker("logs", "--tail", "30", self.service_container, check=False)
        raise DockerError(f"{self.service.name} not ready ({last.answer}); last logs:\n{tail}")

    def stop(self) -> None:
        remove(*self.containers.values())
        self.containers.clear()
        docker("network", "rm", self.network, check=False)

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *_exc: object) -> None:
        self.stop()
