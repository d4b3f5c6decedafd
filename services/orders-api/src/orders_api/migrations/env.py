"""Alembic environment: runs on the connection the service hands over.

The service calls `command.upgrade` with `config.attributes["connection"]` set
(see database.py), so migrations share the start-up transaction and its lock.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through the service (database.migrate) so they get a connection"
    )
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
