"""Offline vulnerability matching against an OSV-format advisory directory.

For air-gapped machines: a snapshot of the PyPA advisory database (or any OSV
export, YAML or JSON, one advisory per file) is matched against the lock's pins.
Hand-written because pip-audit has no offline OSV-directory source; the range
semantics follow the OSV schema (introduced / fixed / last_affected events on
ECOSYSTEM ranges, plus the explicit `versions` list).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

from slipway_gates.security.lockfile import Pin, normalise

try:  # libyaml's loader is ~10x faster on the 2.6k advisories of the PyPA database
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    affected: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Hit:
    pin: Pin
    advisory: Advisory
    fixed_in: tuple[str, ...]

    def describe(self) -> str:
        aliases = f" ({', '.join(self.advisory.aliases)})" if self.advisory.aliases else ""
        fix = f"; fixed in {', '.join(self.fixed_in)}" if self.fixed_in else "; no fixed version"
        pin = f"{self.pin.name}=={self.pin.version}"
        return f"{self.advisory.id}{aliases}: {pin}{fix}. {self.advisory.summary}"


class AdvisoryDBError(ValueError):
    """The advisory directory is missing or holds no advisories."""


def _parse(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=SafeLoader)
    return data if isinstance(data, dict) else {}


def _advisory_files(db: Path, names: set[str]) -> list[Path]:
    """Files that may concern `names` (the PyPA layout vulns/<project>/ narrows the read)."""
    vulns = db / "vulns" if (db / "vulns").is_dir() else db
    per_project = [d for d in vulns.iterdir() if d.is_dir()]
    if per_project:
        dirs = [d for d in per_project if normalise(d.name) in names]
        return [
            f for d in dirs for f in sorted(d.iterdir()) if f.suffix in {".yaml", ".yml", ".json"}
        ]
    return sorted(f for f in vulns.iterdir() if f.suffix in {".yaml", ".yml", ".json"})


def count_advisories(db: Path) -> int:
    vulns = db / "vulns" if (db / "vulns").is_dir() else db
    return sum(1 for f in vulns.rglob("*") if f.suffix in {".yaml", ".yml", ".json"})


def load(db: Path, names: set[str]) -> list[Advisory]:
    """Advisories in `db` relevant to the normalised project names (withdrawn ones dropped)."""
    if not db.is_dir():
        raise AdvisoryDBError(f"advisory directory {db} does not exist")
    if count_advisories(db) == 0:
        raise AdvisoryDBError(f"advisory directory {db} holds no .yaml/.json advisory")
    advisories = []
    for f in _advisory_files(db, names):
        data = _parse(f)
        if not isinstance(data, dict) or "id" not in data or data.get("withdrawn"):
            continue
        details = " ".join(str(data.get("summary") or data.get("details") or "").split())
        advisories.append(
            Advisory(
                id=str(data["id"]),
                aliases=tuple(data.get("aliases") or ()),
                summary=details[:160] + ("..." if len(details) > 160 else ""),
                affected=tuple(data.get("affected") or ()),
            )
        )
    return advisories


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: list[dict[str, str]]) -> bool:
    """OSV ECOSYSTEM range evaluation: walk sorted events up to `version`."""
    keyed = []
    for event in events:
        for kind, raw in event.items():
            v = Version("0") if raw == "0" else _version(str(raw))
            if v is not None:
                keyed.append((v, kind))
    affected = False
    for v, kind in sorted(keyed, key=lambda e: e[0]):
        if kind == "introduced" and v <= version:
            affected = True
        elif (kind == "fixed" and v <= version) or (kind == "last_affected" and v < version):
            affected = False
    return affected


def match(pins: list[Pin], advisories: list[Advisory]) -> list[Hit]:
    """Every (pin, advisory) pair where the pinned version is affected."""
    hits = []
    by_name: dict[str, list[Pin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    for adv in advisories:
        for aff in adv.affected:
            pkg = aff.get("package", {})
            if pkg.get("ecosystem", "PyPI") != "PyPI":
                continue
            for pin in by_name.get(normalise(str(pkg.get("name", ""))), []):
                version = _version(pin.version)
                listed = pin.version in {str(v) for v in aff.get("versions") or ()}
                ranges = [r for r in aff.get("ranges") or () if r.get("type") == "ECOSYSTEM"]
                in_range = version is not None and any(
                    _in_range(version, r.get("events", [])) for r in ranges
                )
                if listed or in_range:
                    fixed = tuple(
                        str(e["fixed"]) for r in ranges for e in r.get("events", []) if "fixed" in e
                    )
                    hits.append(Hit(pin, adv, fixed))
    return sorted(hits, key=lambda h: (h.pin, h.advisory.id))
