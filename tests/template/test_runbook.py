"""RUNBOOK.md of every example service: its links resolve and its commands are real.

The runbook is pasted from in an incident, so each fenced `bash` command must be
one this render really has: a `slipway-gitops` subcommand with those options, a
`python -m <package>.<module>` tool with that subcommand and those options, a nox
session of the service's noxfile, or a `curl` of a route the service's app serves.
A command of any other kind fails the test until it is taught here.
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
import subprocess
import sys
from functools import cache
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
def _help(*command: str) -> str:
    done = subprocess.run(
        [*command, "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, (
        f"`{' '.join(command)} --help` exited {done.returncode}:\n{done.stderr}"
    )
    return done.stdout


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
    gitops = str(Path(sys.executable).parent / "slipway-gitops")
    commands = _commands(name)
    assert len(commands) >= 4, commands
    for words in commands:
        line = " ".join(words)
        if words[0] == "slipway-gitops":
            subcommand = words[1]
            assert subcommand in _help(gitops), f"`{line}`: no subcommand {subcommand}"
            _options_exist(words[2:], _help(gitops, subcommand), line)
        elif words[:2] == ["python", "-m"]:
            module = words[2]
            sub = [w for w in words[3:] if not w.startswith("-")][:1]
            top = _help(sys.executable, "-m", module)
            if sub and "{" in top:  # a tool with subcommands: this one must exist
                assert sub[0] in top, f"`{line}`: no subcommand {sub[0]}"
                _options_exist(words[3:], _help(sys.executable, "-m", module, sub[0]), line)
            else:
                _options_exist(words[3:], top, line)
        elif words[:2] == ["nox", "-s"]:
            sessions = _nox_sessions(SERVICES / name / "noxfile.py")
            assert words[2] in sessions, f"`{line}`: the noxfile has no session {words[2]}"
        elif words[0] == "curl":
            path = "/" + words[-1].split("/", 3)[3]
            assert _served(name, path), f"`{line}`: the app serves no {path}"
        else:
            pytest.fail(f"`{line}`: a command kind this test does not check; teach it")
