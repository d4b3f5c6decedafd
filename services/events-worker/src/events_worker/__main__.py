"""`python -m events_worker`: run the service (the container's entry point)."""

from __future__ import annotations

from slipway_chassis import serve

from events_worker.app import create_app
from events_worker.settings import Settings


def main() -> None:
    """Read the settings from the environment, then serve until SIGTERM."""
    settings = Settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
