"""Template migration to 0.2.0: the answer `rollout` became `rollout_strategy`.

copier runs this (copier.yml `_migrations`, stage "before") inside the service
being updated, with the answers file's path as the only argument, before it
reads the old answers. Without it an update from 0.1.x would silently reset
the service's rollout to the default.

Idempotent: an answers file that already has `rollout_strategy` is left alone.
Plain-text edit (not a YAML round trip) so comments and order survive.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OLD, NEW = "rollout", "rollout_strategy"
_OLD_LINE = re.compile(rf"^{OLD}:(?P<value>.*)$", re.MULTILINE)


def migrate(text: str) -> str:
    """The answers text with `rollout:` renamed, unless `rollout_strategy:` exists."""
    if re.search(rf"^{NEW}:", text, re.MULTILINE):
        return text
    return _OLD_LINE.sub(lambda m: f"{NEW}:{m['value']}", text)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: v0_2_0_rename_rollout_answer.py ANSWERS_FILE", file=sys.stderr)
        return 2
    answers = Path(argv[0])
    if not answers.is_file():
        print(f"{answers}: no answers file here, nothing to migrate", file=sys.stderr)
        return 0
    before = answers.read_text()
    after = migrate(before)
    if after != before:
        answers.write_text(after)
        print(f"{answers}: renamed answer {OLD!r} to {NEW!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
