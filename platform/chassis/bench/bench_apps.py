"""The apps the benchmark serves: bare FastAPI and the chassis with pieces switched on/off.

uvicorn builds them with `--factory bench_apps:build`; `BENCH_VARIANT` picks one.
Every variant serves the same small JSON endpoint `/items/{item_id}`; the bare app
also has plain `/livez` and `/metrics` routes so the chassis' probe and metrics
endpoints can be compared with what a service would write by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST


@dataclass(frozen=True)
class Variant:
    """One server configuration under test."""

    name: str
    label: str
    chassis: bool = True
    access_log: bool = False
    metrics: bool = False
    tracing: bool = False
    sampling: float = 0.1
    # The endpoint makes one guarded dependency call (breaker, metrics, CLIENT child
    # span), with no real database behind it: the row measures what the chassis adds.
    dependency_call: bool = False
    http: str = "httptools"  # or "guarded": guarded_server.py, the protocol of serve()


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("bare", "bare FastAPI", chassis=False),
        Variant("chassis-off", "chassis, every piece off"),
        Variant("access-log", "JSON access log only", access_log=True),
        Variant("metrics", "RED metrics only", metrics=True),
        Variant("tracing-0.1", "tracing only, sampling 0.1", tracing=True, sampling=0.1),
        Variant("tracing-1.0", "tracing only, sampling 1.0", tracing=True, sampling=1.0),
        Variant("all-0.1", "everything, sampling 0.1", True, True, True, True, 0.1),
        Variant("all-1.0", "everything, sampling 1.0", True, True, True, True, 1.0),
        Variant(
            "all-0.1-db",
            "everything, sampling 0.1, + database child span",
            *(True, True, True, True, 0.1),
            dependency_call=True,
        ),
        Variant(
            "all-1.0-db",
            "everything, sampling 1.0, + database child span",
            *(True, True, True, True, 1.0),
            dependency_call=True,
        ),
        # The rows above run plain httptools like the bare app; serve() runs it with the
        # chassis' guards (head timeout and size): this row shows what they cost.
        Variant(
            "all-0.1-served",
            "everything, sampling 0.1, protocol as serve() runs it",
            *(True, True, True, True, 0.1),
            http="guarded",
        ),
    )
}


def _item_routes(app: FastAPI, dependency_call: bool = False) -> None:
    if dependency_call:
        from slipway_chassis import dependency_breaker  # noqa: PLC0415

        database = dependency_breaker("database")

        @app.get("/items/{item_id}")
        async def item_from_database(item_id: int) -> dict[str, object]:
            async with database.guard("SELECT items"):  # where the query would run
                row = {"id": item_id, "name": "widget", "price": 9.5, "tags": ["a", "b"]}
            return row

        return

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, object]:
        return {"id": item_id, "name": "widget", "price": 9.5, "tags": ["a", "b"]}


def build_bare() -> FastAPI:
    """Bare FastAPI plus the hand-written probe and metrics routes a service would add."""
    app = FastAPI()
    _item_routes(app)

    @app.get("/livez")
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    # Same exposition as the chassis' (same families, same series) so that the /metrics
    # comparison measures the serving path, not the size of the text.
    from slipway_chassis._metrics import (  # noqa: PLC0415
        RequestMetrics,
        render_metrics,
        set_build_info,
    )

    RequestMetrics().observe("GET", "/items/{item_id}", 200, 0.001)
    set_build_info("bench", "0.0.0", "prod")

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(render_metrics(), media_type=CONTENT_TYPE_LATEST)

    return app


def build() -> FastAPI:
    """The app for `BENCH_VARIANT` (uvicorn --factory)."""
    variant = VARIANTS[os.environ["BENCH_VARIANT"]]
    if not variant.chassis:
        return build_bare()
    os.environ.update(
        {
            "SERVICE_NAME": "bench",
            "APP_ENV": "prod",
            "LOG_LEVEL": "INFO",
            "METRICS_ENABLED": str(variant.metrics).lower(),
            "TRACING_ENABLED": str(variant.tracing).lower(),
            "OTEL_TRACES_SAMPLER_ARG": str(variant.sampling),
        }
    )
    from slipway_chassis import ServiceSettings, create_app  # noqa: PLC0415 - env first

    app = create_app(ServiceSettings(), access_log=variant.access_log)
    _item_routes(app, variant.dependency_call)
    return app
