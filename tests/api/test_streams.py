"""Video streams over HTTP: CRUD, live status and QoS from the decode worker, linked telemetry, snapshot.jpg."""

from __future__ import annotations

from tests.api.conftest import Api, fake_url
from tests.waiting import wait_until

SYNTHETIC = "synthetic://?w=320&h=240&fps=15&pattern=ball"


async def test_crud_and_paging(api: Api) -> None:
    op = api.client("alpha-operator")
    created = await op.post("/api/integration/video-streams", json={"name": "cam1", "url": SYNTHETIC, "enabled": False})
    assert created.status_code == 201, created.text
    stream = created.json()
    assert stream["status"] == {"state": "disabled", "last_error": None, "live": False}
    assert stream["telemetry"] is None
    assert set(stream["qos"]) >= {"decoded_fps", "frames_dropped", "frame_age_p50_ms", "stalls", "reconnects"}
    vid = stream["id"]
    assert (await op.get(f"/api/integration/video-streams/{vid}")).json()["name"] == "cam1"

    session = await api.profile("alpha").sessions.define("linked", "FAKE", fake_url("linked"))
    patched = await op.patch(
        f"/api/integration/video-streams/{vid}", json={"name": "cam one", "linked_session_id": session.id}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "cam one"
    assert patched.json()["linked_session_id"] == session.id
    unlinked = await op.patch(f"/api/integration/video-streams/{vid}", json={"linked_session_id": None})
    assert unlinked.json()["linked_session_id"] is None
    assert unlinked.json()["name"] == "cam one"

    for i in range(4):
        await op.post("/api/integration/video-streams", json={"name": f"more{i}", "url": SYNTHETIC, "enabled": False})
    first = (await op.get("/api/integration/video-streams", params={"limit": 3})).json()
    second = (
        await op.get("/api/integration/video-streams", params={"limit": 3, "cursor": first["next_cursor"]})
    ).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next_cursor"] is None

    deleted = await op.delete(f"/api/integration/video-streams/{vid}")
    assert deleted.status_code == 204
    assert (await op.get(f"/api/integration/video-streams/{vid}")).status_code == 404
    actions = [(a.action, a.actor) for a in await api.profile("alpha").audit.list(target_id=vid)]
    assert ("stream.create", "api:alpha-operator") in actions
    assert ("stream.update", "api:alpha-operator") in actions
    assert ("stream.delete", "api:alpha-operator") in actions


async def test_live_status_qos_linked_telemetry_and_snapshot(video_api: Api) -> None:
    op = video_api.client("alpha-operator")
    session = (
        await op.post(
            "/api/integration/device-sessions/start",
            json={"name": "eye", "adapter": "FAKE", "connection": {"url": fake_url("eye", 5)}},
        )
    ).json()
    vid = (
        await op.post(
            "/api/integration/video-streams",
            json={"name": "eye cam", "url": SYNTHETIC, "linked_session_id": session["id"]},
        )
    ).json()["id"]

    async def live_with_telemetry() -> bool:
        stream = (await op.get(f"/api/integration/video-streams/{vid}")).json()
        return bool(
            stream["status"]["live"]
            and stream["status"]["state"] == "live"
            and stream["qos"]["frames_decoded"] > 0
            and stream["telemetry"] is not None
        )

    await wait_until(live_with_telemetry, within=10)
    stream = (await op.get(f"/api/integration/video-streams/{vid}")).json()
    assert stream["qos"]["width"] == 320 and stream["qos"]["height"] == 240
    assert stream["telemetry"]["session_id"] == session["id"]

    viewer = video_api.client("alpha-viewer")
    picture = await viewer.get(f"/api/integration/video-streams/{vid}/snapshot.jpg")
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/jpeg"
    assert picture.content[:3] == b"\xff\xd8\xff"  # a JPEG's start-of-image marker
    snapshots = video_api.runtime.catalog.profile_dir("alpha") / "snapshots"  # type: ignore[attr-defined]
    assert not snapshots.exists()  # nothing stored for an API snapshot

    disabled = (
        await op.post("/api/integration/video-streams", json={"name": "off", "url": SYNTHETIC, "enabled": False})
    ).json()
    refused = await viewer.get(f"/api/integration/video-streams/{disabled['id']}/snapshot.jpg")
    assert refused.status_code == 409
    assert refused.json()["holder"] == disabled["id"]
