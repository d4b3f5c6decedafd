"""Which exceptions mean "the dependency is unavailable" (not "it answered no").

`is_outage(exc)` is the one classification the circuit breaker (`_circuits.py`)
and the HTTP error model (`_problems.py`, 503 + Retry-After) share, for
PostgreSQL, RabbitMQ and Redis alike, whatever client library raised it:

- the network: refused/reset/aborted connections, unresolvable hosts, timeouts
  (`OSError`, which aiormq's `AMQPConnectionError`/`ConnectionClosed` - e.g. the
  broker's `CONNECTION_FORCED` on shutdown - also are);
- PostgreSQL's SQLSTATEs for it (asyncpg/psycopg `sqlstate`, `pgcode`): class 08
  (connection exception), 57P01 admin termination, 57P02 crash shutdown, 57P03
  "the database system is starting up / shutting down", 57P04 database dropped,
  53300 too many connections;
- SQLAlchemy's view: a `DBAPIError` whose connection it invalidated (its dialect
  saw a disconnect), a pool checkout that timed out, a `DisconnectionError`;
  asyncpg's "connection is closed" (a session the server terminated) and its
  "another operation (2) is in progress" (a query racing that termination);
- redis-py's `ConnectionError` (its `BusyLoadingError`: the server is starting up,
  loading its dataset) and `TimeoutError`, which do not derive from `OSError`.

Wrapped exceptions are followed (SQLAlchemy's `orig`, then `raise ... from`'s
`__cause__`): SQLAlchemy wraps asyncpg's `CannotConnectNowError` in a plain
`DBAPIError`. `__context__` is not followed: an error raised while handling an
outage is not necessarily one.

Why hand-written: each client library knows only its own errors (SQLAlchemy maps
57P03 to a plain `DBAPIError`, not `OperationalError`), and the chassis must not
import the libraries a service may not use; classes are matched by qualified name.
"""

from __future__ import annotations

OUTAGE_SQLSTATE_CLASSES = ("08",)
OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "57P04", "53300"})
# Library exception classes (module.QualName, as in the class's MRO) that mean an outage.
OUTAGE_CLASS_NAMES = frozenset(
    {
        "sqlalchemy.exc.TimeoutError",  # QueuePool checkout timed out
        "sqlalchemy.exc.DisconnectionError",
        "redis.exceptions.ConnectionError",  # includes BusyLoadingError (starting up)
        "redis.exceptions.TimeoutError",
        "aiormq.exceptions.ChannelInvalidStateError",  # the connection under it is gone
    }
)
# Library exception classes that mean an outage only with this text (asyncpg uses one
# InterfaceError class for a closed connection and for misuse; SQLAlchemy matches the same).
OUTAGE_CLASS_MESSAGES = {
    "asyncpg.exceptions._base.InterfaceError": "connection is closed",
    # A query issued after asyncpg read a terminated session's FATAL but before it read
    # the end of the stream: the protocol is still discarding that unexpected message
    # (state 2, PROTOCOL_ERROR_CONSUME), which only the server ending the session sends
    # while no operation runs. Two operations at once on one connection (a caller's bug)
    # is InterfaceError "another operation is in progress" instead: not an outage.
    "asyncpg.exceptions._base.InternalClientError": "another operation (2) is in progress",
}
# How deep to follow wrapped exceptions (a cycle or a long chain must not loop).
_MAX_CHAIN = 8


def _qualified_names(exc: BaseException) -> set[str]:
    return {f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__}


def _is_outage_itself(exc: BaseException) -> bool:
    if isinstance(exc, OSError):  # TimeoutError and ConnectionError are OSErrors
        return True
    if getattr(exc, "connection_invalidated", False) is True:
        return True
    sqlstate = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if isinstance(sqlstate, str) and (
        sqlstate in OUTAGE_SQLSTATES or sqlstate.startswith(OUTAGE_SQLSTATE_CLASSES)
    ):
        return True
    names = _qualified_names(exc)
    if not OUTAGE_CLASS_NAMES.isdisjoint(names):
        return True
    return any(name in names and text in str(exc) for name, text in OUTAGE_CLASS_MESSAGES.items())


def is_outage(exc: BaseException) -> bool:
    """True when `exc`, or an exception it wraps, means the dependency is unavailable."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending and len(seen) < _MAX_CHAIN:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _is_outage_itself(current):
            return True
        for wrapped in (getattr(current, "orig", None), current.__cause__):
            if isinstance(wrapped, BaseException):
                pending.append(wrapped)
    return False
