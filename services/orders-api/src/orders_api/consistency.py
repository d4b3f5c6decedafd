"""Data-consistency check: `python -m orders_api.consistency record|check`.

    record --manifest M.json        row count + checksum per table and the Alembic revision
    check [--manifest M.json]       compare with the manifest (when given), then check the
                                    Alembic revision against this code's head and the
                                    domain invariants declared in `invariants.py`

Run `check --manifest` after a restore (the manifest recorded at the recovery point
must match exactly) and `check` alone after a rollback (the data moved on, but the
schema must be one this code knows and the invariants must hold).

The database comes from `--database-url` or DATABASE_URL (the service's own setting).
Exit codes, for pipelines (Slipway's one table, slipway_contract.ExitCode): 0 consistent,
1 findings (each printed), 2 usage or an unreadable manifest, 3 not run (the database
could not be reached). `--json` prints Slipway's one JSON envelope on stdout: for `check`
the verdict, findings and facts as its `data`, for `record` the manifest written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from alembic.script import ScriptDirectory
from slipway_contract.cli import parse_or_envelope, print_envelope
from slipway_contract.exit_codes import ExitCode

from orders_api.database import alembic_config
from orders_api.invariants import INVARIANTS

OK, FINDINGS, USAGE = ExitCode.OK, ExitCode.FINDING, ExitCode.USAGE
UNREACHABLE = ExitCode.NOT_RUN  # the check could not run: no database to check
COMMAND = "python -m orders_api.consistency"
VERSION_TABLE = "alembic_version"  # Alembic's bookkeeping: checked as the revision, not as data
# Order-independent: rows are hashed one by one, then the sorted row hashes together, so
# the checksum does not depend on physical row order (which a restore may change).
_TABLE_SUMMARY = (
    "SELECT count(*) AS rows, md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
    " AS checksum FROM {table} AS t"
)


class UsageError(Exception):
    """Bad input (exit code 2)."""


class UnreachableError(Exception):
    """The database did not answer (exit code 3, not run)."""


@dataclass
class Report:
    """What a check found; empty `findings` means consistent."""

    findings: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def code_head() -> str:
    """The newest Alembic revision this code ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise UsageError("this code ships no Alembic revision")
    return head


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants postgresql://; the service's setting is a SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows if r["tablename"] != VERSION_TABLE]


async def _revision(conn: asyncpg.Connection) -> str | None:
    if await conn.fetchval("SELECT to_regclass('public.alembic_version')") is None:
        return None
    return await conn.fetchval("SELECT version_num FROM alembic_version")  # type: ignore[no-any-return]


async def snapshot(conn: asyncpg.Connection) -> dict[str, Any]:
    """The manifest of the database as it is now."""
    tables: dict[str, dict[str, Any]] = {}
    for table in await _tables(conn):
        ident = '"' + table.replace('"', '""') + '"'
        row = await conn.fetchrow(_TABLE_SUMMARY.format(table=ident))
        tables[table] = {"rows": row["rows"], "checksum": row["checksum"]}
    return {
        "recorded_at": datetime.now(UTC).isoformat(),
        "alembic_revision": await _revision(conn),
        "tables": tables,
    }


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Findings between a recorded manifest and the database now."""
    findings = []
    if expected.get("alembic_revision") != actual["alembic_revision"]:
        findings.append(
            f"alembic revision is {actual['alembic_revision']}, "
            f"the manifest recorded {expected.get('alembic_revision')}"
        )
    want, have = expected.get("tables", {}), actual["tables"]
    for table in sorted(set(want) | set(have)):
        if table not in have:
            findings.append(f"table {table}: missing (the manifest has {want[table]['rows']} rows)")
        elif table not in want:
            findings.append(f"table {table}: not in the manifest ({have[table]['rows']} rows)")
        elif want[table]["rows"] != have[table]["rows"]:
            findings.append(
                f"table {table}: {have[table]['rows']} rows, the manifest has {want[table]['rows']}"
            )
        elif want[table]["checksum"] != have[table]["checksum"]:
            findings.append(f"table {table}: same row count, different content (checksum)")
    return findings


async def check(conn: asyncpg.Connection, manifest: dict[str, Any] | None) -> Report:
    """Manifest (if any), Alembic revision against this code's head, invariants."""
    actual = await snapshot(conn)
    report = Report(facts={"tables": actual["tables"]})
    if manifest is not None:
        report.findings += compare(manifest, actual)
    head, revision = code_head(), actual["alembic_revision"]
    report.facts["alembic"] = {"database": revision, "code_head": head}
    if revision != head:
        report.findings.append(
            f"alembic: the database is at {revision}, this code's head is {head}"
            " (migrate forward, or roll back to the release that wrote it)"
        )
    for rule, query in INVARIANTS.items():
        broken = await conn.fetchval(f"SELECT count(*) FROM ({query}) AS violations")  # noqa: S608 - the service's own declared SQL
        report.facts.setdefault("invariants", {})[rule] = broken
        if broken:
            report.findings.append(f"invariant broken: {rule} ({broken} rows)")
    return report


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read manifest {path}: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
        raise UsageError(f"{path} is not a manifest written by `consistency record`")
    return manifest


