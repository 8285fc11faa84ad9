"""Tenant walls: a token sees its own profile only; another tenant's ids are 404 on every endpoint."""

from __future__ import annotations

import asyncio

from tests.api.conftest import Api, fake_url


async def test_another_tenants_ids_are_not_found_everywhere(api: Api) -> None:
    alpha = api.profile("alpha")
    session = await alpha.sessions.start("secret", "FAKE", fake_url("secret"))
    stream = await alpha.streams.create("secret cam", "synthetic://", linked_session_id=session.id)
    bravo = api.client("bravo-operator")
    sid, vid = session.id, stream.id
    base = "/api/integration"
    calls = [
        bravo.get(f"{base}/device-sessions/{sid}"),
        bravo.get(f"{base}/device-sessions/{sid}/telemetry"),
        bravo.get(f"{base}/device-sessions/{sid}/telemetry/history"),
        bravo.get(f"{base}/device-sessions/{sid}/link"),
        bravo.post(f"{base}/device-sessions/{sid}:stop"),
        bravo.post(f"{base}/device-sessions/{sid}/commands", json={"command": "arm"}),
        bravo.get(f"{base}/video-streams/{vid}"),
        bravo.patch(f"{base}/video-streams/{vid}", json={"enabled": False}),
        bravo.delete(f"{base}/video-streams/{vid}"),
        bravo.get(f"{base}/video-streams/{vid}/snapshot.jpg"),
    ]
    for response in await asyncio.gather(*calls):
        assert response.status_code == 404, (response.request.url, response.text)
        assert response.json()["code"] == "not_found"
        assert "alpha" not in response.text
    # Linking to another tenant's session is refused exactly as an unknown session would be.
    linked = await bravo.post(
        f"{base}/video-streams", json={"name": "x", "url": "synthetic://", "linked_session_id": sid}
    )
    unknown = await bravo.post(
        f"{base}/video-streams", json={"name": "y", "url": "synthetic://", "linked_session_id": "ses_0000000000000000"}
    )
    assert linked.status_code == unknown.status_code == 422
    assert linked.json()["field"] == unknown.json()["field"] == "linked_session_id"

    # Lists, events and the audit show each tenant its own records only.
    assert (await bravo.get(f"{base}/device-sessions")).json()["items"] == []
    assert (await bravo.get(f"{base}/video-streams")).json()["items"] == []
    assert (await bravo.get(f"{base}/events")).json()["items"] == []
    alpha_events = (await api.client("alpha-viewer").get(f"{base}/events")).json()["items"]
    assert {e["kind"] for e in alpha_events} >= {"session.created", "stream.created"}
    # Nothing was changed in alpha by bravo's attempts.
    assert (await alpha.sessions.get(sid)).state.is_live
    assert (await alpha.streams.get(vid)).enabled


async def test_each_token_routes_to_its_own_profile(api: Api) -> None:
    for token, profile in (("alpha-operator", "alpha"), ("bravo-operator", "bravo")):
        created = await api.client(token).post(
            "/api/integration/device-sessions/start",
            json={"name": "same-name", "adapter": "FAKE", "connection": {"url": fake_url("same", 9)}},
        )
        # The same name and device in two tenants: no conflict, each lands in its own profile.
        assert created.status_code == 201, created.text
        assert (await api.profile(profile).sessions.get(created.json()["id"])).name == "same-name"
        entries = await api.profile(profile).audit.list(action="session.start")
        assert [e.actor for e in entries] == [f"api:{token}"]
