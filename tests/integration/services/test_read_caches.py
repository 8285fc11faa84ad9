"""The read caches of the services: list pages served again while nothing was written, and a list after
any write (through the service, another service, the video pipeline's path, or an FK action) reflects it;
valid token authentications remembered for at most ``AUTH_CACHE_S``, and a revocation through the
service counting at once."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import AdapterKind, Role, StreamState
from groundstation.domain.ports import UnitOfWork
from groundstation.services.audit import WriteScope
from groundstation.services.tokens import TokenService
from groundstation.storage.catalog import DB_FILE


async def test_a_session_page_is_reused_while_nothing_was_written(profile: ProfileServices) -> None:
    await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    first = await profile.sessions.list(limit=10)
    again = await profile.sessions.list(limit=10)
    assert again == first and again is not first
    assert all(a is b for a, b in zip(again, first, strict=True))  # served from the cache
    again.clear()  # a caller's copy: the cache is not affected
    assert await profile.sessions.list(limit=10) == first


async def test_a_session_list_after_any_write_reflects_it(profile: ProfileServices) -> None:
    alpha = await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    assert [s.name for s in await profile.sessions.list()] == ["alpha"]
    beta = await profile.sessions.define("beta", AdapterKind.FAKE, "fake://beta")
    assert {s.id for s in await profile.sessions.list()} == {alpha.id, beta.id}
    await profile.sessions.delete(beta.id)
    assert [s.id for s in await profile.sessions.list()] == [alpha.id]

    # A write that goes around the service (as the pipeline or the runtime's other services do).
    def rename(uow: UnitOfWork, scope: WriteScope) -> None:
        current = uow.sessions.get(alpha.id)
        assert current is not None
        uow.sessions.update(replace(current, last_error="somewhere else"))

    await profile.audit.write(actor="test", action="test.write", target_id=alpha.id, work=rename)
    assert [s.last_error for s in await profile.sessions.list()] == ["somewhere else"]
    # A bare unit of work with no audit at all.
    await profile.store.run(lambda uow: uow.sessions.delete(alpha.id))
    assert await profile.sessions.list() == []


async def test_a_stream_list_after_any_write_reflects_it(profile: ProfileServices) -> None:
    session = await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    cam = await profile.streams.create("cam", "synthetic://", linked_session_id=session.id)
    assert [s.linked_session_id for s in await profile.streams.list()] == [session.id]
    assert [s.id for s in await profile.streams.list(linked_session_id=session.id)] == [cam.id]

    await profile.streams.update(cam.id, name="nose")
    assert [s.name for s in await profile.streams.list()] == ["nose"]

    # The video pipeline writes a stream's state through AuditService.write.
    def connected(uow: UnitOfWork, scope: WriteScope) -> None:
        current = uow.streams.get(cam.id)
        assert current is not None
        uow.streams.update(replace(current, state=StreamState.LIVE))

    await profile.audit.write(actor="system", action="stream.state", target_id=cam.id, work=connected)
    assert [s.state for s in await profile.streams.list()] == [StreamState.LIVE]

    # Deleting the session unlinks the stream by an ON DELETE action, with no statement on the streams.
    await profile.sessions.delete(session.id)
    assert [s.linked_session_id for s in await profile.streams.list()] == [None]
    assert await profile.streams.list(linked_session_id=session.id) == []

    await profile.streams.delete(cam.id)
    assert await profile.streams.list() == []


async def test_a_failed_write_leaves_the_lists_right(profile: ProfileServices) -> None:
    await profile.streams.create("cam", "synthetic://")
    before = await profile.streams.list()

    def half_then_fail(uow: UnitOfWork, scope: WriteScope) -> None:
        uow.streams.delete(before[0].id)
        raise RuntimeError("rolled back")

    with contextlib.suppress(RuntimeError):
        await profile.audit.write(actor="test", action="test.fail", target_id=None, work=half_then_fail)
    assert await profile.streams.list() == before


async def test_a_token_revoked_through_the_service_is_refused_at_once(profile: ProfileServices) -> None:
    issued = await profile.tokens.create("bot", Role.VIEWER)
    assert (await profile.tokens.authenticate(issued.secret)).valid
    assert (await profile.tokens.authenticate(issued.secret)).valid  # remembered
    await profile.tokens.revoke("bot")
    assert not (await profile.tokens.authenticate(issued.secret)).valid


async def test_a_token_revoked_by_another_process_counts_within_the_cache_window(profile: ProfileServices) -> None:
    now = [100.0]
    tokens = TokenService(
        store=profile.store, audit=profile.audit, clock=lambda: datetime.now(UTC), monotonic=lambda: now[0]
    )
    issued = await tokens.create("bot", Role.VIEWER)
    assert (await tokens.authenticate(issued.secret)).valid
    assert (await tokens.authenticate(issued.secret)).valid  # the touch moved the count: read once more

    # Another process (``groundstation tokens revoke`` beside the server) writes the file directly.
    other = sqlite3.connect(Path(profile.store.profile.path) / DB_FILE)
    try:
        with other:
            other.execute("UPDATE api_tokens SET revoked_at = '2024-01-01 00:00:00' WHERE name = 'bot'")
    finally:
        other.close()
    assert (await tokens.authenticate(issued.secret)).valid  # still inside the window
    now[0] += 0.999
    assert (await tokens.authenticate(issued.secret)).valid
    now[0] += 0.002  # AUTH_CACHE_S (1 s) after the read that was remembered
    assert not (await tokens.authenticate(issued.secret)).valid


async def test_unknown_and_revoked_tokens_are_never_remembered(profile: ProfileServices) -> None:
    issued = await profile.tokens.create("bot", Role.VIEWER)
    await profile.tokens.revoke("bot")
    for _ in range(2):
        result = await profile.tokens.authenticate(issued.secret)
        assert result.token is not None and not result.valid
    assert (await profile.tokens.authenticate("gs_" + "x" * 43)).token is None
