"""The three CLIs: exit codes and messages a pipeline relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from delivery_helpers import git
from slipway_delivery import gitops_cli, release_cli, smoke_cli

D1 = "sha256:" + "a" * 64
D2 = "sha256:" + "b" * 64


def test_version_prints_semver_and_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "tag", "v3.2.1")
    assert release_cli.main(["version", "--repo", str(repo)]) == 0
    assert capsys.readouterr().out.strip() == "3.2.1"
    assert release_cli.main(["version", "--repo", str(repo), "--json"]) == 0
    captured = capsys.readouterr()
    envelope = json.loads(captured.out)  # all of stdout: one envelope (CONTRACTS.md)
    assert (envelope["command"], envelope["exit_code"]) == ("slipway-release version", 0)
    assert envelope["data"]["is_release"] is True
    assert envelope["data"]["image_tags"][0] == "3.2.1"
    assert captured.err.strip() == "3.2.1"  # the person's line moved to stderr


def test_bad_tag_exits_2_with_the_rule(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert release_cli.main(["version", "--repo", str(repo), "--tag", "v1.2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("slipway-release: error: tag 'v1.2' is not SemVer")
    assert "Traceback" not in err
    assert release_cli.main(["version", "--repo", str(repo), "--tag", "v1.2", "--json"]) == 2
    envelope = json.loads(capsys.readouterr().out)
    assert envelope["result"] == "usage"
    assert envelope["error"].startswith("tag 'v1.2' is not SemVer")


def test_release_run_refuses_a_folder_without_a_project_before_writing_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert release_cli.main(["run", "--service-dir", str(missing), "--json"]) == 2
    envelope = json.loads(capsys.readouterr().out)
    assert (envelope["command"], envelope["result"]) == ("slipway-release run", "usage")
    assert envelope["error"] == f"--service-dir {missing}: no pyproject.toml there"
    assert not missing.exists()  # no reports/release folder made for a typo


def test_release_refuses_a_bad_env_pair(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\n')
    run = ["run", "--service-dir", str(tmp_path)]
    assert release_cli.main([*run, "--container-env", "NOEQUALS"]) == 2
    assert "--container-env 'NOEQUALS' must look like KEY=VALUE" in capsys.readouterr().err
    # the old spelling (`--env` names an environment everywhere else): warned, still read
    assert release_cli.main([*run, "--container-env", "A=1", "--env", "NOEQUALS"]) == 2
    err = capsys.readouterr().err
    assert "slipway-release run: warning: --env is deprecated, use --container-env NOEQUALS" in err
    assert "--container-env 'NOEQUALS' must look like KEY=VALUE" in err


def test_gitops_record_promote_rollback_check(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--tree", str(tree)]
    svc = ["--service", "orders-api"]
    # D2 goes through the deprecated `--to` (existing service CI): pinned all the same.
    for digest, version, flag in ((D1, "1.0.0", "--env"), (D2, "1.1.0", "--to")):
        assert gitops_cli.main([*base, "record", *svc, "--env", "build", "--digest", digest,
                                "--result", "passed", "--version", version]) == 0  # fmt: skip
        assert gitops_cli.main([*base, "promote", *svc, flag, "dev", "--digest", digest,
                                "--version", version]) == 0  # fmt: skip
        assert gitops_cli.main([*base, "record", *svc, "--env", "dev", "--digest", digest,
                                "--result", "passed"]) == 0  # fmt: skip
    warned = capsys.readouterr().err.splitlines()
    deprecation = "slipway-gitops promote: warning: --to is deprecated, use --env dev"
    assert warned.count(deprecation) == 1  # once, for the `--to` run only
    assert gitops_cli.main([*base, "rollback", *svc, "--env", "dev", "--reason", "test"]) == 0
    assert f"rollback from {D2} to {D1}" in capsys.readouterr().out
    assert gitops_cli.main([*base, "check"]) == 0


def test_gitops_promote_needs_one_env(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    promote = ["--tree", str(tree), "promote", "--service", "orders-api", "--digest", D1,
               "--version", "1.0.0"]  # fmt: skip
    with pytest.raises(SystemExit) as missing:
        gitops_cli.main(promote)
    assert missing.value.code == 2
    assert "one of the arguments --env is required" in capsys.readouterr().err  # --to: hidden
    with pytest.raises(SystemExit) as both:
        gitops_cli.main([*promote, "--env", "dev", "--to", "qa"])
    assert both.value.code == 2
    assert "not allowed with argument --env" in capsys.readouterr().err


def test_gitops_bad_digest_exits_2(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = gitops_cli.main(["--tree", str(tree), "record", "--service", "orders-api", "--env",
                            "dev", "--digest", "latest", "--result", "passed"])  # fmt: skip
    assert code == 2
    assert "--digest 'latest' is not an image digest" in capsys.readouterr().err


def test_gitops_json_envelopes_name_what_changed_and_the_evidence_may_be_one(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `slipway-smoke --json > smoke.json` is evidence as good as `--out smoke.json`.
    evidence = tmp_path / "smoke.json"
    report = {"url": "http://svc", "result": "passed"}
    evidence.write_text(json.dumps({"schema": "slipway-cli/1", "data": report}))
    argv = ["--tree", str(tree), "record", "--service", "orders-api", "--env", "build",
            "--digest", D1, "--result", "passed", "--evidence", str(evidence),
            "--json"]  # fmt: skip
    assert gitops_cli.main(argv) == 0
    envelope = json.loads(capsys.readouterr().out)
    assert envelope["command"] == "slipway-gitops record"
    assert envelope["data"]["commit"]  # the audit commit made
    assert envelope["data"]["files"] == ["verifications/orders-api/build.yaml"]
    assert "url=http://svc" in envelope["data"]["entry"]["checks"]
    assert gitops_cli.main(["--tree", str(tree), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["data"] == {"problems": []}


def test_gitops_check_fails_on_a_broken_tree(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / "envs" / "dev" / "orders-api" / "values.yaml").write_text("image:\n  tag: latest\n")
    assert gitops_cli.main(["--tree", str(tree), "check"]) == 1
    assert "mentions the 'latest' tag" in capsys.readouterr().err
    assert gitops_cli.main(["--tree", str(tree), "check", "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["data"]["problems"]
    assert any("mentions the 'latest' tag" in p for p in problems)


def test_missing_tree_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gitops_cli.main(["--tree", str(tmp_path / "nope"), "check"]) == 2
    assert "not a directory (the GitOps tree root)" in capsys.readouterr().err


def test_smoke_url_must_be_http(capsys: pytest.CaptureFixture[str]) -> None:
    assert smoke_cli.main(["--url", "localhost:8000"]) == 2
    assert "must start with http:// or https://" in capsys.readouterr().err


def test_smoke_of_an_unreachable_service_fails(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on localhost: nothing listens there.
    assert smoke_cli.main(["--url", "http://127.0.0.1:9", "--route", "/items"]) == 1
    out = capsys.readouterr().out
    assert "FAIL health /livez: None ConnectError" in out
    assert "FAIL metrics: /metrics unreachable" in out


def test_smoke_json_is_one_envelope_and_out_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "evidence" / "smoke.json"
    argv = ["--url", "http://127.0.0.1:9", "--window", "0", "--json", "--out", str(report)]
    assert smoke_cli.main(argv) == 1
    captured = capsys.readouterr()
    envelope = json.loads(captured.out)  # all of stdout: one envelope
    assert (envelope["command"], envelope["exit_code"], envelope["result"]) == (
        "slipway-smoke",
        1,
        "finding",
    )
    failed = {o["name"] for o in envelope["outcomes"] if o["status"] == "failed"}
    assert "health /livez" in failed
    assert envelope["data"] == json.loads(report.read_text())  # the evidence file: the report
    assert "FAIL health /livez" in captured.err  # the person's lines moved to stderr


def test_smoke_json_file_the_old_spelling_still_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "smoke.json"
    assert smoke_cli.main(["--url", "http://127.0.0.1:9", "--window", "0",
                           "--json", str(report)]) == 1  # fmt: skip
    captured = capsys.readouterr()
    assert json.loads(captured.out)["data"] == json.loads(report.read_text())
    assert f"--json FILE is deprecated, use --out {report}" in captured.err
    assert smoke_cli.main(["--url", "http://127.0.0.1:9", str(report)]) == 2  # no --json


def test_smoke_usage_error_under_json_is_the_usage_envelope(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert smoke_cli.main(["--url", "localhost:8000", "--json"]) == 2
    captured = capsys.readouterr()
    envelope = json.loads(captured.out)
    assert (envelope["exit_code"], envelope["result"]) == (2, "usage")
    assert "must start with http://" in envelope["error"]
    assert "must start with http://" in captured.err
