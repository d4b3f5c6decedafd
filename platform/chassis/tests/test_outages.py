"""`is_outage` against the errors real PostgreSQL, Redis and RabbitMQ servers raise.

Each dependency runs in a real container (the platform's images, built by
provision; nothing pulled) and is made unavailable the ways production sees it:
an administrator terminating the session, a smart shutdown in progress ("the
database system is shutting down"), a pool with no free connection, the server
gone (refused). Every error the client library raises then must classify as an
outage, count against a `dependency_breaker` and surface as
`DependencyUnavailableError` (503); an error that means "the dependency
answered no" (a unique violation, a wrong Redis command) must not.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
import pytest
import redis.asyncio as aioredis
import redis.exceptions
import sqlalchemy.exc
from slipway_chassis import DependencyUnavailableError, dependency_breaker
from slipway_chassis._outages import is_outage
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = [pytest.mark.requires("docker"), pytest.mark.timeout(240)]


@dataclass
class Container:
    name: str
    port: int

    def docker(self, *args: str) -> str:
        done = subprocess.run(
            ["docker", *args], capture_output=True, text=True, timeout=120, check=True
        )
        return done.stdout


def _run(image: str, port: int, *env: str) -> Container:
    name = f"chassis-outages-{uuid.uuid4().hex[:8]}"
    env_args = [a for e in env for a in ("-e", e)]
    subprocess.run(
        ["docker", "run", "-d", "--name", name, "-p", f"127.0.0.1::{port}", *env_args, image],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    mapped = subprocess.run(
        ["docker", "port", name, f"{port}/tcp"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    return Container(name, int(mapped.rpartition(":")[2]))


@contextlib.contextmanager
def _container(image: str, port: int, *env: str) -> Iterator[Container]:
    container = _run(image, port, *env)
    try:
        yield container
    finally:
        subprocess.run(
            ["docker", "rm", "-f", container.name], check=False, capture_output=True, timeout=60
        )


async def _until(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await probe()
        except Exception as exc:
            if time.monotonic() > deadline:
                pytest.fail(f"{what} not ready after {timeout:.0f}s: {exc!r}")
            await asyncio.sleep(0.3)


async def _raised(call: Callable[[], Awaitable[Any]]) -> BaseException:
    try:
        await call()
    except Exception as exc:
        return exc
    pytest.fail(f"{call} did not fail")


async def _through_breaker(name: str, exc: BaseException) -> DependencyUnavailableError:
    """`exc` raised inside a guard: counted (the breaker opens at 1) and turned into a 503."""
    circuit = dependency_breaker(name, failure_threshold=1, recovery_timeout_seconds=30)
    with pytest.raises(DependencyUnavailableError) as info:
        async with circuit.guard():
            raise exc
    assert circuit.state == "open", f"{exc!r} did not count against the breaker"
    assert info.value.__cause__ is exc
    return info.value


def test_postgresql_unavailability_is_an_outage() -> None:
    async def scenario(db: Container) -> None:
        dsn = f"postgresql://postgres:postgres@127.0.0.1:{db.port}/app"  # pragma: allowlist secret
        admin = await _until(lambda: asyncpg.connect(dsn, timeout=2), "postgres")
        seen: dict[str, BaseException] = {}

        # Answered "no": not an outage.
        await admin.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)")
        duplicate = await _raised(lambda: admin.execute("INSERT INTO t VALUES (1)"))
        assert not is_outage(duplicate)
        engine = create_async_engine(
            dsn.replace("postgresql://", "postgresql+asyncpg://"),
            pool_size=1,
            max_overflow=0,
            pool_timeout=0.2,
        )

        async def insert_duplicate() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (1)"))

        wrapped_duplicate = await _raised(insert_duplicate)
        assert isinstance(wrapped_duplicate, sqlalchemy.exc.IntegrityError)
        assert not is_outage(wrapped_duplicate)

        # Pool timeout: the only connection is busy.
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            seen["pool timeout"] = await _raised(lambda: engine.connect().__aenter__())

        async def query_through_engine() -> None:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        # Admin termination (57P01) of sessions in use: a raw asyncpg one and the pool's.
        victim = await asyncpg.connect(dsn, timeout=2)
        await query_through_engine()  # the pool holds one open connection now
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND datname = 'app'"
        )
        # The FATAL message arrives asynchronously; a query racing it is the next case.
        deadline = time.monotonic() + 10
        while not victim.is_closed() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        seen["admin termination"] = await _raised(lambda: victim.fetchval("SELECT 1"))
        seen["admin termination (SQLAlchemy)"] = await _raised(query_through_engine)
        seen["admin termination, query racing the FATAL"] = await _termination_race(dsn, admin)

        # Two operations at once on one connection: a bug in the caller, not an outage.
        busy = await asyncpg.connect(dsn, timeout=2)
        sleeping = asyncio.ensure_future(busy.fetchval("SELECT pg_sleep(0.3)"))
        await asyncio.sleep(0.05)  # the first operation is under way
        misuse = await _raised(lambda: busy.fetchval("SELECT 1"))
        assert isinstance(misuse, asyncpg.InterfaceError), repr(misuse)
        assert "another operation is in progress" in str(misuse)
        assert not is_outage(misuse)
        await sleeping
        await busy.close()

        # Smart shutdown (SIGTERM to the postmaster): the open admin session keeps the
        # server in "shutting down"; new connections are refused with 57P03.
        db.docker("kill", "--signal", "TERM", db.name)
        shutting = await _until(
            lambda: _expect_sqlstate(asyncpg.connect(dsn, timeout=2), "57P03"), "57P03", 30
        )
        seen["shutting down (asyncpg)"] = shutting
        await engine.dispose()
        seen["shutting down (SQLAlchemy)"] = await _raised(query_through_engine)
        await admin.close()  # the last session ends: the server exits

        async def refused() -> BaseException:
            exc = await _raised(lambda: asyncpg.connect(dsn, timeout=2))
            assert isinstance(exc, OSError), repr(exc)  # not yet a 57P03 any more
            return exc

        seen["refused"] = await _until(refused, "refused connections", 30)
        await engine.dispose()
        seen["refused (SQLAlchemy)"] = await _raised(query_through_engine)
        await engine.dispose()

        for what, exc in seen.items():
            assert is_outage(exc), f"{what}: {exc!r} is not classified as an outage"
            unavailable = await _through_breaker(f"pg-{what}", exc)
            assert unavailable.retry_after_seconds >= 1

    with _container("slipway/postgres:15", 5432) as db:
        asyncio.run(scenario(db))


async def _termination_race(dsn: str, admin: Any) -> BaseException:
    """Terminate an idle session and query it at once, until the query lands between
    asyncpg reading the server's FATAL and reading the end of the stream.

    There asyncpg refuses the query with InternalClientError "cannot switch to state N;
    another operation (2) is in progress" (2: discarding the unexpected message).
    Timing decides each round: the query may instead meet the FATAL itself (08003) or a
    connection already closed; both are classified already. Most rounds race.
    """
    outcomes: Counter[str] = Counter()
    for attempt in range(200):
        victim = await asyncpg.connect(dsn, timeout=2)
        await victim.fetchval("SELECT 1")  # prepared: the next call goes straight to execute
        await admin.execute("SELECT pg_terminate_backend($1)", victim.get_server_pid())
        await asyncio.sleep(0.001 * (attempt % 3))  # vary where the query lands
        exc = await _raised(functools.partial(victim.fetchval, "SELECT 1"))
        victim.terminate()
        if isinstance(exc, asyncpg.exceptions.InternalClientError):
            assert "another operation (2) is in progress" in str(exc), repr(exc)
            return exc
        outcomes[type(exc).__name__] += 1
    pytest.fail(f"no query raced the FATAL in 200 rounds: {dict(outcomes)}")


async def _expect_sqlstate(connecting: Awaitable[Any], sqlstate: str) -> BaseException:
    try:
        conn = await connecting
    except Exception as exc:
        if getattr(exc, "sqlstate", None) != sqlstate:
            raise AssertionError(f"expected SQLSTATE {sqlstate}, got {exc!r}") from exc
        return exc
    await conn.close()
    raise AssertionError("still accepting connections")


def test_redis_unavailability_is_an_outage() -> None:
    async def scenario(cache: Container) -> None:
        url = f"redis://127.0.0.1:{cache.port}/0"
        admin = aioredis.Redis.from_url(url, retry=None)
        await _until(admin.ping, "redis")
        # No client retries: the first error is what a caller sees.
        victim = aioredis.Redis.from_url(url, retry=None, socket_timeout=0.5)
        seen: dict[str, BaseException] = {}

        wrong = await _raised(lambda: victim.execute_command("NO-SUCH-COMMAND"))
        assert isinstance(wrong, redis.exceptions.ResponseError)
        assert not is_outage(wrong)  # it answered

        await victim.ping()
        await admin.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
        seen["admin termination"] = await _raised(victim.ping)
        seen["timeout"] = await _raised(
            lambda: victim.blpop(["never-filled"], timeout=2)  # longer than socket_timeout
        )
        await admin.aclose()
        await victim.aclose()
        cache.docker("stop", "--time", "5", cache.name)
        seen["refused"] = await _raised(victim.ping)

        for what, exc in seen.items():
            assert is_outage(exc), f"{what}: {exc!r} is not classified as an outage"
            await _through_breaker(f"redis-{what}", exc)

    with _container("slipway/redis:7", 6379) as cache:
        asyncio.run(scenario(cache))


def test_rabbitmq_unavailability_is_an_outage() -> None:
    async def scenario(broker: Container) -> None:
        url = f"amqp://guest:guest@127.0.0.1:{broker.port}/"  # pragma: allowlist secret
        connection = await _until(lambda: aio_pika.connect(url, timeout=5), "rabbitmq", 120)
        channel = await connection.channel(publisher_confirms=True)
        seen: dict[str, BaseException] = {}

        async def publish() -> None:
            message = aio_pika.Message(b"{}")
            await channel.default_exchange.publish(message, routing_key="q", timeout=5)

        await publish()
        # Administrator closes every connection (what `rabbitmqctl stop` also does first).
        broker.docker("exec", broker.name, "rabbitmqctl", "close_all_connections", "test")
        seen["admin termination"] = await _until(
            lambda: _fails(publish()), "publish failing after close_all_connections", 30
        )
        broker.docker("stop", "--time", "10", broker.name)
        seen["refused"] = await _raised(lambda: aio_pika.connect(url, timeout=5))

        for what, exc in seen.items():
            assert is_outage(exc), f"{what}: {exc!r} is not classified as an outage"
            await _through_breaker(f"amqp-{what}", exc)

    with _container("slipway/rabbitmq:3", 5672) as broker:
        asyncio.run(scenario(broker))


async def _fails(call: Awaitable[Any]) -> BaseException:
    try:
        await call
    except Exception as exc:
        return exc
    raise AssertionError("still succeeds")
