"""What the e2e stack reads from a service directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_gates.e2e.stack import DEPENDENCIES, ServiceInfo

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("answers", "deps"),
    [
        ("service_kind: http-api\ndatabase: postgres\n", ("postgres",)),
        ("service_kind: http-api\ndatabase: none\n", ()),
        ("service_kind: queue-worker\nqueue: rabbitmq\n", ("rabbitmq",)),
        ("service_kind: queue-worker\nqueue: redis\n", ("redis",)),
    ],
)
def test_dependencies_come_from_the_copier_answers(
    tmp_path: Path, answers: str, deps: tuple[str, ...]
) -> None:
    (tmp_path / ".copier-answers.yml").write_text(f"service_name: svc\nport: 8000\n{answers}")
    info = ServiceInfo.from_dir(tmp_path)
    assert info.name == "svc"
    assert info.dependencies == deps
    assert info.kind == answers.split("\n", maxsplit=1)[0].removeprefix("service_kind: ")


def test_the_example_worker_is_a_rabbitmq_queue_worker() -> None:
    info = ServiceInfo.from_dir(REPO / "services" / "events-worker")
    assert (info.kind, info.dependencies) == ("queue-worker", ("rabbitmq",))


def test_dependency_images_are_the_provisioned_ones() -> None:
    provisioned = {
        f"slipway/{p.name}:{(p / 'TAG').read_text().strip()}"
        for p in (REPO / "platform/images").iterdir()
        if p.is_dir()  # README.md lives there too
    }
    assert {d.local_image for d in DEPENDENCIES.values()} <= provisioned


def test_the_example_service_needs_postgres() -> None:
    info = ServiceInfo.from_dir(REPO / "services" / "orders-api")
    assert (info.name, info.port, info.dependencies) == ("orders-api", 8000, ("postgres",))
