"""A small service built on the chassis, run as a real uvicorn process by the tests.

python sample_service.py              # serve on HTTP_PORT, bound to 127.0.0.1
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from slipway_chassis import ServiceSettings, create_app, get_logger, serve


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    if os.environ.get("SAMPLE_HANG_ON_SHUTDOWN"):  # test hook: a shutdown that never ends
        await asyncio.Event().wait()


# Diagnostics for the tests: SIGUSR1 dumps every thread's stack to stderr.
faulthandler.register(signal.SIGUSR1, all_threads=True)

settings = ServiceSettings()
app = create_app(settings, lifespan=lifespan)
log = get_logger("sample")


@app.get("/items/{item_id}")
async def item(item_id: int) -> dict[str, int]:
    log.info("item read", item_id=item_id)
    return {"id": item_id}


@app.get("/slow")
async def slow(seconds: float = 0.5) -> dict[str, float]:
    await asyncio.sleep(seconds)
    return {"slept": seconds}


class Order(BaseModel):
    """A body with the field kinds hostile input aims at."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=5)]
    quantity: Annotated[int, Field(ge=1, le=10)]
    price: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    tags: list[str] = []


@app.post("/orders")
async def order(new: Order) -> dict[str, int]:
    return {"tags": len(new.tags)}


@app.get("/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError("sample failure")


@app.get("/outage")
async def outage() -> dict[str, str]:
    # A dependency call outside any breaker whose server is gone.
    raise ConnectionRefusedError(111, "Connect call failed ('10.0.0.1', 5432)")


@app.get("/spin")
async def spin(seconds: float = 1.0) -> dict[str, float]:
    # Holds the event loop (and the request's context) so a signal lands inside it.
    log.info("spinning", seconds=seconds)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass
    return {"spun": seconds}


if __name__ == "__main__":
    serve(app, settings, host="127.0.0.1")