async def _run(args: argparse.Namespace) -> ExitCode:
    manifest = _read_manifest(args.manifest) if args.command == "check" and args.manifest else None
    try:
        conn = await asyncpg.connect(asyncpg_dsn(args.database_url), timeout=args.timeout)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise UnreachableError(f"cannot reach the database: {exc}") from None
    try:
        if args.command == "record":
            recorded = await snapshot(conn)
            args.manifest.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
            counts = ", ".join(f"{t}={v['rows']}" for t, v in recorded["tables"].items())
            revision = recorded["alembic_revision"]
            line = f"consistency: recorded {args.manifest} (revision {revision}; {counts})"
            if args.json:
                print(line, file=sys.stderr)
                data = {"manifest": str(args.manifest), **recorded}
                return ExitCode(print_envelope(f"{COMMAND} record", OK, data=data))
            print(line)
            return OK
        report = await check(conn, manifest)
    finally:
        await conn.close()
    code = FINDINGS if report.findings else OK
    if args.json:
        found = {"consistent": not report.findings, "findings": report.findings}
        print_envelope(f"{COMMAND} check", code, data={**found, **report.facts})
    else:
        for finding in report.findings:
            print(f"FINDING {finding}")
        verdict = "consistent" if not report.findings else f"{len(report.findings)} finding(s)"
        tables = len(report.facts["tables"])
        print(f"consistency: {verdict} ({tables} tables, {len(INVARIANTS)} invariants)")
    return code


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m orders_api.consistency",
        description="Record or check row counts, checksums, the Alembic revision and invariants.",
    )
    cli.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="postgresql[+asyncpg]:// URL (default: $DATABASE_URL)",
    )
    cli.add_argument("--timeout", type=float, default=10.0, help="connect timeout, seconds")
    commands = cli.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record", help="write the manifest of the database as it is now")
    record.add_argument("--manifest", type=Path, required=True)
    record.add_argument("--json", action="store_true", help="Slipway's one JSON envelope on stdout")
    checking = commands.add_parser("check", help="exit 0 when consistent, 1 on findings")
    checking.add_argument("--manifest", type=Path, help="compare with this recorded manifest")
    checking.add_argument(
        "--json", action="store_true", help="Slipway's one JSON envelope on stdout"
    )
    return cli


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = parse_or_envelope(cli.parse_args, argv, COMMAND)  # exits 2 on bad usage
    try:
        if not args.database_url:
            raise UsageError("no database: pass --database-url or set DATABASE_URL")
        return int(asyncio.run(_run(args)))
    except (UsageError, UnreachableError) as exc:
        code = USAGE if isinstance(exc, UsageError) else UNREACHABLE
        print(f"consistency: {exc}", file=sys.stderr)
        if getattr(args, "json", False):  # the envelope says why too
            return print_envelope(f"{COMMAND} {args.command}", code, error=str(exc))
        return int(code)


if __name__ == "__main__":
    sys.exit(main())
