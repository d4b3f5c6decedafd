"""Run state: the lock against two runs, per-member results for `--resume`, scratch space.

Layout of the state directory (default ~/.cache/slipway-fleet/<fleet hash>):
  lock          held while a run is active
  state.json    target + finished members' outcomes, written after each member
  work/         temporary clones; wiped at the start and end of every run
  cache/        template clones and reference renders (safe to delete)
  logs/         one log per member (copier, migrations, checks output)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import IO, Any

from slipway_fleet.outcome import Outcome, Result

# Results a resumed run does not redo: the member was handled (or needs a human).
DONE = {Result.UPDATED, Result.UP_TO_DATE, Result.CONFLICTED, Result.SKIPPED}


class StateError(RuntimeError):
    """The state directory is unusable (e.g. another run holds the lock)."""


def default_state_dir(fleet_source: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "slipway-fleet" / hashlib.sha256(fleet_source.encode()).hexdigest()[:12]


class RunState:
    """Owns the state directory for one run (use as a context manager)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.cache = root / "cache"
        self.logs = root / "logs"
        self._lock: IO[str] | None = None
        self._data: dict[str, Any] = {}

    def __enter__(self) -> RunState:
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = (self.root / "lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock.close()
            raise StateError(
                f"another slipway-fleet run is using {self.root}; wait for it"
            ) from exc
        shutil.rmtree(self.work, ignore_errors=True)  # leftovers of a killed run
        self.work.mkdir()
        self.logs.mkdir(exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        if self._lock:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    @property
    def _file(self) -> Path:
        return self.root / "state.json"

    def previous(self, target: str) -> dict[str, Outcome]:
        """Finished members of an earlier run towards the same target."""
        try:
            data = json.loads(self._file.read_text())
        except (OSError, ValueError):
            return {}
        if data.get("target") != target:
            return {}
        outcomes = {k: Outcome.from_json(v) for k, v in data.get("outcomes", {}).items()}
        return {k: o for k, o in outcomes.items() if o.result in DONE}

    def start(self, target: str, keep: dict[str, Outcome]) -> None:
        self._data = {"target": target, "outcomes": {k: o.to_json() for k, o in keep.items()}}
        self._write()

    def record(self, outcome: Outcome) -> None:
        self._data.setdefault("outcomes", {})[outcome.member] = outcome.to_json()
        self._write()

    def _write(self) -> None:
        tmp = self._file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._data, indent=1))
        tmp.replace(self._file)  # atomic: an interruption leaves the old or the new file
