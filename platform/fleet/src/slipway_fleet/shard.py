"""`update --shard K/N`: which members one of N CI runners updates.

A member belongs to shard `1 + sha256(member name) mod N`: stable across runs,
machines and Python versions (never `hash()`, which is salted per process), and
independent of the members' order in the fleet file, so adding a member moves no
other member to another shard. Member names are unique in a fleet.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from slipway_fleet.fleet import Fleet
from slipway_fleet.preflight import UsageError

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, like CI matrices and GitLab's CI_NODE_INDEX
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """`K/N` with 1 <= K <= N; anything else is a usage error naming the rule."""
    match = _SPEC.match(text)
    if not match:
        raise UsageError(f"--shard {text!r}: expected K/N, e.g. 2/4 (shard 2 of 4)")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N (N >= 1)")
    return Shard(index, count)


def shard_of(member_name: str, count: int) -> int:
    """The 1-based shard a member belongs to among `count` shards."""
    digest = hashlib.sha256(member_name.encode()).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def select(fleet: Fleet, shard: Shard) -> Fleet:
    """The members of `fleet` in `shard` (fleet order kept)."""
    members = tuple(m for m in fleet.members if shard_of(m.name, shard.count) == shard.index)
    return replace(fleet, members=members)
