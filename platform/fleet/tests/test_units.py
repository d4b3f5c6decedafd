"""Pure pieces: versions, fleet files, migration order, conflict detection."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from packaging.version import Version
from slipway_fleet.conflicts import conflicted_files
from slipway_fleet.fleet import FleetFileError, load_fleet_file
from slipway_fleet.migrations import applicable, declared_out_of_order, sort_by_version
from slipway_fleet.publish import project_from_url
from slipway_fleet.versions import find_release, parse_version, releases_from_tags


def test_release_tags_are_pep440_and_sorted() -> None:
    releases = releases_from_tags(["v1.10.0", "v1.2.0", "notes", "2.0.0rc1", "v1.9.0"])
    assert [r.tag for r in releases] == ["v1.2.0", "v1.9.0", "v1.10.0"]
    assert find_release(releases, "1.9").tag == "v1.9.0"
    assert find_release(releases, "latest").tag == "v1.10.0"
    with pytest.raises(ValueError, match=r"--to '3.0.0': no such template release"):
        find_release(releases, "3.0.0")
    assert parse_version("v1.2.0-3-gdeadbee") == Version("1.2.0.post3")
    assert parse_version("main") is None


def test_migrations_are_selected_and_sorted_by_version() -> None:
    config = {
        "_migrations": [
            {"version": "v3.0.0", "command": "c3"},
            {"version": "v1.1.0", "command": "c11"},
            "echo unversioned",
            {"version": "v2.0.0", "command": "c2"},
            {"version": "v0.5.0", "command": "too-old"},
        ]
    }
    found = applicable(config, Version("1.0.0"), Version("3.0.0"))
    assert [m.command for m in found] == ["c11", "c2", "c3"]
    assert declared_out_of_order(config, Version("1.0.0"), Version("3.0.0"))
    assert not declared_out_of_order(config, Version("1.5.0"), Version("2.0.0"))
    with pytest.raises(ValueError, match=r"_migrations\[0\].version 'banana'"):
        applicable(
            {"_migrations": [{"version": "banana", "command": "x"}]}, Version("1"), Version("2")
        )


def test_copier_tasks_are_reordered_by_version_unversioned_keep_their_slot() -> None:
    def task(name: str, version: str | None) -> SimpleNamespace:
        extra = {"version_pep440_current": Version(version)} if version else {}
        return SimpleNamespace(name=name, extra_vars=extra)

    tasks = [task("v2", "2.0"), task("plain", None), task("v1.1", "1.1"), task("v3", "3.0")]
    assert [t.name for t in sort_by_version(tasks)] == ["v1.1", "plain", "v2", "v3"]


def test_conflict_markers_and_rejects_are_found(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x\n<<<<<<< before updating\n1\n=======\n2\n>>>>>>> after\n")
    (tmp_path / "b.py").write_text("x = '<<<<<<< not at line start'\n")
    (tmp_path / "c.md").write_text("<<<<<<< opened but never closed\n")
    (tmp_path / "d.py.rej").write_text("@@ hunk @@\n")
    assert conflicted_files(tmp_path, ["a.py", "b.py", "c.md", "d.py.rej", "missing"]) == [
        "a.py",
        "d.py.rej",
    ]


def test_fleet_file_errors_name_the_entry_and_rule(tmp_path: Path) -> None:
    bad = tmp_path / "fleet.yml"
    bad.write_text("members:\n  - repo: a\n  - path: b\n")
    with pytest.raises(FleetFileError, match=r"members\[1\]: each member needs `repo`"):
        load_fleet_file(bad)
    bad.write_text("members:\n  - repo: a\n  - repo: x/a\n")
    with pytest.raises(FleetFileError, match="two members are named 'a'"):
        load_fleet_file(bad)
    bad.write_text("members:\n  - repo: a\n    colour: blue\n")
    with pytest.raises(FleetFileError, match=r"unknown keys \['colour'\]"):
        load_fleet_file(bad)
    plain = tmp_path / "fleet.txt"
    plain.write_text("# services\nrepo-one\nmono#services/orders\nhttps://git.example/x/y.git\n")
    members = load_fleet_file(plain).members
    assert [(m.name, m.subdir) for m in members] == [
        ("repo-one", ""),
        ("mono-services-orders", "services/orders"),
        ("y", ""),
    ]
    assert members[0].location == str(tmp_path / "repo-one")


def test_project_from_remote_url() -> None:
    assert project_from_url("git@github.com:acme/orders.git") == "acme/orders"
    assert project_from_url("https://gitlab.example/acme/orders") == "acme/orders"
    assert project_from_url("/srv/git/orders.git") == ""
