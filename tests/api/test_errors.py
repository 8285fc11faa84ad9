"""Every error status as problem details: 401, 403, 404, 405, 409, 413 (with and without a length), 422."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Api, fake_url

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:groundstation:problem:{code}"
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    return body


async def test_health_needs_no_token(api: Api) -> None:
    health = await api.client().get("/api/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": "0.1.0"}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer gs_unknown-token-of-the-right-shape", "Bearer nonsense", "Basic dXNlcjpwdw=="],
)
async def test_401_without_or_with_a_bad_token(api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await api.client().get("/api/integration/device-sessions", headers=headers)
    _problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_401_for_a_revoked_token_is_audited_in_its_profile(api: Api) -> None:
    viewer = api.client("alpha-viewer")
    assert (await viewer.get("/api/integration/device-sessions")).status_code == 200
    await api.profile("alpha").tokens.revoke("alpha-viewer")
    _problem(await viewer.get("/api/integration/device-sessions"), 401, "unauthorized")
    refused = await api.profile("alpha").audit.list(action="api.auth")
    assert [(a.actor, a.outcome.value) for a in refused] == [("api:alpha-viewer", "failure")]
    assert refused[0].detail["path"] == "/api/integration/device-sessions"


async def test_403_for_roles_that_may_not_and_the_refusal_is_audited(api: Api) -> None:
    viewer = api.client("alpha-viewer")
    start = {"name": "x", "adapter": "FAKE", "connection": {"url": fake_url("x")}}
    _problem(await viewer.post("/api/integration/device-sessions/start", json=start), 403, "forbidden")
    _problem(await viewer.post("/api/integration/device-sessions/ses_x:stop"), 403, "forbidden")
    _problem(
        await viewer.post("/api/integration/device-sessions/ses_x/commands", json={"command": "arm"}), 403, "forbidden"
    )
    _problem(
        await viewer.post("/api/integration/video-streams", json={"name": "v", "url": "synthetic://"}), 403, "forbidden"
    )
    _problem(await viewer.patch("/api/integration/video-streams/vid_x", json={"enabled": False}), 403, "forbidden")
    _problem(await viewer.delete("/api/integration/video-streams/vid_x"), 403, "forbidden")
    _problem(await viewer.get("/api/audit"), 403, "forbidden")
    _problem(await api.client("alpha-operator").get("/api/audit"), 403, "forbidden")
    admin = await api.client("alpha-admin").get("/api/audit", params={"action": "api.forbidden"})
    assert admin.status_code == 200
    actors = [e["actor"] for e in admin.json()["items"]]
    assert actors == ["api:alpha-viewer"] * 7 + ["api:alpha-operator"]
    # The admin may do what the operator may.
    assert (
        await api.client("alpha-admin").post("/api/integration/device-sessions/start", json=start)
    ).status_code == 201


async def test_404_for_unknown_ids_and_routes_405_for_methods(api: Api) -> None:
    op = api.client("alpha-operator")
    for path in (
        "/api/integration/device-sessions/ses_nope",
        "/api/integration/device-sessions/ses_nope/telemetry",
        "/api/integration/device-sessions/ses_nope/telemetry/history",
        "/api/integration/video-streams/vid_nope",
        "/api/integration/video-streams/vid_nope/snapshot.jpg",
        "/api/nothing-here",
    ):
        _problem(await op.get(path), 404, "not_found")
    _problem(await op.post("/api/integration/device-sessions/ses_nope:stop"), 404, "not_found")
    _problem(await op.delete("/api/integration/video-streams/vid_nope"), 404, "not_found")
    _problem(await op.put("/api/health"), 405, "method_not_allowed")


async def test_409_names_the_holder(api: Api) -> None:
    op = api.client("alpha-operator")
    first = await op.post(
        "/api/integration/device-sessions/start",
        json={"name": "dup", "adapter": "FAKE", "connection": {"url": fake_url("dup")}},
    )
    holder = first.json()["id"]
    same_name = await op.post(
        "/api/integration/device-sessions/start",
        json={"name": "dup", "adapter": "FAKE", "connection": {"url": fake_url("other")}},
    )
    assert _problem(same_name, 409, "conflict")["holder"] == holder
    same_device = await op.post(
        "/api/integration/device-sessions/start",
        json={"name": "dup2", "adapter": "FAKE", "connection": {"url": fake_url("dup")}},
    )
    assert _problem(same_device, 409, "conflict")["holder"] == holder
    stream = (await op.post("/api/integration/video-streams", json={"name": "cam", "url": "synthetic://"})).json()
    taken = await op.post("/api/integration/video-streams", json={"name": "cam", "url": "synthetic://"})
    assert _problem(taken, 409, "conflict")["holder"] == stream["id"]
    stopped = await api.profile("alpha").sessions.define("idle", "FAKE", fake_url("idle"))
    not_running = await op.post(f"/api/integration/device-sessions/{stopped.id}/commands", json={"command": "arm"})
    assert _problem(not_running, 409, "conflict")["holder"] == stopped.id


async def test_413_for_bodies_over_64_kib_with_a_length_and_chunked(api: Api) -> None:
    op = api.client("alpha-operator")
    big = {"name": "x" * (70 * 1024), "url": "synthetic://"}
    _problem(await op.post("/api/integration/video-streams", json=big), 413, "too_large")

    async def chunks() -> object:
        for _ in range(80):
            yield b"x" * 1024

    chunked = await op.post(
        "/api/integration/video-streams", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _problem(chunked, 413, "too_large")
    assert await api.profile("alpha").streams.list() == []
    # Just under the limit is parsed (and refused for what it says, not for its size).
    near = {"name": "n" * (60 * 1024), "url": "synthetic://"}
    _problem(await op.post("/api/integration/video-streams", json=near), 422, "invalid")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"adapter": "FAKE", "connection": {"url": "fake://a"}}, "name"),
        ({"name": "a", "adapter": "NOPE", "connection": {"url": "fake://a"}}, "adapter"),
        ({"name": "a", "adapter": "FAKE", "connection": {}}, "connection.url"),
        ({"name": "a", "adapter": "FAKE", "connection": {"url": "fake://a"}, "extra": 1}, "extra"),
        ({"name": "a", "adapter": "FAKE", "connection": {"url": "http://[::1"}}, "connection.url"),
        ({"name": "  ", "adapter": "FAKE", "connection": {"url": "fake://a"}}, "name"),
        ({"name": "a", "adapter": "FAKE", "connection": {"url": "fake://a?sped=10"}}, "connection.url"),
    ],
)
async def test_422_names_the_field(api: Api, body: dict[str, object], field: str) -> None:
    response = await api.client("alpha-operator").post("/api/integration/device-sessions/start", json=body)
    assert _problem(response, 422, "invalid")["field"] == field


async def test_422_for_queries_bodies_and_commands(api: Api) -> None:
    op = api.client("alpha-operator")
    assert _problem(await op.get("/api/integration/device-sessions?limit=0"), 422, "invalid")["field"] == "limit"
    assert _problem(await op.get("/api/integration/device-sessions?state=flying"), 422, "invalid")["field"] == "state.0"
    assert _problem(await op.get("/api/integration/events?cursor=abc"), 422, "invalid")["field"] == "cursor"
    bad_json = await op.post(
        "/api/integration/video-streams", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    _problem(bad_json, 422, "invalid")
    session = await api.profile("alpha").sessions.define("c", "FAKE", fake_url("c"))
    unknown = await op.post(f"/api/integration/device-sessions/{session.id}/commands", json={"command": "flip"})
    assert _problem(unknown, 422, "invalid")["field"] == "command"
    unlinked = await op.post(
        "/api/integration/video-streams", json={"name": "v", "url": "synthetic://", "linked_session_id": "ses_nope"}
    )
    assert _problem(unlinked, 422, "invalid")["field"] == "linked_session_id"
    bad_url = await op.post("/api/integration/video-streams", json={"name": "v", "url": "gopher://x"})
    assert _problem(bad_url, 422, "invalid")["field"] == "url"
    dji = await op.post(
        "/api/integration/device-sessions/start",
        json={"name": "d", "adapter": "DJI", "connection": {"url": "dji://x"}},
    )
    assert dji.status_code == 422
    assert dji.json()["code"] in ("unsupported", "invalid")
