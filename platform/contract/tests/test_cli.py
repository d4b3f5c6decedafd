"""The envelope as a command line meets it: a real child process's stdout."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

import pytest
from slipway_contract import cli
from slipway_contract.cli import SCHEMA, envelope
from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Outcome

_PROGRAM = textwrap.dedent(
    """
    import argparse, subprocess, sys
    from slipway_contract.cli import human_output_to_stderr, parse_or_envelope, print_envelope
    from slipway_contract.exit_codes import ExitCode

    def parse(argv):
        p = argparse.ArgumentParser(prog="demo")
        p.add_argument("--json", action="store_true")
        p.add_argument("--n", type=int, required=True)
        return p.parse_args(argv)

    args = parse_or_envelope(parse, sys.argv[1:], "demo")
    with human_output_to_stderr(args.json):
        print("human line")
        subprocess.run([sys.executable, "-c", "print('child line')"], check=True)
    if args.json:
        sys.exit(print_envelope("demo", ExitCode.OK, data={"n": args.n}))
    """
)


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, *args], capture_output=True, text=True, check=False
    )


def test_json_stdout_is_one_envelope_and_people_read_stderr() -> None:
    done = _demo("--n", "3", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)  # the whole of stdout: one JSON document
    assert doc["schema"] == SCHEMA
    assert doc["data"] == {"n": 3}
    assert "human line" in done.stderr
    assert "child line" in done.stderr  # a child process's stdout too


def test_without_json_people_read_stdout() -> None:
    done = _demo("--n", "3")
    assert done.stdout.splitlines() == ["human line", "child line"]


def test_a_usage_error_under_json_is_an_envelope_with_exit_2() -> None:
    done = _demo("--json")
    assert done.returncode == ExitCode.USAGE
    assert json.loads(done.stdout)["result"] == "usage"
    assert "--n" in done.stderr


def test_envelope_shape() -> None:
    doc = envelope("x", ExitCode.FINDING, outcomes=[Outcome.failed("c", "bad", ["f1"])])
    assert doc["exit_code"] == 1
    assert doc["result"] == "finding"
    assert doc["outcomes"] == [
        {"name": "c", "status": "failed", "summary": "bad", "findings": ["f1"]}
    ]
    assert doc["error"] is None


def _parser_with_old_spellings() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slipway-demo", parents=[cli.json_option()])
    parser.add_argument("--env", dest="env")
    parser.add_argument("--to", dest="env", action=cli.DeprecatedSpelling, instead="--env")
    parser.add_argument("--container-env", action="append", default=[], dest="pairs")
    parser.add_argument(
        "--var", action=cli.DeprecatedSpelling, instead="--container-env", append=True, dest="pairs"
    )
    return parser


def test_an_old_spelling_is_still_read_with_a_warning_naming_the_new_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = _parser_with_old_spellings().parse_args(
        ["--to", "prod", "--container-env", "A=1", "--var", "B=2", "--json"]
    )
    assert (args.env, args.pairs, args.json) == ("prod", ["A=1", "B=2"], True)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "slipway-demo: warning: --to is deprecated, use --env prod",
        "slipway-demo: warning: --var is deprecated, use --container-env B=2",
    ]


def test_the_json_option_is_off_unless_asked_and_explained_once() -> None:
    parser = _parser_with_old_spellings()
    assert parser.parse_args([]).json is False
    assert parser.parse_args(["--json"]).json is True
    assert parser._option_string_actions["--json"].help == cli.JSON_HELP
