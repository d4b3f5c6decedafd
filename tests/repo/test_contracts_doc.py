"""platform/CONTRACTS.md's namespaces and queues are what the manifests and code do.

The namespace table is held to helm/namespaces, every Argo CD Application in
platform/gitops and the AppProject, and its AWS prefix to the environment module;
the queue table, and copier.yml's broker choice, to the Redis consumer's commands
and the chart's KEDA trigger (lists, never streams).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from slipway_contract.environments import ENVIRONMENTS

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = (ROOT / "platform" / "CONTRACTS.md").read_text()
REDIS_CONSUMER = next(
    (ROOT / "template" / "src" / "{{package_name}}").glob("*queue == 'redis'*consumer.py*")
)
# Redis stream commands (XADD, XREADGROUP, ...) as redis-py methods.
STREAM_COMMAND = re.compile(r"\.x(add|read|readgroup|ack|claim|autoclaim|len|range|group_create)\(")


def _section(heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", CONTRACTS, re.M | re.S)
    assert match, f"CONTRACTS.md has no section '## {heading}'"
    return match.group(1)


def _table(heading: str) -> dict[str, list[str]]:
    """First cell (backticks stripped) -> the other cells, for every body row."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in _section(heading).splitlines()
        if line.startswith("| `")
    ]
    return {row[0].strip("`"): row[1:] for row in rows}


def _documented_namespaces() -> dict[str, str]:
    table = _table("Environments")
    assert tuple(table) == ENVIRONMENTS, "CONTRACTS.md: one Environments row per environment"
    return {env: cells[0].strip("`") for env, cells in table.items()}


def test_namespace_manifests_match_the_contract() -> None:
    documented = _documented_namespaces()
    manifests = {
        yaml.safe_load(path.read_text())["metadata"]["labels"]["slipway.dev/environment"]: (
            yaml.safe_load(path.read_text())["metadata"]["name"]
        )
        for path in sorted((ROOT / "helm" / "namespaces").glob("*.yaml"))
    }
    assert manifests == documented


def test_gitops_destinations_match_the_contract() -> None:
    documented = _documented_namespaces()
    applications = sorted((ROOT / "platform" / "gitops" / "envs").glob("*/*/application.yaml"))
    assert len(applications) >= len(ENVIRONMENTS)
    for path in applications:
        env = path.parts[-3]
        destination = yaml.safe_load(path.read_text())["spec"]["destination"]["namespace"]
        assert destination == documented[env], f"{path.relative_to(ROOT)}: {destination}"
    project = yaml.safe_load((ROOT / "platform" / "gitops" / "argocd" / "project.yaml").read_text())
    allowed = {d["namespace"] for d in project["spec"]["destinations"]}
    assert allowed == set(documented.values())


def test_aws_prefix_matches_the_environment_module() -> None:
    main = (ROOT / "terraform" / "modules" / "environment" / "main.tf").read_text()
    pattern = re.search(r'^\s*name\s*=\s*"([^"]*)\$\{var\.environment\}"', main, re.M)
    assert pattern, "terraform/modules/environment names its resources <prefix>${var.environment}"
    table = _table("Environments")
    assert {env: cells[1].strip("`") for env, cells in table.items()} == {
        env: f"{pattern.group(1)}{env}" for env in ENVIRONMENTS
    }


def test_redis_workers_use_lists_in_code_chart_contract_and_copier() -> None:
    code = REDIS_CONSUMER.read_text()
    assert re.search(r"\.(lpush|blmove|llen)\(", code), "the Redis consumer works on lists"
    assert not STREAM_COMMAND.search(code), "the Redis consumer uses stream commands"
    scaler = (ROOT / "helm" / "slipway-service" / "templates" / "scaledobject.yaml").read_text()
    assert re.search(r"type: redis\n\s+name: [\w-]+\n\s+metadata:\n\s+listName:", scaler)

    queues = _table("Queues (workers)")
    assert set(queues) == {"rabbitmq", "redis"}
    redis_row = " ".join(queues["redis"])
    assert "list `<queue>`" in redis_row
    assert "stream" not in redis_row.lower()
    assert "list `<queue>.dead`" in redis_row

    copier = yaml.safe_load((ROOT / "copier.yml").read_text())
    label = next(k for k, v in copier["queue"]["choices"].items() if v == "redis")
    assert "list" in label.lower(), label
    assert "stream" not in label.lower(), f"copier.yml offers Redis as {label!r}"


def test_rabbitmq_queue_names_match_the_consumer() -> None:
    consumer = next(
        (ROOT / "template" / "src" / "{{package_name}}").glob("*queue == 'rabbitmq'*consumer.py*")
    )
    code = consumer.read_text()
    row = " ".join(_table("Queues (workers)")["rabbitmq"])
    for suffix in (".retry", ".dead"):
        assert f'f"{{self.queue}}{suffix}"' in code, suffix
        assert f"`<queue>{suffix}`" in row, suffix
