# ruff: noqa: E501 - long argv lists and metric lines read better unwrapped
"""`slipway-fleet catalog` end to end: the example services, a real GitOps tree, a real
Prometheus running the generated SLO rules, and Debian's Chromium reading the pages.

The Prometheus scrapes a synthetic /metrics (orders-api: 0.05 % 5xx and 0.25 % slower
than 0.3 s; events-worker: oldest message 10 s old), evaluates the rules
`slipway-obs` generates from each slo.yaml, and the catalog must show the remaining
budgets those rules compute: availability 50 %, latency 75 %, queue backlog 100 %.
Screenshots land in reports/catalog/ (gitignored).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml
from slipway_fleet.catalog.site import PALETTE, TEXT_ON
from slipway_fleet.gitcmd import git
from slipway_observability.buckets import le_label
from slipway_observability.rules import prometheus_rules
from slipway_observability.slo import load_spec

REPO_ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("events-worker", "orders-api")
REPORTS = REPO_ROOT / "reports" / "catalog"
DIGEST = "sha256:" + "c" * 64
pytestmark = pytest.mark.timeout(300)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _SyntheticMetrics(BaseHTTPRequestHandler):
    """Counters growing linearly from start, so every rate is exact."""

    started = time.monotonic()

    def do_GET(self) -> None:
        t = 1000 + (time.monotonic() - self.started) * 100
        if self.path == "/orders":
            total = 2000 * t
            body = (
                f'http_server_requests_total{{method="GET",route="/items",status_class="2xx"}} '
                f"{total - t}\n"
                f'http_server_requests_total{{method="GET",route="/items",status_class="5xx"}} {t}\n'
                f'http_server_request_duration_seconds_bucket{{method="GET",route="/items",'
                f'le="{le_label(0.3)}"}} {total * 0.9975}\n'
                f'http_server_request_duration_seconds_bucket{{method="GET",route="/items",'
                f'le="+Inf"}} {total}\n'
                f'http_server_request_duration_seconds_count{{method="GET",route="/items"}} {total}\n'
            )
        else:
            body = 'queue_oldest_message_age_seconds{queue="events"} 10\n'
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("prometheus")
    if exe is None:
        pytest.skip("requires prometheus; NOT checked: the catalog's error budgets")
    work = tmp_path_factory.mktemp("prom")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SyntheticMetrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = f"127.0.0.1:{server.server_address[1]}"
    rule_files = []
    for name in SERVICES:
        path = work / f"{name}.rules.yml"
        path.write_text(
            yaml.safe_dump(prometheus_rules(load_spec(REPO_ROOT / "services" / name / "slo.yaml")))
        )
        rule_files.append(str(path))
    jobs = [("orders-api", "/orders"), ("events-worker", "/worker")]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": rule_files,
        "scrape_configs": [
            {
                "job_name": n,
                "metrics_path": p,
                "static_configs": [{"targets": [target], "labels": {"service": n}}],
            }
            for n, p in jobs
        ],
    }
    (work / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = _free_port()
    log = (work / "prometheus.log").open("w")
    proc = subprocess.Popen(
        [exe, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        query = {"query": "slo:error_budget_remaining:ratio"}
        while time.monotonic() < deadline:
            try:
                result = httpx.get(f"{url}/api/v1/query", params=query, timeout=5).json()
                if len(result["data"]["result"]) == 3:
                    break
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(1)
        else:
            pytest.fail(
                f"Prometheus never recorded 3 budgets: {(work / 'prometheus.log').read_text()[-2000:]}"
            )
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        server.shutdown()
        log.close()


@pytest.fixture(scope="module")
def gitops(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git copy of platform/gitops where orders-api reached dev and qa via slipway-gitops."""
    tree = tmp_path_factory.mktemp("gitops") / "tree"
    shutil.copytree(REPO_ROOT / "platform" / "gitops", tree)
    git("init", "-q", "-b", "main", cwd=tree)
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A", cwd=tree)
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "seed", cwd=tree)
    cli = [shutil.which("slipway-gitops") or "slipway-gitops", "--tree", str(tree)]
    env = {"GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com",
           "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com", "PATH": "/usr/bin:/bin"}  # fmt: skip
    steps = [
        ["record", "orders-api", "--env", "build", "--digest", DIGEST, "--result", "passed", "--version", "1.4.0"],
        ["promote", "orders-api", "--to", "dev", "--digest", DIGEST, "--version", "1.4.0"],
        ["record", "orders-api", "--env", "dev", "--digest", DIGEST, "--result", "passed"],
        ["promote", "orders-api", "--to", "qa", "--digest", DIGEST, "--version", "1.4.0"],
    ]  # fmt: skip
    for step in steps:
        subprocess.run([*cli, *step], check=True, capture_output=True, env=env)
    return tree


