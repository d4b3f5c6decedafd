"""Licence policy: allowed licences pass, a disallowed one fails, unknown needs a reason."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from slipway_gates.outcome import Status
from slipway_gates.security import licences


def _dist(tmp_path: Path, name: str, *headers: str) -> metadata.Distribution:
    """A real installed-distribution record (a .dist-info folder with METADATA)."""
    info = tmp_path / f"{name}-1.0.dist-info"
    info.mkdir()
    lines = ["Metadata-Version: 2.4", f"Name: {name}", "Version: 1.0", *headers]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    return metadata.PathDistribution(info)


@pytest.fixture
def policy() -> licences.Policy:
    return licences.load_policy()


def test_a_disallowed_licence_fails_and_names_the_distribution(tmp_path: Path) -> None:
    dists = [
        _dist(tmp_path, "fine", "License-Expression: MIT"),
        _dist(
            tmp_path,
            "copyleft",
            "Classifier: License :: OSI Approved :: GNU Affero General Public License v3",
        ),
    ]
    result = licences.run(tmp_path, distributions=dists, own_names=set())
    assert result.status is Status.FAILED
    assert result.findings == ["copyleft==1.0: licence AGPL-3.0-only is not in the allow-list"]


def test_allowed_licences_pass(tmp_path: Path) -> None:
    dists = [
        _dist(tmp_path, "a", "License-Expression: Apache-2.0"),
        _dist(tmp_path, "b", "Classifier: License :: OSI Approved :: BSD License"),
        _dist(tmp_path, "c", "License: MIT License"),
    ]
    result = licences.run(tmp_path, distributions=dists, own_names=set())
    assert result.status is Status.PASSED
    assert "3 distributions allowed" in result.summary


def test_unknown_licence_fails_unless_excepted_with_a_reason(tmp_path: Path) -> None:
    dists = [_dist(tmp_path, "mystery")]
    result = licences.run(tmp_path, distributions=dists, own_names=set())
    assert result.status is Status.FAILED
    assert "no licence in its metadata" in result.findings[0]
    policy_file = tmp_path / "licence-policy.toml"
    policy_file.write_text(
        '[allow]\nspdx = ["MIT"]\n[exceptions]\nmystery = "MIT per LICENSE file, read 2026-11"\n'
    )
    result = licences.run(tmp_path, distributions=dists, own_names=set())
    assert result.status is Status.PASSED


@pytest.mark.parametrize(
    ("expr", "allowed"),
    [
        ("MIT", True),
        ("GPL-3.0-only", False),
        ("MIT OR GPL-3.0-only", True),
        ("MIT AND GPL-3.0-only", False),
        ("MPL-2.0 AND (Apache-2.0 OR MIT)", True),
        ("(GPL-2.0-only OR GPL-3.0-only) AND MIT", False),
        ("Apache-2.0 WITH LLVM-exception", True),
    ],
)
def test_spdx_expressions(expr: str, allowed: bool, policy: licences.Policy) -> None:
    assert licences.expression_allowed(expr, policy) is allowed


def test_policy_errors_name_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text('[allow]\nspdx = "MIT"\n')
    with pytest.raises(licences.PolicyError, match=r"\[allow\] spdx must be a list"):
        licences.load_policy(bad)
    bad.write_text('[allow]\nspdx = ["MIT"]\n[exceptions]\nx = ""\n')
    with pytest.raises(licences.PolicyError, match=r"\[exceptions\] x needs a non-empty reason"):
        licences.load_policy(bad)


def test_this_environment_meets_the_packaged_policy() -> None:
    root = Path(__file__).resolve().parents[3]
    result = licences.run(root)
    assert result.status is Status.PASSED, result.findings
