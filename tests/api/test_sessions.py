"""Sessions over real HTTP: lifecycle, listing and paging, telemetry, history, commands, the WebSocket."""

from __future__ import annotations

import asyncio
import json

import websockets

from tests.api.conftest import Api, fake_url
from tests.waiting import wait_until


async def test_lifecycle_start_get_list_stop(api: Api) -> None:
    op = api.client("alpha-operator")
    started = await op.post(
        "/api/integration/device-sessions/start",
        json={"name": "one", "adapter": "FAKE", "connection": {"url": fake_url("one")}},
    )
    assert started.status_code == 201, started.text
    session = started.json()
    assert session["name"] == "one"
    assert session["adapter"] == "FAKE"
    assert session["state"] in ("starting", "active")
    sid = session["id"]

    async def active() -> bool:
        got = await op.get(f"/api/integration/device-sessions/{sid}")
        return bool(got.json()["state"] == "active")

    await wait_until(active, within=5)
    listed = (await op.get("/api/integration/device-sessions", params={"state": "active"})).json()
    assert [s["id"] for s in listed["items"]] == [sid]
    assert listed["next_cursor"] is None
    none = (await op.get("/api/integration/device-sessions", params={"adapter": "MAVLINK"})).json()
    assert none["items"] == []

    stopped = await op.post(f"/api/integration/device-sessions/{sid}:stop")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["state"] == "stopped"
    again = await op.post(f"/api/integration/device-sessions/{sid}:stop")
    assert again.status_code == 409
    assert again.json()["holder"] == sid

    audit = await api.profile("alpha").audit.list(actor="api:alpha-operator")
    actions = [(a.action, a.outcome.value) for a in audit]
    assert ("session.start", "success") in actions
    assert ("session.stop", "success") in actions
    assert ("session.stop", "failure") in actions


async def test_paging_with_cursor_walks_every_session_once(api: Api) -> None:
    services = api.profile("alpha")
    ids = {(await services.sessions.define(f"s{i:02d}", "FAKE", fake_url(f"s{i:02d}", i))).id for i in range(7)}
    viewer = api.client("alpha-viewer")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor is not None:
            params["cursor"] = cursor
        page = (await viewer.get("/api/integration/device-sessions", params=params)).json()
        seen += [s["id"] for s in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


async def test_telemetry_latest_history_and_commands(api: Api) -> None:
    op = api.client("alpha-operator")
    sid = (
        await op.post(
            "/api/integration/device-sessions/start",
            json={"name": "tele", "adapter": "FAKE", "connection": {"url": fake_url("tele", 3)}},
        )
    ).json()["id"]

    async def has_sample() -> bool:
        latest = (await op.get(f"/api/integration/device-sessions/{sid}/telemetry")).json()
        return latest["sample"] is not None

    await wait_until(has_sample, within=5)
    latest = (await op.get(f"/api/integration/device-sessions/{sid}/telemetry")).json()
    assert latest["session_id"] == sid
    assert {"lat_deg", "lon_deg", "alt_rel_m", "battery_pct", "mode", "armed"} <= set(latest["sample"])

    await api.profile("alpha").hub.flush()
    history = await op.get(f"/api/integration/device-sessions/{sid}/telemetry/history")
    assert history.status_code == 200
    assert len(history.json()["samples"]) >= 1
    future = await op.get(
        f"/api/integration/device-sessions/{sid}/telemetry/history", params={"since": "2999-01-01T00:00:00Z"}
    )
    assert future.json()["samples"] == []

    answer = await op.post(
        f"/api/integration/device-sessions/{sid}/commands", json={"command": "set_mode", "params": {"mode": "ALT_HOLD"}}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "accepted"
    assert answer.json()["accepted"] is True
    denied = await op.post(
        f"/api/integration/device-sessions/{sid}/commands", json={"command": "set_mode", "params": {"mode": "NOPE"}}
    )
    assert denied.status_code == 200
    assert denied.json()["outcome"] == "denied"
    assert denied.json()["message"]

    audit = await api.profile("alpha").audit.list(action="command.send")
    assert {a.actor for a in audit} == {"api:alpha-operator"}


async def test_websocket_streams_events_and_telemetry_within_a_second(api: Api) -> None:
    op = api.client("alpha-operator")
    ws_url = api.url.replace("http", "ws", 1) + "/api/integration/ws"
    async with websockets.connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": api.tokens["alpha-viewer"]}))
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert welcome == {"type": "welcome", "profile": "alpha", "token": "alpha-viewer"}
        sid = (
            await op.post(
                "/api/integration/device-sessions/start",
                json={"name": "ws", "adapter": "FAKE", "connection": {"url": fake_url("ws", 4)}},
            )
        ).json()["id"]
        kinds: set[str] = set()
        while "session.created" not in kinds:
            message = json.loads(await asyncio.wait_for(ws.recv(), 2))
            if message["type"] == "event":
                kinds.add(message["event"]["kind"])
        loop = asyncio.get_running_loop()
        asked = loop.time()
        await ws.send(json.dumps({"type": "subscribe", "session_id": sid, "rate_hz": 100}))
        ack = None
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 1))
            if message["type"] == "subscribed":
                ack = message
            if message["type"] == "telemetry":
                break
        assert loop.time() - asked < 1.0
        assert ack is not None and ack["rate_hz"] == 20.0  # capped
        assert message["session_id"] == sid
        assert message["sample"]["session_id"] == sid

        await ws.send(json.dumps({"type": "subscribe", "session_id": "ses_nope"}))
        await ws.send("not json")
        errors = []
        while len(errors) < 2:
            message = json.loads(await asyncio.wait_for(ws.recv(), 2))
            if message["type"] == "error":
                errors.append(message["code"])
        assert errors == ["not_found", "invalid"]


async def test_websocket_with_a_header_token_and_refusals(api: Api) -> None:
    ws_url = api.url.replace("http", "ws", 1) + "/api/integration/ws"
    headers = {"Authorization": f"Bearer {api.tokens['bravo-operator']}"}
    async with websockets.connect(ws_url, additional_headers=headers) as ws:
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert welcome["profile"] == "bravo"
        alpha_session = await api.profile("alpha").sessions.define("hidden", "FAKE", fake_url("hidden"))
        await ws.send(json.dumps({"type": "subscribe", "session_id": alpha_session.id}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert message["type"] == "error" and message["code"] == "not_found"
    async with websockets.connect(ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": "gs_not-a-real-token-at-all"}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert message["code"] == "unauthorized"
        await asyncio.wait_for(ws.wait_closed(), 2)
        assert ws.close_code == 4401
