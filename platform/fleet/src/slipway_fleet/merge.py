"""`slipway-fleet report merge`: one fleet summary from the JSON of N shard runs.

Each `update --shard K/N --json` envelope's data lists the fleet's member names (in fleet
order) besides its own members, so the merge checks that the shards describe the
same run (target, dry run, N, fleet), that every shard 1..N is there exactly once
and every member was reported by exactly one shard, and then rebuilds the summary
and exit code exactly as one unsharded run would have them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slipway_contract.cli import SCHEMA

from slipway_fleet import report
from slipway_fleet.outcome import Outcome


class MergeError(ValueError):
    """The shard documents do not add up to one run; the message says why."""


def load(paths: list[Path]) -> list[dict[str, Any]]:
    """The `data` of each shard's envelope, with `_path` naming its file."""
    docs = []
    for path in paths:
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise MergeError(f"{path}: not a readable JSON document ({exc})") from exc
        if (
            not isinstance(doc, dict)
            or doc.get("schema") != SCHEMA
            or doc.get("command") != report.UPDATE_COMMAND
            or not isinstance(doc.get("data"), dict)
        ):
            raise MergeError(f"{path}: not the JSON of `slipway-fleet update --json`")
        data = doc["data"]
        if not isinstance(data.get("shard"), dict):
            raise MergeError(f"{path}: not a shard run (run `update --shard K/N --json`)")
        data["_path"] = str(path)
        docs.append(data)
    if not docs:
        raise MergeError("no shard documents given")
    return docs


def _same(docs: list[dict[str, Any]], what: str, value: Any) -> None:
    for doc in docs:
        if value(doc) != value(docs[0]):
            raise MergeError(
                f"{doc['_path']} and {docs[0]['_path']} are different runs "
                f"({what}: {value(doc)!r} vs {value(docs[0])!r})"
            )


def merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The merged `update --json` envelope (its data gains `shards`: N)."""
    _same(docs, "target", lambda d: d["target"])
    _same(docs, "dry run", lambda d: d["dry_run"])
    _same(docs, "shard count", lambda d: d["shard"]["count"])
    _same(docs, "fleet", lambda d: d["shard"]["fleet_members"])
    count = docs[0]["shard"]["count"]
    seen: dict[int, str] = {}
    for doc in docs:
        index = doc["shard"]["index"]
        if index in seen:
            raise MergeError(f"shard {index}/{count} given twice: {seen[index]}, {doc['_path']}")
        seen[index] = doc["_path"]
    if missing := sorted(set(range(1, count + 1)) - set(seen)):
        shown = ", ".join(f"{i}/{count}" for i in missing)
        raise MergeError(f"shard(s) {shown} missing: the summary would leave members out")
    by_name: dict[str, Outcome] = {}
    for doc in docs:
        for data in doc["members"]:
            if data["member"] in by_name:
                raise MergeError(f"member {data['member']} is reported by two shards")
            by_name[data["member"]] = Outcome.from_json(data)
    fleet = docs[0]["shard"]["fleet_members"]
    interrupted = any(d.get("interrupted") for d in docs)
    if not interrupted and (absent := [n for n in fleet if n not in by_name]):
        raise MergeError(f"no shard reported member(s) {', '.join(absent[:10])}")
    outcomes = [by_name[n] for n in fleet if n in by_name]
    merged = report.update_envelope(
        docs[0]["target"], docs[0]["dry_run"], outcomes, interrupted=interrupted
    )
    merged["data"]["shards"] = count
    return merged
