"""OSV range semantics and advisory loading (YAML and JSON encodings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from slipway_gates.security import osv
from slipway_gates.security.lockfile import Pin


def _advisory(events: list[dict[str, str]], versions: tuple[str, ...] = ()) -> osv.Advisory:
    affected = {
        "package": {"name": "demo", "ecosystem": "PyPI"},
        "versions": list(versions),
        "ranges": [{"type": "ECOSYSTEM", "events": events}],
    }
    return osv.Advisory("PYSEC-0000-1", ("CVE-0000-1",), "demo is broken", (affected,))


@pytest.mark.parametrize(
    ("version", "events", "affected"),
    [
        ("1.0", [{"introduced": "0"}, {"fixed": "1.1"}], True),
        ("1.1", [{"introduced": "0"}, {"fixed": "1.1"}], False),
        ("0.9", [{"introduced": "1.0"}, {"fixed": "1.1"}], False),
        ("2.0.5", [{"introduced": "2.0.0"}, {"fixed": "2.0.6"}], True),
        ("1.5", [{"introduced": "1.0"}, {"last_affected": "1.5"}], True),
        ("1.6", [{"introduced": "1.0"}, {"last_affected": "1.5"}], False),
        ("3.0", [{"introduced": "0"}, {"fixed": "1.1"}, {"introduced": "2.0"}], True),
    ],
)
def test_range_evaluation(version: str, events: list[dict[str, str]], affected: bool) -> None:
    hits = osv.match([Pin("demo", version)], [_advisory(events)])
    assert bool(hits) is affected


def test_explicit_versions_list_matches_even_without_range() -> None:
    hits = osv.match([Pin("demo", "0.3")], [_advisory([], versions=("0.3",))])
    assert [h.advisory.id for h in hits] == ["PYSEC-0000-1"]


def test_loads_yaml_and_json_advisories_for_the_named_projects(advisory_db: Path) -> None:
    ids = sorted(a.id for a in osv.load(advisory_db, {"jinja2", "urllib3"}))
    assert ids == ["PYSEC-2019-217", "PYSEC-2021-66", "PYSEC-2023-192"]


def test_missing_directory_is_an_error_not_a_clean_result(tmp_path: Path) -> None:
    with pytest.raises(osv.AdvisoryDBError, match="does not exist"):
        osv.load(tmp_path / "nope", {"jinja2"})
    (tmp_path / "empty").mkdir()
    with pytest.raises(osv.AdvisoryDBError, match="holds no"):
        osv.load(tmp_path / "empty", {"jinja2"})
