"""Feature flags: flagd file mode, reload on change, broken file keeps the last good flags."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import Request
from slipway_chassis import FeatureFlags, ServiceSettings, configure_logging, create_app
from slipway_chassis.testing import app_client, capture_logs

REJECTED = "feature flags file rejected: the last good flags stay in force"


def _flag(default: str, **variants: Any) -> dict[str, Any]:
    return {"state": "ENABLED", "variants": variants, "defaultVariant": default}


def _write(path: Path, flags: dict[str, Any] | str, bump: float) -> None:
    path.write_text(flags if isinstance(flags, str) else json.dumps({"flags": flags}))
    # Some filesystems keep 1 s mtime resolution: move it forward so the watcher notices.
    stamp = path.stat().st_mtime + bump
    os.utime(path, (stamp, stamp))


def _eventually(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met within the timeout"
        time.sleep(0.05)


def test_reload_and_broken_file_keeps_last_good(tmp_path: Path) -> None:
    configure_logging(ServiceSettings())
    path = tmp_path / "flags.json"
    _write(
        path, {"new-ui": _flag("on", on=True, off=False), "tier": _flag("b", a="gold", b="std")}, 0
    )
    flags = FeatureFlags(path, poll_interval_seconds=0.1)
    with capture_logs() as logs:
        flags.start()
        try:
            assert flags.is_enabled("new-ui") is True
            assert flags.get_string("tier", "none") == "std"
            assert flags.is_enabled("unknown-flag") is False  # missing: the default
            assert flags.kill_switch("checkout.disable-payments") is False  # default off

            switched = {
                "new-ui": _flag("off", on=True, off=False),
                "checkout.disable-payments": _flag("on", on=True, off=False),
            }
            _write(path, switched, 2)
            _eventually(lambda: flags.is_enabled("new-ui") is False)
            assert flags.kill_switch("checkout.disable-payments") is True

            _write(path, '{"flags": {"new-ui": {broken json', 4)
            _eventually(lambda: logs.events(REJECTED))
            assert not flags.healthy
            assert flags.is_enabled("new-ui") is False  # last good value, not the default
            assert flags.kill_switch("checkout.disable-payments") is True

            _write(path, {"new-ui": _flag("on", on=True, off=False)}, 6)
            _eventually(lambda: flags.is_enabled("new-ui") is True)
            assert flags.healthy
        finally:
            flags.shutdown()
    rejected = logs.events(REJECTED)
    assert len(rejected) == 1  # once, although the watcher retried the broken file
    assert rejected[0]["flags_file"] == str(path)
    assert "Could not parse JSON" in rejected[0]["problem"]


def test_invalid_flagd_schema_is_rejected_too(tmp_path: Path) -> None:
    configure_logging(ServiceSettings())
    path = tmp_path / "flags.json"
    _write(path, {"beta": _flag("on", on=True, off=False)}, 0)
    flags = FeatureFlags(path, poll_interval_seconds=0.1)
    with capture_logs() as logs:
        flags.start()
        try:
            _write(path, {"beta": {"state": "SOMETIMES", "variants": {}}}, 2)
            # The error event is handled on the watcher's thread: wait for its log line.
            _eventually(lambda: logs.events(REJECTED))
            assert not flags.healthy
            assert flags.is_enabled("beta") is True
        finally:
            flags.shutdown()
    assert "Incorrect 'state' value" in logs.events(REJECTED)[0]["problem"]


def test_no_flags_file_means_defaults(chassis_env: pytest.MonkeyPatch) -> None:
    app = create_app(ServiceSettings())

    @app.get("/feature")
    async def feature(request: Request) -> dict[str, bool]:
        flags: FeatureFlags = request.app.state.flags
        return {"on": flags.is_enabled("x", default=True), "kill": flags.kill_switch("y")}

    with capture_logs(), app_client(app) as client:
        assert client.get("/feature").json() == {"on": True, "kill": False}


def test_flags_file_from_environment(chassis_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "dev.flags.json"
    _write(path, {"kill-search": _flag("on", on=True, off=False)}, 0)
    chassis_env.setenv("FLAGS_FILE", str(path))
    app = create_app(ServiceSettings())
    with capture_logs(), app_client(app):
        assert app.state.flags.kill_switch("kill-search") is True


def test_poll_interval_is_validated() -> None:
    with pytest.raises(ValueError, match="poll_interval_seconds: must be > 0"):
        FeatureFlags(None, poll_interval_seconds=0)
