"""The QA review's findings, each over real HTTP: resume and delete, error shapes (415, JSON that does not
parse, cursors, a mission file's field, long numbers), command params, the event cursor, strict booleans, a
disabled stream's answer, the WebSocket's rate, an ended session's last sample, no docs pages, local files."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import websockets

from groundstation.domain.models import SessionState
from tests.api.conftest import Api, fake_url, start_api, stop_api
from tests.waiting import wait_until

BASE = "/api/integration/device-sessions"
STREAMS = "/api/integration/video-streams"
SYNTHETIC = "synthetic://?w=320&h=240&fps=15&pattern=ball"


def _invalid(response: httpx.Response, field: str) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field, body
    detail: str = body["detail"]
    return detail


async def _start(op: httpx.AsyncClient, name: str) -> str:
    started = await op.post(
        f"{BASE}/start", json={"name": name, "adapter": "FAKE", "connection": {"url": fake_url(name)}}
    )
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


async def test_resume_and_delete_a_session(api: Api) -> None:
    op, viewer, bravo = api.client("alpha-operator"), api.client("alpha-viewer"), api.client("bravo-operator")
    sid = await _start(op, "phoenix")
    live = await op.delete(f"{BASE}/{sid}")
    assert live.status_code == 409 and live.json()["holder"] == sid
    assert "active" in live.json()["detail"] or "starting" in live.json()["detail"]
    running = await op.post(f"{BASE}/{sid}:resume")
    assert running.status_code == 409 and running.json()["holder"] == sid
    assert (await viewer.post(f"{BASE}/{sid}:resume")).status_code == 403
    assert (await viewer.delete(f"{BASE}/{sid}")).status_code == 403

    assert (await op.post(f"{BASE}/{sid}:stop")).json()["state"] == "stopped"
    assert (await bravo.post(f"{BASE}/{sid}:resume")).status_code == 404  # another tenant's id
    resumed = await op.post(f"{BASE}/{sid}:resume")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["id"] == sid and resumed.json()["state"] in ("starting", "active")
    services = api.profile("alpha")
    await wait_until(lambda: services.sessions.live_state(sid) is SessionState.ACTIVE)
    await op.post(f"{BASE}/{sid}:stop")

    assert (await bravo.delete(f"{BASE}/{sid}")).status_code == 404
    deleted = await op.delete(f"{BASE}/{sid}")
    assert deleted.status_code == 204, deleted.text
    assert (await viewer.get(f"{BASE}/{sid}")).status_code == 404
    assert (await op.delete(f"{BASE}/{sid}")).status_code == 404
    again = await op.post(
        f"{BASE}/start", json={"name": "phoenix", "adapter": "FAKE", "connection": {"url": fake_url("phoenix")}}
    )
    assert again.status_code == 201, again.text  # the name is free again
    actions = [(a.action, a.actor, a.outcome.value) for a in await services.audit.list(target_id=sid)]
    assert ("session.resume", "api:alpha-operator", "success") in actions
    assert ("session.delete", "api:alpha-operator", "success") in actions
    assert ("session.delete", "api:alpha-operator", "failure") in actions  # the refusal while live


async def test_an_ended_session_answers_its_last_sample_not_live(api: Api) -> None:
    op = api.client("alpha-viewer")
    operator = api.client("alpha-operator")
    sid = await _start(operator, "lastpos")
    services = api.profile("alpha")
    await wait_until(lambda: services.hub.latest(sid) is not None)
    now = (await op.get(f"{BASE}/{sid}/telemetry")).json()
    assert now["live"] is True and now["sample"] is not None
    await operator.post(f"{BASE}/{sid}:stop")
    await services.hub.flush()
    stopped = (await op.get(f"{BASE}/{sid}/telemetry")).json()
    assert stopped["live"] is False and stopped["sample"] is not None
    # What a restart leaves: nothing in memory, the history on disk.
    stored = await services.hub.history(sid)
    assert stored
    services.hub.forget(sid)
    after_restart = (await op.get(f"{BASE}/{sid}/telemetry")).json()
    assert after_restart["live"] is False
    assert after_restart["sample"] == stored[-1].to_dict()

    empty = await services.sessions.define("never", "FAKE", fake_url("never"))
    nothing = (await op.get(f"{BASE}/{empty.id}/telemetry")).json()
    assert nothing == {"session_id": empty.id, "sample": None, "live": False}


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"name":"a"}', {}),
        (b'{"name":"a"}', {"content-type": "text/plain"}),
        (b"name=a", {"content-type": "application/x-www-form-urlencoded"}),
    ],
)
async def test_a_body_not_sent_as_json_is_a_415(api: Api, content: bytes, headers: dict[str, str]) -> None:
    answer = await api.client("alpha-operator").post(f"{BASE}/start", content=content, headers=headers)
    assert answer.status_code == 415, answer.text
    assert answer.json()["code"] == "unsupported_media_type"
    assert "JSON" in answer.json()["detail"]


async def test_error_shapes(api: Api) -> None:
    op = api.client("alpha-operator")
    truncated = await op.post(f"{BASE}/start", content=b'{"name":', headers={"content-type": "application/json"})
    assert _invalid(truncated, "body") == "body: the request body is not valid JSON (at character 8)"
    charset = await op.post(
        f"{BASE}/start",
        content=json.dumps({"name": "cs", "adapter": "FAKE", "connection": {"url": fake_url("cs")}}).encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert charset.status_code == 201, charset.text

    for path in (BASE, STREAMS):
        _invalid(await op.get(path, params={"cursor": "garbage"}), "cursor")
    sid = charset.json()["id"]
    _invalid(await op.put(f"{BASE}/{sid}/mission", json={"file": ""}), "file")

    huge = await op.post(f"{BASE}/{sid}/commands", json={"command": "change_speed", "params": {"speed_mps": 10**300}})
    assert len(_invalid(huge, "params.speed_mps")) < 200
    await op.post(f"{BASE}/{sid}:stop")
    link = await op.get(f"{BASE}/{sid}/link")
    assert link.status_code == 409 and link.json()["holder"] == sid


@pytest.mark.parametrize(
    ("command", "params", "field"),
    [
        ("takeoff", {"alt_m": "abc"}, "params.alt_m"),
        ("takeoff", {}, "params.alt_m"),
        ("takeoff", {"alt_m": 0}, "params.alt_m"),
        ("goto", {"lat": 91, "lon": 8, "alt_m": 20}, "params.lat"),
        ("set_mode", {"mode": ""}, "params.mode"),
        ("disarm", {"force": "yes"}, "params.force"),
        ("land", {"alt_m": 3}, "params.alt_m"),
    ],
)
async def test_command_params_are_checked_before_sending(
    api: Api, command: str, params: dict[str, object], field: str
) -> None:
    op = api.client("alpha-operator")
    sid = await _start(op, "cmd")
    _invalid(await op.post(f"{BASE}/{sid}/commands", json={"command": command, "params": params}), field)
    refused = await api.profile("alpha").audit.list(action="command.send")
    assert [a.outcome.value for a in refused] == ["failure"]


async def test_command_params_are_documented(api: Api) -> None:
    schema = (await api.client().get("/api/openapi.json")).json()
    described = schema["components"]["schemas"]["CommandIn"]["properties"]["params"]["description"]
    for words in ("`takeoff`: `alt_m` (number 0.5 to 10000 m above home, required)", "`speed_mps`", "`mode`"):
        assert words in described


async def test_event_cursor_beyond_the_log_and_after_pruning(api: Api) -> None:
    viewer = api.client("alpha-viewer")
    _invalid(await viewer.get("/api/integration/events", params={"cursor": "999999999"}), "cursor")
    first = (await viewer.get("/api/integration/events")).json()
    assert (await viewer.get("/api/integration/events", params={"cursor": first["next_cursor"]})).status_code == 200
    assert (await viewer.get("/api/integration/events", params={"cursor": "0"})).status_code == 200
    op = api.client("alpha-operator")
    for name in ("e1", "e2", "e3"):
        await _start(op, name)
    events = (await viewer.get("/api/integration/events")).json()["items"]
    assert len(events) >= 3
    seqs = [e["seq"] for e in events]
    at_newest = await viewer.get("/api/integration/events", params={"cursor": str(seqs[-1])})
    assert at_newest.status_code == 200 and all(e["seq"] > seqs[-1] for e in at_newest.json()["items"])
    assert at_newest.json()["pruned"] is False
    # Retention deletes the oldest: a cursor before them learns that it missed some.
    cutoff = datetime.fromisoformat(events[1]["at"]) + timedelta(microseconds=1)
    store = api.profile("alpha").store
    await store.run(lambda uow: uow.events.delete_before(cutoff.astimezone(UTC), 1000))
    gap = (await viewer.get("/api/integration/events", params={"cursor": str(seqs[0] - 1)})).json()
    assert gap["pruned"] is True and gap["items"][0]["seq"] > seqs[0]
    kept = (await viewer.get("/api/integration/events", params={"cursor": str(gap["items"][0]["seq"] - 1)})).json()
    assert kept["pruned"] is False


async def test_stream_booleans_are_strict_and_a_disable_answers_disabled(video_api: Api) -> None:
    op = video_api.client("alpha-operator")
    _invalid(await op.post(STREAMS, json={"name": "s", "url": SYNTHETIC, "enabled": "yes"}), "enabled")
    created = await op.post(STREAMS, json={"name": "s", "url": SYNTHETIC})
    vid = created.json()["id"]
    _invalid(await op.patch(f"{STREAMS}/{vid}", json={"enabled": "yes"}), "enabled")
    _invalid(await op.patch(f"{STREAMS}/{vid}", json={"enabled": 1}), "enabled")

    async def live() -> bool:
        return bool((await op.get(f"{STREAMS}/{vid}")).json()["status"]["state"] == "live")

    await wait_until(live, within=10)
    off = await op.patch(f"{STREAMS}/{vid}", json={"enabled": False})
    assert off.status_code == 200, off.text
    assert off.json()["status"] == {"state": "disabled", "last_error": None, "live": False}
    assert off.json()["qos"]["decoded_fps"] is None and off.json()["qos"]["source_fps"] is None


async def test_websocket_refuses_a_rate_below_the_minimum(api: Api) -> None:
    session = await api.profile("alpha").sessions.define("rated", "FAKE", fake_url("rated"))
    ws_url = api.url.replace("http", "ws", 1) + "/api/integration/ws"
    headers = {"Authorization": f"Bearer {api.tokens['alpha-viewer']}"}
    async with websockets.connect(ws_url, additional_headers=headers) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 2))["type"] == "welcome"
        for rate in (0, -5):
            await ws.send(json.dumps({"type": "subscribe", "session_id": session.id, "rate_hz": rate}))
            message = json.loads(await asyncio.wait_for(ws.recv(), 2))
            assert message["type"] == "error" and message["code"] == "invalid" and message["field"] == "rate_hz"
            assert "0.1 to 20" in message["detail"]
        await ws.send(json.dumps({"type": "subscribe", "session_id": session.id, "rate_hz": 500}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert message == {"type": "subscribed", "session_id": session.id, "rate_hz": 20.0}


async def test_no_docs_pages_and_the_openapi_document_stays(api: Api) -> None:
    client = api.client()
    assert (await client.get("/api/docs")).status_code == 404
    assert (await client.get("/api/redoc")).status_code == 404
    document = await client.get("/api/openapi.json")
    assert document.status_code == 200 and "cdn.jsdelivr.net" not in document.text


@pytest.mark.parametrize(
    "url",
    [
        "fake://a?scenario=/etc/passwd",
        "fake://a?scenario=..%2F..%2Fetc%2Fpasswd",
        "fake://a?scenario=demo.toml",
        "tlog:///etc/passwd",
    ],
)
async def test_api_clients_may_not_name_local_files_for_sessions(api: Api, url: str) -> None:
    answer = await api.client("alpha-operator").post(
        f"{BASE}/start",
        json={"name": "probe", "adapter": "FAKE" if url.startswith("fake") else "MAVLINK", "connection": {"url": url}},
    )
    detail = _invalid(answer, "connection.url")
    assert "--api-allow-local-files" in detail and "root:" not in detail
    assert await api.profile("alpha").sessions.list() == []


async def test_api_clients_may_not_name_local_files_for_streams(api: Api) -> None:
    op = api.client("alpha-operator")
    for url in ("file:///etc/passwd", "device://0"):
        assert "--api-allow-local-files" in _invalid(await op.post(STREAMS, json={"name": "p", "url": url}), "url")
    vid = (await op.post(STREAMS, json={"name": "p", "url": SYNTHETIC, "enabled": False})).json()["id"]
    _invalid(await op.patch(f"{STREAMS}/{vid}", json={"url": "file:///etc/passwd"}), "url")
    built_in = await op.post(
        f"{BASE}/start", json={"name": "demo", "adapter": "FAKE", "connection": {"url": "fake://alpha?scenario=demo"}}
    )
    assert built_in.status_code == 201, built_in.text


async def test_a_server_started_to_allow_local_files_opens_them(tmp_path: Path) -> None:
    api = await start_api(tmp_path / "gshome", video=False, allow_local_files=True)
    try:
        op = api.client("alpha-operator")
        clip = tmp_path / "clip.mp4"
        made = await op.post(STREAMS, json={"name": "f", "url": clip.as_uri(), "enabled": False})
        assert made.status_code == 201, made.text
        scenario = await op.post(
            f"{BASE}/start",
            json={"name": "s", "adapter": "FAKE", "connection": {"url": f"fake://a?scenario={tmp_path}/x.toml"}},
        )
        assert "does not exist" in _invalid(scenario, "connection.url")
    finally:
        await stop_api(api)
