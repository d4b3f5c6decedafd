"""A member's fast checks, run on the updated tree before anything is committed.

The fleet file names the commands (fleet-wide `checks:` or per member). Without any,
a built-in syntax check parses every Python, YAML, JSON and TOML file the update
touched: cheap, and it catches a template that renders broken files.
"""

from __future__ import annotations

import ast
import json
import shlex
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

CHECK_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    ran: list[str]
    problem: str = ""


def _syntax_problem(path: Path) -> str | None:
    text = path.read_text(errors="replace")
    try:
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(text))
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
    except (SyntaxError, yaml.YAMLError, ValueError) as exc:
        return f"{path.name}: {exc}".splitlines()[0]
    return None


def run_checks(folder: Path, commands: tuple[str, ...], touched: list[str]) -> CheckResult:
    """Run `commands` in `folder` (or the built-in syntax check on `touched` files)."""
    if not commands:
        for rel in touched:
            path = folder / rel
            if path.is_file() and (problem := _syntax_problem(path)):
                return CheckResult(False, ["builtin:syntax"], f"syntax check: {problem}")
        return CheckResult(True, ["builtin:syntax"])
    ran = []
    for command in commands:
        ran.append(command)
        try:
            proc = subprocess.run(  # noqa: S603 - commands come from the fleet owner's file
                shlex.split(command),
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=CHECK_TIMEOUT_SECONDS,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return CheckResult(False, ran, f"check `{command}` could not run: {exc}")
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            detail = " | ".join(tail)
            return CheckResult(False, ran, f"check `{command}` exited {proc.returncode}: {detail}")
    return CheckResult(True, ran)
