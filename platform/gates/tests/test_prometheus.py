"""The e2e Prometheus really scrapes a target and answers queries."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slipway_gates.e2e.prometheus import PrometheusServer

METRICS = (
    b'# TYPE http_server_requests_total counter\nhttp_server_requests_total{route="/items"} 7\n'
)


class _Metrics(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(METRICS)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.mark.requires("prometheus")
def test_scrapes_the_target_with_the_service_label() -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Metrics)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with PrometheusServer(f"127.0.0.1:{httpd.server_address[1]}", "orders-api") as prom:
            result = prom.wait_for('http_server_requests_total{service="orders-api"}', timeout=30)
            assert result
            assert result[0]["value"][1] == "7"
            assert result[0]["metric"]["route"] == "/items"
    finally:
        httpd.shutdown()
        httpd.server_close()
