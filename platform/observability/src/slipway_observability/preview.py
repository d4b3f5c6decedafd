"""PNG previews of generated dashboards (matplotlib, no Grafana needed).

A reviewer sees the panel layout as Grafana will place it: each panel's box on the
24-column grid with its title, type, unit and first query, and rows as bands.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")  # headless: never needs a display

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from slipway_observability.dashboard_checks import GRID_COLUMNS, panels

_COLOURS = {"timeseries": "#dbe9f6", "stat": "#e3f4df", "row": "#444444"}
_UNIT_ROW_INCHES = 0.32


def render_preview(board: dict[str, Any], path: Path) -> Path:
    """Draw the dashboard's layout into `path` (PNG) and return it."""
    items = panels(board)
    bottom = max((p["gridPos"]["y"] + p["gridPos"]["h"] for p in items), default=1)
    fig, ax = plt.subplots(figsize=(14, 1.0 + bottom * _UNIT_ROW_INCHES), dpi=80)
    ax.set_xlim(0, GRID_COLUMNS)
    ax.set_ylim(bottom + 0.2, -1.6)  # grid y grows downwards, like Grafana
    ax.axis("off")
    ax.text(0, -0.9, board["title"], fontsize=15, fontweight="bold", va="center")
    ax.text(
        GRID_COLUMNS, -0.9, f"uid {board['uid']}  |  datasource: ${{datasource}}",
        fontsize=9, ha="right", va="center", color="#555555",
    )  # fmt: skip
    for panel in items:
        pos = panel["gridPos"]
        kind = panel.get("type", "?")
        colour = _COLOURS.get(kind, "#eeeeee")
        box = FancyBboxPatch(
            (pos["x"] + 0.1, pos["y"] + 0.08),
            pos["w"] - 0.2,
            pos["h"] - 0.16,
            boxstyle="round,pad=0,rounding_size=0.15",
            facecolor=colour,
            edgecolor="#888888",
        )
        ax.add_patch(box)
        if kind == "row":
            ax.text(pos["x"] + 0.3, pos["y"] + 0.5, panel.get("title", ""),
                    color="white", fontsize=10, fontweight="bold", va="center")  # fmt: skip
            continue
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
        ax.text(pos["x"] + 0.3, pos["y"] + 0.7, f"#{panel['id']} {panel.get('title', '')}",
                fontsize=9, fontweight="bold", va="center")  # fmt: skip
        ax.text(pos["x"] + 0.3, pos["y"] + 1.5, f"{kind}  {unit}".strip(),
                fontsize=8, color="#555555", va="center")  # fmt: skip
        lines: list[str] = []
        wrap = max(20, int(pos["w"] * 5.3))
        for target in panel.get("targets", []):
            lines += textwrap.wrap(f"{target['refId']}: {' '.join(target['expr'].split())}", wrap)
        room = max(1, 2 * (pos["h"] - 3))  # two monospace lines per grid row
        if len(lines) > room:
            lines = [*lines[: room - 1], "..."]
        ax.text(pos["x"] + 0.3, pos["y"] + 2.2, "\n".join(lines),
                fontsize=7, family="monospace", va="top", color="#333333")  # fmt: skip
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
