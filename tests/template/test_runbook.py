"""RUNBOOK.md of every example service: its links resolve and its commands are real.

The runbook is pasted from in an incident, so each fenced `bash` command must be
one this render really has: a `slipway-gitops` subcommand with those options, a
`python -m <package>.<module>` tool with that subcommand and those options, a nox
session of the service's noxfile, or a `curl` of a route the service's app serves.
A command of any other kind fails the test until it is taught here.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import re
import shlex
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from template_rendering import SERVICES, user_answers

EXAMPLES = sorted(p.parent.name for p in SERVICES.glob("*/.copier-answers.yml"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _runbook(name: str) -> str:
    path = SERVICES / name / "RUNBOOK.md"
    assert path.is_file(), f"services/{name} has no RUNBOOK.md"
    return path.read_text()


def _commands(name: str) -> list[list[str]]:
    lines = [ln for block in FENCE.findall(_runbook(name)) for ln in block.splitlines()]
    return [shlex.split(ln.split(" | ")[0]) for ln in lines if ln.strip()]


@cache
def _help(module: str, *argv: str) -> str:
    """`--help` of a tool's `main(argv)`, in this process (a new interpreter per command
    would pay the package imports each time)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        importlib.import_module(module).main([*argv, "--help"])
    assert exited.value.code in (0, None), f"{module} {' '.join(argv)} --help failed"
    return out.getvalue()


def _subcommands(help_text: str) -> set[str]:
    """The `{a,b,c}` choices argparse lists for a tool's subcommands."""
    found = re.search(r"\{([a-z][a-z,-]*)\}", help_text)
    return set(found.group(1).split(",")) if found else set()


def _console_script(name: str) -> str:
    """The module behind an installed console script (so the command is a real one)."""
    (script,) = entry_points(group="console_scripts", name=name)
    return script.module


def _options_exist(words: list[str], help_text: str, command: str) -> None:
    for word in words:
        if word.startswith("--"):
            assert f"{word.split('=')[0]} " in help_text or f"{word}\n" in help_text, (
                f"`{command}` has no option {word}"
            )


def _nox_sessions(noxfile: Path) -> set[str]:
    sessions = set()
    for node in ast.walk(ast.parse(noxfile.read_text())):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                if "session" in ast.unparse(deco):
                    named = re.search(r"name=['\"]([^'\"]+)", ast.unparse(deco))
                    sessions.add(named.group(1) if named else node.name)
    return sessions


def _served(name: str, path: str) -> bool:
    """Whether the service's app answers `path` with anything but 404 (probes and
    /metrics are chassis middleware, not routes: ask the app, not its route table)."""
    answers = user_answers(SERVICES / name)
    package = answers["service_name"].replace("-", "_")
    app_module = importlib.import_module(f"{package}.app")
    settings_module = importlib.import_module(f"{package}.settings")
    settings = settings_module.Settings(service_name=answers["service_name"], app_env="dev")
    client = TestClient(app_module.create_app(settings), raise_server_exceptions=False)
    return client.get(path).status_code != 404


@pytest.mark.parametrize("name", EXAMPLES)
def test_runbook_links_resolve_to_files(name: str) -> None:
    links = [t for t in LINK.findall(_runbook(name)) if not t.startswith(("http://", "https://"))]
    assert links, "the runbook links the files it talks about"
    missing = [t for t in links if not (SERVICES / name / t.split("#")[0]).exists()]
    assert not missing, f"services/{name}/RUNBOOK.md links to missing files: {missing}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_runbook_names_rollback_kill_switch_and_breaker(name: str) -> None:
    text = _runbook(name)
    for needed in ("slipway-gitops rollback", "slipway-gitops flag", "circuit_breaker_state"):
        assert needed in text, f"services/{name}/RUNBOOK.md lacks {needed!r}"
    if "database: postgres" in (SERVICES / name / ".copier-answers.yml").read_text():
        for needed in (".consistency check", "database_restore", "nox -s drill"):
            assert needed in text, f"services/{name}/RUNBOOK.md lacks {needed!r}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_runbook_commands_are_real(name: str) -> None:
    gitops = _console_script("slipway-gitops")
    commands = _commands(name)
    assert len(commands) >= 4, commands
    for words in commands:
        line = " ".join(words)
        if words[0] == "slipway-gitops":
            subcommand = words[1]
            assert subcommand in _subcommands(_help(gitops)), f"`{line}`: no {subcommand}"
            _options_exist(words[2:], _help(gitops, subcommand), line)
        elif words[:2] == ["python", "-m"]:
            module = words[2]
            sub = [w for w in words[3:] if not w.startswith("-")][:1]
            choices = _subcommands(_help(module))
            if choices:  # a tool with subcommands: this one must exist
                assert sub, f"`{line}`: no subcommand given"
                assert sub[0] in choices, f"`{line}`: no subcommand {sub[0]}"
                _options_exist(words[3:], _help(module, sub[0]), line)
            else:
                _options_exist(words[3:], _help(module), line)
        elif words[:2] == ["nox", "-s"]:
            sessions = _nox_sessions(SERVICES / name / "noxfile.py")
            assert words[2] in sessions, f"`{line}`: the noxfile has no session {words[2]}"
        elif words[0] == "curl":
            path = "/" + words[-1].split("/", 3)[3]
            assert _served(name, path), f"`{line}`: the app serves no {path}"
        else:
            pytest.fail(f"`{line}`: a command kind this test does not check; teach it")
