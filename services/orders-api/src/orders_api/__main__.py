"""`python -m orders_api`: run the service (the container's entry point)."""

from __future__ import annotations

from slipway_chassis import serve

from orders_api.app import create_app
from orders_api.settings import Settings


def main() -> None:
    """Read the settings from the environment, then serve until SIGTERM."""
    settings = Settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
