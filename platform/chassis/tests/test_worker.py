"""Workers: the same chassis without FastAPI; health/metrics HTTP; stop on shutdown."""

from __future__ import annotations

import asyncio

from slipway_chassis import ServiceSettings, WorkerContext, create_worker_app
from slipway_chassis.testing import app_client, capture_logs, metric_value


def test_worker_serves_probes_metrics_and_stops_cleanly() -> None:
    processed: list[int] = []
    stopped = asyncio.Event()

    async def main(ctx: WorkerContext) -> None:
        n = 0
        while not ctx.stopping.is_set():
            n += 1
            processed.append(n)
            ctx.record_message("orders", "acked", 0.01)
            ctx.record_backlog("orders", depth=3, oldest_age_seconds=1.5)
            await asyncio.sleep(0.01)
        ctx.log.info("consumer stopped", processed=n)
        stopped.set()

    app = create_worker_app(ServiceSettings(), main)
    with capture_logs() as logs, app_client(app) as client:
        assert client.get("/livez").status_code == 200
        assert client.get("/startupz").status_code == 200
        assert client.get("/readyz").status_code == 200
        while not processed:
            client.get("/livez")
        text = client.get("/metrics").text
        assert client.get("/anything").status_code == 404
    assert stopped.is_set()  # shutdown set ctx.stopping and waited for main
    assert metric_value(text, "queue_messages_total", queue="orders", outcome="acked")
    assert metric_value(text, "queue_depth", queue="orders") == 3
    assert metric_value(text, "queue_oldest_message_age_seconds", queue="orders") == 1.5
    assert logs.events("consumer stopped")
    assert logs.events("worker stopped")


def test_crashed_worker_is_not_ready() -> None:
    async def main(_ctx: WorkerContext) -> None:
        raise RuntimeError("lost the broker")

    app = create_worker_app(ServiceSettings(), main)
    with capture_logs() as logs, app_client(app) as client:
        while not logs.events("worker main crashed"):
            client.get("/livez")
        assert client.get("/readyz").status_code == 503
        assert client.get("/livez").status_code == 200
