"""The command-line convention every Slipway entry point follows.

`--json` prints exactly one JSON object (the envelope) on stdout, whatever
happened; everything meant for a person then goes to stderr. The exit status
follows ExitCode, and the envelope repeats it:

    {"schema": "slipway-cli/1", "command": "slipway-gates security",
     "exit_code": 0, "result": "ok", "outcomes": [...], "data": {...}, "error": null}
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from slipway_contract.exit_codes import ExitCode
from slipway_contract.outcome import Outcome

SCHEMA = "slipway-cli/1"
JSON_HELP = "print one JSON envelope on stdout (CONTRACTS.md)"


def json_option() -> argparse.ArgumentParser:
    """A parent parser holding the one `--json` flag (`parents=[json_option()]`), so
    every subcommand that prints data spells and explains it the same way."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help=JSON_HELP)
    return parent


class DeprecatedSpelling(argparse.Action):
    """An old spelling of an option, still read with a one-line warning on stderr that
    names the new one: `add_argument("--to", action=DeprecatedSpelling, instead="--env")`.
    `append=True` for list options. argparse's own `deprecated=` needs Python 3.13."""

    def __init__(
        self, option_strings: Sequence[str], dest: str, *, instead: str,
        append: bool = False, **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(option_strings, dest, **kwargs)
        self.instead = instead
        self.append = append

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(
            f"{parser.prog}: warning: {option_string} is deprecated, use {self.instead} {values}",
            file=sys.stderr,
        )
        if self.append:
            getattr(namespace, self.dest).append(values)
        else:
            setattr(namespace, self.dest, values)


def envelope(
    command: str,
    code: ExitCode,
    *,
    outcomes: Iterable[Outcome] = (),
    data: Any = None,
    error: str | None = None,
) -> dict[str, Any]:
    """The one JSON object a `--json` run prints."""
    return {
        "schema": SCHEMA,
        "command": command,
        "exit_code": int(code),
        "result": code.meaning,
        "outcomes": [o.as_dict() for o in outcomes],
        "data": data,
        "error": error,
    }


def print_envelope(
    command: str,
    code: ExitCode,
    *,
    outcomes: Iterable[Outcome] = (),
    data: Any = None,
    error: str | None = None,
    stream: TextIO | None = None,
) -> int:
    """Print the envelope (one line of JSON) and return the exit code to use."""
    out = sys.stdout if stream is None else stream
    doc = envelope(command, code, outcomes=outcomes, data=data, error=error)
    print(json.dumps(doc, sort_keys=True, default=str), file=out, flush=True)
    return int(code)


@contextlib.contextmanager
def human_output_to_stderr(enabled: bool = True) -> Iterator[TextIO]:
    """While active, stdout (Python's and file descriptor 1, so child processes too)
    goes to stderr; yields the real stdout, where the envelope is printed afterwards."""
    if not enabled:
        yield sys.stdout
        return
    real = sys.stdout
    real.flush()
    try:
        fd, err_fd = real.fileno(), sys.stderr.fileno()
    except (OSError, ValueError):  # a replaced stream (pytest's capsys): Python level only
        fd = err_fd = None
    saved = os.dup(fd) if fd is not None else None
    try:
        if fd is not None and err_fd is not None:
            os.dup2(err_fd, fd)
        with contextlib.redirect_stdout(sys.stderr):
            yield real
    finally:
        sys.stderr.flush()
        if fd is not None and saved is not None:
            os.dup2(saved, fd)
            os.close(saved)


def wants_json(argv: Sequence[str] | None) -> bool:
    """Whether the command line asked for the envelope (`--json` anywhere)."""
    return "--json" in (sys.argv[1:] if argv is None else argv)


def parse_or_envelope(
    parse: Callable[[Sequence[str] | None], Any], argv: Sequence[str] | None, command: str
) -> Any:
    """Run an argparse parse; on a usage error under `--json` print the usage envelope
    too (argparse has already told the person on stderr) and exit 2."""
    try:
        return parse(argv)
    except SystemExit as exc:
        if exc.code not in (0, None) and wants_json(argv):
            print_envelope(command, ExitCode.USAGE, error="usage error: see stderr")
            raise SystemExit(int(ExitCode.USAGE)) from None
        raise
