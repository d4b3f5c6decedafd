"""`python -m events_worker` (console script `events-worker`): run the service,
the container's entry point.

Every setting comes from the environment (settings.py), none from the command line:
`--help` says so, and any argument is a usage error (exit 2, as for every Slipway command)
instead of a server started with the argument silently ignored.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Read the settings from the environment, then serve until SIGTERM."""
    argparse.ArgumentParser(
        prog="events-worker",
        description="Serve events-worker; settings come from environment variables "
        "(settings.py), none from arguments.",
    ).parse_args(argv)
    # Imported once the command line is accepted: `--help` and a usage error answer
    # without loading the web stack and the telemetry SDK (a second of CPU).
    from slipway_chassis import serve  # noqa: PLC0415

    from events_worker.app import create_app  # noqa: PLC0415
    from events_worker.settings import Settings  # noqa: PLC0415

    settings = Settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
