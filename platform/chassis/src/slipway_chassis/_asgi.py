"""The ASGI callable types the chassis' hand-written ASGI code shares (health, middleware).

Kept loose (`dict[str, Any]` messages) rather than Starlette's `Message`/`Scope`
aliases: the middleware wraps any ASGI callable, not only Starlette apps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

ASGIReceive = Callable[[], Awaitable[dict[str, Any]]]
ASGISend = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Any  # Starlette's ASGIApp; kept loose so any ASGI callable can be wrapped
