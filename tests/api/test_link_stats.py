"""``GET /api/integration/device-sessions/{id}/link``: a running session's link figures, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from groundstation.domain.models import SessionState
from tests.api.conftest import Api, fake_url
from tests.integration.mavlink.sim_support import sim_in_loop
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until

BASE = "/api/integration/device-sessions"
FIELDS = {
    "link",
    "shared_by",
    "messages_in",
    "messages_out",
    "messages_in_per_s",
    "messages_out_per_s",
    "bytes_in",
    "bytes_out",
    "bad_frames",
    "lost_packets",
    "packet_loss_pct",
    "rssi_pct",
    "remote_rssi_pct",
    "dropped_out",
}


async def test_fake_session_link_figures_and_refusals(api: Api) -> None:
    operator, viewer = api.client("alpha-operator"), api.client("alpha-viewer")
    started = await operator.post(
        f"{BASE}/start", json={"name": "figures", "adapter": "FAKE", "connection": {"url": fake_url("figures")}}
    )
    assert started.status_code == 201, started.text
    sid = started.json()["id"]

    async def rate_known() -> bool:
        body = (await viewer.get(f"{BASE}/{sid}/link")).json()
        return bool(body["stats"] and body["stats"]["messages_in_per_s"] > 0)

    await wait_until(rate_known, within=5)
    got = await viewer.get(f"{BASE}/{sid}/link")
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["session_id"], body["adapter"], body["state"]) == (sid, "FAKE", "active")
    stats = body["stats"]
    assert set(stats) == FIELDS
    assert stats["link"] == "fake:figures" and stats["shared_by"] == 1
    # 10 samples per simulated second at speed 10: about 100 samples/s reach the ground station.
    assert 50 <= stats["messages_in_per_s"] <= 150, stats
    assert stats["messages_in"] > 0 and stats["bytes_in"] is None and stats["rssi_pct"] is None
    command = await operator.post(f"{BASE}/{sid}/commands", json={"command": "set_mode", "params": {"mode": "LOITER"}})
    assert command.status_code == 200, command.text
    assert (await viewer.get(f"{BASE}/{sid}/link")).json()["stats"]["messages_out"] == 1

    assert (await api.client().get(f"{BASE}/{sid}/link")).status_code == 401
    unknown = await viewer.get(f"{BASE}/ses_0000000000000000/link")
    other_tenant = await api.client("bravo-operator").get(f"{BASE}/{sid}/link")
    for refused in (unknown, other_tenant):
        assert refused.status_code == 404 and refused.json()["code"] == "not_found"
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await operator.post(f"{BASE}/{sid}:stop")).status_code == 200
    stopped = await viewer.get(f"{BASE}/{sid}/link")
    assert stopped.status_code == 409 and stopped.json()["code"] == "conflict"
    assert "need a running session" in stopped.json()["detail"]


@pytest.mark.peer
@pytest.mark.slow
async def test_mavlink_sessions_on_one_port_report_the_shared_link(api: Api) -> None:
    port = free_udp_port()
    operator, viewer = api.client("alpha-operator"), api.client("alpha-viewer")
    sids = []
    for n in (1, 2):
        url = f"udpin://127.0.0.1:{port}?sysid={n}"
        started = await operator.post(
            f"{BASE}/start", json={"name": f"copter {n}", "adapter": "MAVLINK", "connection": {"url": url}}
        )
        assert started.status_code == 201, started.text
        sids.append(started.json()["id"])
    services = api.profile("alpha")
    async with sim_in_loop(port, 2):
        await wait_until(lambda: all(services.sessions.live_state(s) is SessionState.ACTIVE for s in sids), within=10)

        async def figures(sid: str) -> dict[str, Any]:
            got = await viewer.get(f"{BASE}/{sid}/link")
            assert got.status_code == 200, got.text
            stats: dict[str, Any] = got.json()["stats"]
            return stats

        async def rates_known() -> bool:
            stats = await figures(sids[0])
            return bool(stats["messages_in_per_s"] > 0 and stats["messages_out_per_s"] > 0)

        await wait_until(rates_known, within=10)
        first, second = await figures(sids[0]), await figures(sids[1])
        assert set(first) == FIELDS
        assert first["link"] == second["link"] == f"udpin:{port}"
        assert first["shared_by"] == second["shared_by"] == 2
        assert first["messages_in"] > 0 and first["bytes_in"] > 0 and first["bytes_out"] > 0
        assert first["bad_frames"] == 0 and 0.0 <= first["packet_loss_pct"] <= 100.0
        body = (await viewer.get(f"{BASE}/{sids[1]}/link")).json()
        assert (body["adapter"], body["state"]) == ("MAVLINK", "active")
    for sid in sids:
        assert (await operator.post(f"{BASE}/{sid}:stop")).status_code == 200
    assert (await viewer.get(f"{BASE}/{sids[0]}/link")).status_code == 409
