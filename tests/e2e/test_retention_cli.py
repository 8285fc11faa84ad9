"""``groundstation records prune`` as a user runs it: a dry run that changes nothing, a run that deletes and is
audited, and a run beside a runtime that holds the profile."""

from __future__ import annotations

import signal
import sqlite3
from datetime import UTC, datetime, timedelta

from groundstation.domain import ids
from groundstation.domain.models import AdapterKind, AuditEntry, ConnectionSpec, DeviceSession, Outcome, SessionState
from groundstation.domain.ports import UnitOfWork
from groundstation.domain.telemetry import TelemetrySample
from groundstation.storage import FileProfileCatalog
from tests.e2e.conftest import Cli, wait_for_line

OLD_TELEMETRY = 12


async def seed(cli: Cli, profile: str) -> None:
    """A profile with telemetry and access records 40 days old (past the 30-day default) and a few recent."""
    catalog = FileProfileCatalog(cli.home)
    catalog.create(profile)
    store = catalog.open(profile)
    now = datetime.now(UTC)
    old = now - timedelta(days=40)
    session = DeviceSession(
        id=ids.session_id(),
        name="alpha",
        adapter=AdapterKind.FAKE,
        connection=ConnectionSpec(url="fake://alpha", scheme="fake", device_key="fake:alpha"),
        state=SessionState.STOPPED,
        created_at=old,
    )

    def unit(uow: UnitOfWork) -> None:
        uow.sessions.add(session)
        samples = [
            TelemetrySample(session_id=session.id, time=old + timedelta(seconds=i)) for i in range(OLD_TELEMETRY)
        ]
        uow.telemetry.add_many([*samples, TelemetrySample(session_id=session.id, time=now)])
        uow.audit.add_many(
            [
                AuditEntry(ids.audit_id(), old, "api:ops", "api.request", None, Outcome.SUCCESS, {}),
                AuditEntry(ids.audit_id(), old, "operator", "session.start", session.id, Outcome.SUCCESS, {}),
            ]
        )

    try:
        await store.run(unit)
    finally:
        await store.close()


def rows(cli: Cli, profile: str, sql: str) -> list[tuple[object, ...]]:
    db = cli.home / "profiles" / profile / "profile.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return list(conn.execute(sql))


def telemetry(cli: Cli, profile: str) -> int:
    return int(rows(cli, profile, "SELECT count(*) FROM telemetry_samples")[0][0])  # type: ignore[call-overload]


def line_of(stdout: str, table: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(table))


async def test_a_dry_run_deletes_nothing_and_a_real_run_deletes_and_is_audited(cli: Cli) -> None:
    await seed(cli, "acme")
    dry = cli.run("records", "prune", "--profile", "acme", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would delete {OLD_TELEMETRY:>10}" in line_of(dry.stdout, "telemetry_samples")
    assert "would delete          1" in line_of(dry.stdout, "access_records")
    assert telemetry(cli, "acme") == OLD_TELEMETRY + 1
    assert rows(cli, "acme", "SELECT count(*) FROM audit_entries WHERE action = 'retention.prune'") == [(0,)]

    done = cli.run("records", "prune", "--profile", "acme")
    assert done.returncode == 0, done.stderr
    assert f"deleted {OLD_TELEMETRY:>10}" in line_of(done.stdout, "telemetry_samples")
    assert f"deleted {OLD_TELEMETRY + 1} rows" in done.stdout
    assert telemetry(cli, "acme") == 1
    actions = [a for (a,) in rows(cli, "acme", "SELECT action FROM audit_entries ORDER BY at")]
    assert "api.request" not in actions and "session.start" in actions  # the trail of writes stays
    assert rows(cli, "acme", "SELECT actor FROM audit_entries WHERE action = 'retention.prune'") == [("operator",)]

    again = cli.run("records", "prune", "--profile", "acme")
    assert "deleted 0 rows" in again.stdout
    assert rows(cli, "acme", "SELECT count(*) FROM audit_entries WHERE action = 'retention.prune'") == [(1,)]


async def test_a_prune_beside_a_running_runtime_deletes_and_the_runtime_carries_on(cli: Cli) -> None:
    await seed(cli, "field")
    proc = cli.spawn("serve", "--profile", "field")
    try:
        wait_for_line(proc, "running; stop with Ctrl+C")
        dry = cli.run("records", "prune", "--profile", "field", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        done = cli.run("records", "prune", "--profile", "field")
        assert done.returncode == 0, done.stderr
        assert f"deleted {OLD_TELEMETRY:>10}" in line_of(done.stdout, "telemetry_samples")
        assert telemetry(cli, "field") == 1
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_unknown_profile_is_one_clear_line(cli: Cli) -> None:
    done = cli.run("records", "prune", "--profile", "nobody")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "groundstation: error: profile 'nobody' does not exist"
