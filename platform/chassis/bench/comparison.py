"""This checkout's chassis against another ref's (`run.py --against REF`): one row per variant.

Each side's ratio is to its own bare app in the same round (bare CPU/request over
the variant's), so a change of libraries or of the machine's load between the
sides cancels out. The verdict compares the spreads, not the medians alone: on a
shared machine one variant swings by tens of percent between rounds, so "slower"
means every round of this side is below every round of the other, "faster" the
reverse, and anything overlapping is "within spread"; with fewer than 3 rounds
there is no spread to judge against, so no verdict.
"""

from __future__ import annotations

import statistics

from rich.console import Console
from rich.table import Table
from wrk import WrkResult

Results = dict[str, dict[str, list[WrkResult]]]  # [variant][endpoint]: one per round


def round_ratios(results: Results) -> dict[tuple[str, str], list[float]]:
    """Per (variant, endpoint): each round's bare CPU/request over the variant's."""
    bare = results["bare"]
    return {
        (variant, endpoint): [
            b.cpu_us_per_request / r.cpu_us_per_request
            for b, r in zip(bare[endpoint], runs, strict=True)
        ]
        for variant, endpoints in results.items()
        for endpoint, runs in endpoints.items()
    }


MIN_ROUNDS = 3  # fewer rounds give no spread to judge against: no verdict


def verdict(head: list[float], ref: list[float]) -> str:
    """`slower`/`faster` only when the two sides' per-round ratios do not overlap."""
    if min(len(head), len(ref)) < MIN_ROUNDS:
        return f"no verdict (< {MIN_ROUNDS} rounds)"
    if max(head) < min(ref):
        return "slower"
    if min(head) > max(ref):
        return "faster"
    return "within spread"


def compare(head: Results, ref: Results) -> list[dict[str, object]]:
    """One row per (variant, endpoint) both sides measured, in `head`'s order."""
    head_ratios, ref_ratios = round_ratios(head), round_ratios(ref)
    rows: list[dict[str, object]] = []
    for key, mine in head_ratios.items():
        if key == ("bare", key[1]) or key not in ref_ratios:
            continue
        theirs = ref_ratios[key]
        variant, endpoint = key
        rows.append(
            {
                "variant": variant,
                "endpoint": endpoint,
                "head_ratios": [round(r, 3) for r in mine],
                "ref_ratios": [round(r, 3) for r in theirs],
                "head_ratio": round(statistics.median(mine), 3),
                "ref_ratio": round(statistics.median(theirs), 3),
                "head_cpu_us": round(_median_cpu(head[variant][endpoint]), 1),
                "ref_cpu_us": round(_median_cpu(ref[variant][endpoint]), 1),
                "verdict": verdict(mine, theirs),
            }
        )
    return rows


def _median_cpu(runs: list[WrkResult]) -> float:
    return statistics.median(r.cpu_us_per_request for r in runs)


def render(rows: list[dict[str, object]], console: Console, head: str, ref: str) -> None:
    """Print the comparison table."""
    table = Table(title=f"{head} vs {ref}: x bare FastAPI (CPU), each side's own bare")
    for column in ("variant", "endpoint", f"{head} median", f"{head} rounds", f"{ref} median",
                   f"{ref} rounds", "CPU µs/req", "verdict"):  # fmt: skip
        table.add_column(column, justify="right" if "median" in column else "left")
    for row in rows:
        table.add_row(
            str(row["variant"]),
            str(row["endpoint"]),
            f"{row['head_ratio']:.2f}",
            " ".join(f"{r:.2f}" for r in row["head_ratios"]),  # type: ignore[attr-defined]
            f"{row['ref_ratio']:.2f}",
            " ".join(f"{r:.2f}" for r in row["ref_ratios"]),  # type: ignore[attr-defined]
            f"{row['head_cpu_us']} / {row['ref_cpu_us']}",
            str(row["verdict"]),
        )
    console.print(table)
