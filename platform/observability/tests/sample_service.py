"""Tiny services for the Prometheus integration tests: `python sample_service.py PORT MODE`.

Built with the Slipway chassis (the real metric names, buckets and exclusions).
MODE `api`: routes /ok (200), /fail (500), /slow (200 after 0.4 s, slower than the
0.3 s latency threshold of the test spec). MODE `worker`: a chassis worker whose
queue `work` always has a 120 s old message waiting (over the 60 s backlog limit).

If the chassis cannot be imported (a checkout where it is not installed), the same
contract metrics are exported with prometheus-client directly, so the rules are
still evaluated on really scraped data; the test reports which one ran.
"""

from __future__ import annotations

import os
import sys
import time


def chassis_main(port: int) -> None:
    import asyncio  # noqa: PLC0415

    from fastapi import HTTPException  # noqa: PLC0415
    from slipway_chassis import ServiceSettings, create_app, serve  # noqa: PLC0415

    os.environ.update(
        SERVICE_NAME="obs-it", APP_ENV="dev", HTTP_PORT=str(port), TRACING_ENABLED="false"
    )
    settings = ServiceSettings()
    app = create_app(settings, access_log=False)

    @app.get("/ok")
    async def ok() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/fail")
    async def fail() -> None:
        raise HTTPException(status_code=500, detail="synthetic failure")

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(0.4)
        return {"status": "slow"}

    serve(app, settings, host="127.0.0.1")


def chassis_worker_main(port: int) -> None:
    import asyncio  # noqa: PLC0415

    from slipway_chassis import ServiceSettings, WorkerContext, run_worker  # noqa: PLC0415

    os.environ.update(
        SERVICE_NAME="obs-it-worker", APP_ENV="dev", HTTP_PORT=str(port), TRACING_ENABLED="false"
    )

    async def main(ctx: WorkerContext) -> None:
        while not ctx.stopping.is_set():
            ctx.record_backlog("work", depth=3, oldest_age_seconds=120)
            ctx.record_message("work", "acked", 0.01)
            await asyncio.sleep(0.2)

    run_worker(ServiceSettings(), main, host="127.0.0.1")


def fallback_main(port: int, mode: str) -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server  # noqa: PLC0415

    from prometheus_client import (  # noqa: PLC0415
        CollectorRegistry,
        Counter,
        Gauge,
        Histogram,
        make_wsgi_app,
    )
    from slipway_observability.buckets import DURATION_BUCKETS  # noqa: PLC0415

    # Own registry: importing the buckets may import the chassis, which registers its own.
    registry = CollectorRegistry()
    requests = Counter(
        "http_server_requests",
        "Requests",
        ["method", "route", "status_class"],
        registry=registry,
    )
    duration = Histogram(
        "http_server_request_duration_seconds",
        "Duration",
        ["method", "route"],
        buckets=DURATION_BUCKETS,
        registry=registry,
    )
    if mode == "worker":
        oldest = Gauge("queue_oldest_message_age_seconds", "Age", ["queue"], registry=registry)
        oldest.labels("work").set(120)
    metrics = make_wsgi_app(registry)

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        path = environ["PATH_INFO"]
        if path == "/metrics":
            return metrics(environ, start_response)
        started = time.perf_counter()
        if path == "/slow":
            time.sleep(0.4)
        status = "500 Internal Server Error" if path == "/fail" else "200 OK"
        requests.labels("GET", path, status[0] + "xx").inc()
        duration.labels("GET", path).observe(time.perf_counter() - started)
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    with make_server("127.0.0.1", port, app, handler_class=Quiet) as server:
        server.serve_forever()


if __name__ == "__main__":
    listen_port, run_mode = int(sys.argv[1]), sys.argv[2]
    try:
        if os.environ.get("SAMPLE_SERVICE_WITHOUT_CHASSIS"):
            raise ImportError("forced by SAMPLE_SERVICE_WITHOUT_CHASSIS")
        import slipway_chassis  # noqa: F401
    except ImportError:
        print("sample_service: chassis not importable, using prometheus-client", flush=True)
        fallback_main(listen_port, run_mode)
    else:
        print(f"sample_service: {run_mode} on the slipway chassis", flush=True)
        (chassis_worker_main if run_mode == "worker" else chassis_main)(listen_port)
