"""RESTORE.md's retention matrix and the database module's defaults agree."""

from __future__ import annotations

import re

from slipway_contract.environments import ENVIRONMENTS
from terraform_harness import TERRAFORM_DIR

DEFAULTS = TERRAFORM_DIR / "modules" / "database" / "environment_defaults.tf"
RESTORE_DOC = TERRAFORM_DIR / "RESTORE.md"


def _module_matrix() -> dict[str, dict[str, str]]:
    matrix: dict[str, dict[str, str]] = {}
    for env, body in re.findall(
        r"^\s*(dev|qa|stage|prod)\s*=\s*\{([^}]*)\}", DEFAULTS.read_text(), re.M
    ):
        matrix[env] = dict(re.findall(r"(\w+)\s*=\s*\"?([\w.]+)\"?", body))
    return matrix


def _doc_matrix() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in RESTORE_DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] in ENVIRONMENTS:
            rows[cells[0]] = cells[1:]
    return rows


def _yes(value: str) -> str:
    return "yes" if value == "true" else "no"


def test_restore_doc_matches_database_module_defaults() -> None:
    module, doc = _module_matrix(), _doc_matrix()
    assert sorted(module) == sorted(ENVIRONMENTS) == sorted(doc)
    for env in ENVIRONMENTS:
        expected = [
            module[env]["backup_retention_days"],
            _yes(module[env]["multi_az"]),
            _yes(module[env]["deletion_protection"]),
            _yes(module[env]["keep_automated_backups"]),
            "yes",  # final snapshot: always
        ]
        assert doc[env] == expected, f"RESTORE.md row for {env} disagrees with {DEFAULTS.name}"


def test_backups_grow_stricter_towards_prod() -> None:
    module = _module_matrix()
    days = [int(module[env]["backup_retention_days"]) for env in ENVIRONMENTS]
    assert days == sorted(days)
    assert days[0] >= 7
    assert days[-1] == 35
    for env in ("stage", "prod"):
        assert module[env]["multi_az"] == module[env]["deletion_protection"] == "true"
