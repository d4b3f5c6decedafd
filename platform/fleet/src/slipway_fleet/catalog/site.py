"""Render the catalog: index.html, services/<name>.html and catalog.css (Jinja2).

Plain HTML and CSS only: it opens from a file system or any static host, with
landmarks (header/nav/main/footer), table headers with `scope`, and colours from
PALETTE, whose text/background pairs the tests hold to WCAG AA contrast.
"""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from slipway_fleet.catalog.collect import ServiceEntry

PALETTE = {
    "text": "#1b1f24",
    "background": "#ffffff",
    "muted": "#4b5563",
    "link": "#0b5cad",
    "header_text": "#ffffff",
    "header_background": "#1f3a5f",
    "ok": "#116329",
    "warn": "#7a4b00",
    "bad": "#a40e26",
    "row_background": "#f3f5f8",
}
# Every text colour and the backgrounds it is drawn on (what the contrast test checks).
TEXT_ON = {
    "text": ("background", "row_background"),
    "muted": ("background", "row_background"),
    "link": ("background", "row_background"),
    "ok": ("background", "row_background"),
    "warn": ("background", "row_background"),
    "bad": ("background", "row_background"),
    "header_text": ("header_background",),
}


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("slipway_fleet.catalog", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = lambda digest: digest.removeprefix("sha256:")[:12]
    env.filters["percent"] = lambda ratio: f"{ratio * 100:.1f} %"
    return env


def write_site(
    entries: list[ServiceEntry], out: Path, *, prometheus: str = "", generated_at: str = ""
) -> list[Path]:
    """Write the site into `out`; returns the HTML pages written."""
    env = _environment()
    (out / "services").mkdir(parents=True, exist_ok=True)
    css = env.get_template("catalog.css.j2").render(p=PALETTE)
    (out / "catalog.css").write_text(css)
    common = {"prometheus": prometheus, "generated_at": generated_at}
    entries = sorted(entries, key=lambda e: e.name)
    pages = [out / "index.html"]
    pages[0].write_text(
        env.get_template("index.html.j2").render(services=entries, root=".", **common)
    )
    for entry in entries:
        page = out / "services" / f"{entry.name}.html"
        runbook = os.path.relpath(entry.runbook_path, page.parent) if entry.runbook_path else ""
        page.write_text(
            env.get_template("service.html.j2").render(
                s=entry, runbook=runbook, root="..", **common
            )
        )
        pages.append(page)
    return pages
