"""The vulnerability gate: a vulnerable pin fails and names the advisory; nothing
checked is never reported as clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from gates_helpers import write_lock
from slipway_gates.outcome import Status
from slipway_gates.security import vulns


def test_a_lock_pinning_a_vulnerable_version_fails_and_names_the_advisory(
    tmp_path: Path, advisory_db: Path
) -> None:
    lock = write_lock(tmp_path / "uv.lock", {"jinja2": "2.10", "pyyaml": "6.0.2"})
    result = vulns.offline(lock, advisory_db)
    assert result.status is Status.FAILED
    text = "\n".join(result.findings)
    assert "PYSEC-2019-217" in text  # fixed in 2.10.1
    assert "PYSEC-2021-66" in text  # fixed in 2.11.3
    assert "jinja2==2.10" in text
    assert "pyyaml" not in text


def test_a_patched_lock_passes_and_says_what_was_checked(tmp_path: Path, advisory_db: Path) -> None:
    lock = write_lock(
        tmp_path / "uv.lock", {"jinja2": "3.1.6", "pyyaml": "6.0.2", "urllib3": "2.5.0"}
    )
    result = vulns.offline(lock, advisory_db)
    assert result.status is Status.PASSED
    assert "3 pinned packages checked against 4 advisories" in result.summary


def test_no_service_and_no_advisory_dir_is_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_lock(tmp_path / "uv.lock", {"jinja2": "2.10"})
    monkeypatch.delenv(vulns.ADVISORY_DB_ENV, raising=False)
    monkeypatch.setattr(vulns, "vulnerability_service_reachable", lambda: False)
    monkeypatch.setattr(vulns, "default_advisory_db", lambda root: None)
    result = vulns.run(tmp_path)
    assert result.status is Status.NOT_RUN
    assert "no known vulnerabilities" not in result.summary.lower()
    assert "NOT checked" in result.summary


def test_auto_mode_falls_back_to_the_advisory_dir(
    tmp_path: Path, advisory_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_lock(tmp_path / "uv.lock", {"jinja2": "2.10"})
    monkeypatch.setattr(vulns, "vulnerability_service_reachable", lambda: False)
    result = vulns.run(tmp_path, "auto", advisory_db)
    assert result.status is Status.FAILED
    assert "offline" in result.name


def test_service_probe_requires_real_advisories_in_the_answer() -> None:
    # An unroutable address: the probe must say "not reachable", never "clean".
    assert (
        vulns.vulnerability_service_reachable("http://127.0.0.1:9/pypi/x/json", timeout=1) is False
    )


def test_an_accepted_advisory_needs_a_reason_and_is_reported(
    tmp_path: Path, advisory_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vulns, "vulnerability_service_reachable", lambda: False)
    write_lock(tmp_path / "uv.lock", {"jinja2": "2.10"})
    exceptions = tmp_path / vulns.EXCEPTIONS_FILENAME
    exceptions.write_text('[ignore]\n"PYSEC-2019-217" = "ok"\n')
    result = vulns.run(tmp_path, "offline", advisory_db)
    assert result.status is Status.FAILED
    assert "needs a reason" in result.summary
    exceptions.write_text(
        '[ignore]\n"PYSEC-2019-217" = "sandbox escape; we never render untrusted templates"\n'
    )
    result = vulns.run(tmp_path, "offline", advisory_db)
    # The other jinja2 advisory still fails the gate: exceptions are per advisory.
    assert result.status is Status.FAILED
    assert [f.split(" ")[0] for f in result.findings] == ["PYSEC-2021-66"]
    exceptions.write_text(
        '[ignore]\n"PYSEC-2019-217" = "sandbox escape; never untrusted templates"\n'
        '"CVE-2020-28493" = "ReDoS in urlize; we never call urlize"\n'
    )
    result = vulns.run(tmp_path, "offline", advisory_db)
    assert result.status is Status.PASSED
    assert "except 2 accepted" in result.summary
