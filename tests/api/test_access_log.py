"""Every request a token makes is audited in the token's profile (issue [5]), over real HTTP."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import websockets

from groundstation.domain.models import AuditEntry, Outcome
from groundstation.storage import FileProfileCatalog
from tests.api.conftest import Api, fake_url, start_api, stop_api
from tests.waiting import wait_until

SESSIONS = "/api/integration/device-sessions"


async def _requests(api: Api, profile: str, actor: str, count: int) -> list[AuditEntry]:
    """Wait (through the periodic flush, no explicit one) until ``count`` access records of ``actor`` are stored."""
    found: list[AuditEntry] = []

    async def stored() -> bool:
        found[:] = await api.profile(profile).audit.list(action="api.request", actor=actor)
        return len(found) >= count

    await wait_until(stored, within=5)
    return found


def _seen(entries: list[AuditEntry]) -> list[tuple[str, str, int, str | None, Outcome]]:
    return [(e.detail["method"], e.detail["path"], e.detail["status"], e.target_id, e.outcome) for e in entries]


async def test_reads_by_a_viewer_are_audited_with_the_token_name_path_template_and_status(api: Api) -> None:
    session = await api.profile("alpha").sessions.define("scout", "FAKE", fake_url("scout"))
    viewer = api.client("alpha-viewer")
    for path in (SESSIONS, f"{SESSIONS}/{session.id}", f"{SESSIONS}/{session.id}/telemetry/history"):
        assert (await viewer.get(path)).status_code == 200
    entries = await _requests(api, "alpha", "api:alpha-viewer", 3)
    assert _seen(entries) == [
        ("GET", SESSIONS, 200, None, Outcome.SUCCESS),
        ("GET", SESSIONS + "/{session_id}", 200, session.id, Outcome.SUCCESS),
        ("GET", SESSIONS + "/{session_id}/telemetry/history", 200, session.id, Outcome.SUCCESS),
    ]
    assert all(isinstance(e.detail["duration_ms"], float) and e.detail["duration_ms"] >= 0 for e in entries)
    # The admin reads them through the API with the audit log's own filters.
    admin = api.client("alpha-admin")
    listed = await admin.get("/api/audit", params={"action": "api.request", "actor": "api:alpha-viewer"})
    assert [item["detail"]["path"] for item in listed.json()["items"]] == [e.detail["path"] for e in entries]


async def test_refusals_are_recorded_as_failures_404_422_413_403_and_an_unknown_route(api: Api) -> None:
    viewer, op = api.client("alpha-viewer"), api.client("alpha-operator")
    assert (await viewer.get(f"{SESSIONS}/ses_nope")).status_code == 404
    assert (await viewer.get(SESSIONS, params={"limit": 0})).status_code == 422
    assert (await viewer.get("/api/integration/no-such-thing")).status_code == 404
    assert (await viewer.post(f"{SESSIONS}/start", json={})).status_code == 403
    assert (
        await op.post(f"{SESSIONS}/start", content=b"{not json", headers={"content-type": "application/json"})
    ).status_code == 422
    assert (await op.post(f"{SESSIONS}/start", content=b"x" * (65 * 1024))).status_code == 413
    failures = [
        ("GET", SESSIONS + "/{session_id}", 404, "ses_nope", Outcome.FAILURE),
        ("GET", SESSIONS, 422, None, Outcome.FAILURE),
        ("GET", "<unmatched>", 404, None, Outcome.FAILURE),
        ("POST", SESSIONS + "/start", 403, None, Outcome.FAILURE),
    ]
    assert _seen(await _requests(api, "alpha", "api:alpha-viewer", 4)) == failures
    assert _seen(await _requests(api, "alpha", "api:alpha-operator", 2)) == [
        ("POST", SESSIONS + "/start", 422, None, Outcome.FAILURE),
        ("POST", SESSIONS + "/start", 413, None, Outcome.FAILURE),
    ]


async def test_a_write_keeps_its_own_entry_and_gets_one_access_record(api: Api) -> None:
    op = api.client("alpha-operator")
    body = {"name": "w", "adapter": "FAKE", "connection": {"url": fake_url("w")}}
    created = await op.post(f"{SESSIONS}/start", json=body)
    assert created.status_code == 201
    sid = created.json()["id"]
    assert (await op.post(f"{SESSIONS}/{sid}:stop")).status_code == 200
    entries = await _requests(api, "alpha", "api:alpha-operator", 2)
    assert _seen(entries) == [
        ("POST", SESSIONS + "/start", 201, None, Outcome.SUCCESS),
        ("POST", SESSIONS + "/{session_id}:stop", 200, sid, Outcome.SUCCESS),
    ]
    writes = [a.action for a in await api.profile("alpha").audit.list(actor="api:alpha-operator", target_id=sid)]
    assert writes == ["session.start", "session.stop", "api.request"]


async def test_a_revoked_token_is_recorded_in_its_profile(api: Api) -> None:
    viewer = api.client("alpha-viewer")
    await api.profile("alpha").tokens.revoke("alpha-viewer")
    assert (await viewer.get(SESSIONS)).status_code == 401
    assert _seen(await _requests(api, "alpha", "api:alpha-viewer", 1)) == [
        ("GET", SESSIONS, 401, None, Outcome.FAILURE)
    ]


async def test_the_buffer_is_written_within_about_a_second(api: Api) -> None:
    loop = asyncio.get_running_loop()
    assert (await api.client("alpha-viewer").get(SESSIONS)).status_code == 200
    answered = loop.time()
    access = api.profile("alpha").audit.access
    assert await api.profile("alpha").audit.list(action="api.request") == []  # buffered, not written in the request

    async def stored() -> bool:
        return bool(await api.profile("alpha").audit.list(action="api.request"))

    await wait_until(stored, within=3)
    assert loop.time() - answered < 1.5
    assert access.pending == 0 and access.written == 1


async def test_health_and_requests_without_a_known_token_are_not_recorded(api: Api) -> None:
    assert (await api.client().get("/api/health")).status_code == 200
    assert (await api.client("alpha-viewer").get("/api/health")).status_code == 200
    assert (await api.client().get(SESSIONS)).status_code == 401
    headers = {"Authorization": "Bearer gs_unknown-token-of-the-right-shape"}
    assert (await api.client().get(SESSIONS, headers=headers)).status_code == 401
    assert (await api.client().get("/api/integration/no-such-thing", headers=headers)).status_code == 404
    # One request that is recorded, after the others: once it is stored, nothing else was.
    assert (await api.client("alpha-viewer").get(SESSIONS)).status_code == 200
    assert _seen(await _requests(api, "alpha", "api:alpha-viewer", 1)) == [
        ("GET", SESSIONS, 200, None, Outcome.SUCCESS)
    ]
    await api.profile("bravo").audit.access.flush()
    assert await api.profile("bravo").audit.list(action="api.request") == []


async def test_records_stay_in_the_tokens_own_profile(api: Api) -> None:
    bravo = api.client("bravo-operator")
    alpha_session = await api.profile("alpha").sessions.define("hidden", "FAKE", fake_url("hidden"))
    assert (await bravo.get(SESSIONS)).status_code == 200
    assert (await bravo.get(f"{SESSIONS}/{alpha_session.id}")).status_code == 404
    assert [e.target_id for e in await _requests(api, "bravo", "api:bravo-operator", 2)] == [None, alpha_session.id]
    await api.profile("alpha").audit.access.flush()
    assert [a.actor for a in await api.profile("alpha").audit.list() if a.actor.startswith("api:")] == []


async def test_websocket_connect_and_subscriptions_are_recorded(api: Api) -> None:
    session = await api.profile("alpha").sessions.define("seen", "FAKE", fake_url("seen"))
    ws_url = api.url.replace("http", "ws", 1) + "/api/integration/ws"
    async with websockets.connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": api.tokens["alpha-viewer"]}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 2))["type"] == "welcome"
        for message in (
            {"type": "subscribe", "session_id": session.id},
            {"type": "ping"},
            {"type": "subscribe", "session_id": "ses_nope"},
            {"type": "unsubscribe", "session_id": session.id},
        ):
            await ws.send(json.dumps(message))
        found: list[AuditEntry] = []

        async def stored() -> bool:
            found[:] = await api.profile("alpha").audit.list(action="api.ws", actor="api:alpha-viewer")
            return len(found) >= 4

        await wait_until(stored, within=5)

    # Closed: the disconnect is recorded too, with how long the connection lived.
    async def closed() -> bool:
        found[:] = await api.profile("alpha").audit.list(action="api.ws", actor="api:alpha-viewer")
        return len(found) >= 5

    await wait_until(closed, within=5)
    assert [(e.detail["message"], e.detail["status"], e.target_id, e.outcome) for e in found] == [
        ("connect", 101, None, Outcome.SUCCESS),
        ("subscribe", 200, session.id, Outcome.SUCCESS),
        ("subscribe", 404, "ses_nope", Outcome.FAILURE),
        ("unsubscribe", 200, session.id, Outcome.SUCCESS),
        ("disconnect", 200, None, Outcome.SUCCESS),
    ]
    assert found[-1].detail["duration_ms"] >= found[0].detail["duration_ms"]
    assert {e.detail["path"] for e in found} == {"/api/integration/ws"}


async def test_records_still_buffered_are_written_when_the_server_and_profile_stop(tmp_path: Path) -> None:
    home = tmp_path / "gshome"
    api = await start_api(home, video=False)
    try:
        access = api.profile("alpha").audit.access
        access.flush_interval_s = 3600.0  # only the stop can write them
        viewer = api.client("alpha-viewer")
        for _ in range(3):
            assert (await viewer.get(SESSIONS)).status_code == 200
        await wait_until(lambda: access.pending == 3, within=2)
        assert await api.profile("alpha").audit.list(action="api.request") == []
    finally:
        await stop_api(api)
    store = FileProfileCatalog(home).open("alpha", read_only=True)
    try:
        stored = await store.run(lambda uow: uow.audit.list(action="api.request"))
    finally:
        await store.close()
    assert [(e.actor, e.detail["status"]) for e in stored] == [("api:alpha-viewer", 200)] * 3