@pytest.fixture(scope="module")
def site(prometheus: str, gitops: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    exe = shutil.which("slipway-fleet") or "slipway-fleet"
    done = subprocess.run(
        [exe, "catalog", "--discover", str(REPO_ROOT / "services"), "--out", str(out),
         "--tree", str(gitops), "--prometheus", prometheus, "--state-dir", str(out.parent / "state"),
         "--dashboard-url", "https://grafana.example.com/d/{service}-slo"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "catalog: 2 service(s), 3 page(s)" in done.stdout
    return out


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_palette_meets_wcag_aa() -> None:
    for text, backgrounds in TEXT_ON.items():
        for bg in backgrounds:
            ratio = contrast(PALETTE[text], PALETTE[bg])
            assert ratio >= 4.5, f"{text} on {bg}: {ratio:.2f} < 4.5"


def test_contrast_function_knows_black_on_white() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#777777", "#ffffff") < 4.5  # the classic failing grey


def _rgb_hex(css: str) -> str:
    parts = css[css.index("(") + 1 : css.index(")")].split(",")[:3]
    return "#" + "".join(f"{int(float(p)):02x}" for p in parts)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("requires chromium (scripts/provision.sh); NOT checked: the catalog pages")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only with chromium

    with (
        sync_playwright() as pw,
        tempfile.TemporaryDirectory(prefix="catalog-chromium-") as profile,
    ):
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield context
        context.close()


def test_pages_in_chromium(site: Path, browser: object) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    pages = {"index": site / "index.html", **{n: site / "services" / f"{n}.html" for n in SERVICES}}
    for name, path in pages.items():
        page = browser.new_page()  # type: ignore[attr-defined]
        problems: list[str] = []
        page.on("console", lambda m, p=problems: p.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, p=problems: p.append(str(e)))
        page.on("requestfailed", lambda r, p=problems: p.append(f"failed {r.url}"))
        page.goto(path.as_uri())
        page.screenshot(path=str(REPORTS / f"{name}.png"), full_page=True)
        assert problems == [], f"{name}: {problems}"
        # Landmarks, headers with scope, and the stylesheet really applied.
        for landmark in ("header", "nav", "main", "footer"):
            assert page.locator(landmark).count() == 1, f"{name}: <{landmark}>"
        headers = page.locator("th")
        assert headers.count() > 0
        assert all(
            headers.nth(i).get_attribute("scope") in ("col", "row") for i in range(headers.count())
        )
        body_colour = page.evaluate("getComputedStyle(document.body).color")
        assert _rgb_hex(body_colour) == PALETTE["text"]
        # Computed colours of every text element against the page background.
        colours = page.evaluate(
            "[...document.querySelectorAll('main *')].map(e => getComputedStyle(e).color)"
        )
        for colour in set(colours):
            assert contrast(_rgb_hex(colour), PALETTE["background"]) >= 4.5, f"{name}: {colour}"
        page.close()


def test_index_content_matches_the_fleet(site: Path, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto((site / "index.html").as_uri())
    rows = page.locator("#services tbody tr")
    assert [rows.nth(i).get_attribute("data-service") for i in range(rows.count())] == list(
        SERVICES
    )
    orders = page.locator('tr[data-service="orders-api"]').inner_text()
    assert "payments" in orders
    assert "http-api" in orders
    assert f"dev: {DIGEST.removeprefix('sha256:')[:12]} 1.4.0" in orders
    assert "qa: " + DIGEST.removeprefix("sha256:")[:12] in orders
    assert "prod: not deployed" in orders
    assert "availability 0.999: 50.0 %" in orders
    assert "latency 0.99: 75.0 %" in orders
    # The examples are rendered from a commit, not a release: the status says so.
    answers = yaml.safe_load((REPO_ROOT / "services/orders-api/.copier-answers.yml").read_text())
    assert f"commit {answers['_commit']}" in orders
    assert "is not a release" in orders
    worker = page.locator('tr[data-service="events-worker"]').inner_text()
    assert "queue_backlog 0.99: 100.0 %" in worker
    assert "dev: not deployed" in worker
    link = page.locator('tr[data-service="orders-api"] a', has_text="orders-api")
    link.click()
    assert page.locator("h1").inner_text() == "orders-api"
    assert page.locator("#environments").inner_text().count(DIGEST) == 2
    assert page.locator('a[href="https://grafana.example.com/d/orders-api-slo"]').count() == 1
    page.close()


def test_without_prometheus_budgets_say_not_queried(tmp_path: Path) -> None:
    exe = shutil.which("slipway-fleet") or "slipway-fleet"
    done = subprocess.run(
        [exe, "catalog", "--discover", str(REPO_ROOT / "services"), "--out", str(tmp_path / "o"),
         "--state-dir", str(tmp_path / "s")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "o" / "index.html").read_text()
    assert "not queried" in html
    assert "No Prometheus given" in html
    bad = subprocess.run(
        [exe, "catalog", "--discover", str(REPO_ROOT / "services"), "--out", str(tmp_path / "o"),
         "--state-dir", str(tmp_path / "s"), "--prometheus", f"http://127.0.0.1:{_free_port()}",
         "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    envelope = json.loads(bad.stdout)  # --json: all of stdout is one envelope
    assert (envelope["command"], envelope["result"]) == ("slipway-fleet catalog", "finding")
    assert "--prometheus http://127.0.0.1:" in envelope["error"]
