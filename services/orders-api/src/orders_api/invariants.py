"""Domain invariants of orders-api: the rules `python -m orders_api.consistency check` verifies.

The hook: `INVARIANTS` maps a rule, worded as what must hold, to a SQL query that
SELECTs the rows breaking it (no rows: the rule holds). Add one entry per business
rule the schema's constraints cannot express (constraints already stop the rest at
write time); the check runs after every restore and after a rollback, and any row
a query returns is a finding (exit code 1) naming the rule and the number of rows.
"""

from __future__ import annotations

INVARIANTS: dict[str, str] = {
    "no item is dated in the future": (
        # A restore to the wrong time or a clock gone wrong shows up here.
        "SELECT id FROM items WHERE created_at > now() + interval '5 minutes'"
    ),
    "every item has a non-blank name": "SELECT id FROM items WHERE btrim(name) = ''",
}
