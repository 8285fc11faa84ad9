"""Parameters and mission routes against our simulator: viewer reads, operator writes, problem details."""

from __future__ import annotations

import pytest

from groundstation.domain.models import SessionState
from tests.api.conftest import Api
from tests.integration.mavlink.sim_support import sim_in_loop
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.peer, pytest.mark.slow]
BASE = "/api/integration/device-sessions"


async def test_parameters_and_mission_over_http(api: Api) -> None:
    port = free_udp_port()
    operator, viewer = api.client("alpha-operator"), api.client("alpha-viewer")
    started = await operator.post(
        f"{BASE}/start",
        json={"name": "copter", "adapter": "MAVLINK", "connection": {"url": f"udpin://127.0.0.1:{port}?sysid=1"}},
    )
    assert started.status_code == 201, started.text
    sid = started.json()["id"]
    services = api.profile("alpha")
    async with sim_in_loop(port, 1):
        await wait_until(lambda: services.sessions.live_state(sid) is SessionState.ACTIVE, within=10)
        await wait_until(lambda: (s := services.hub.latest(sid)) is not None and s.mode is not None)
        got = await viewer.get(f"{BASE}/{sid}/parameters")
        assert got.status_code == 200, got.text
        by_name = {p["name"]: p for p in got.json()["parameters"]}
        assert by_name["RTL_ALT"] == {"name": "RTL_ALT", "value": 1500, "type": "INT16", "index": 11}

        refused = await viewer.patch(f"{BASE}/{sid}/parameters", json={"values": {"RTL_ALT": 2000}})
        assert refused.status_code == 403
        patched = await operator.patch(f"{BASE}/{sid}/parameters", json={"values": {"RTL_ALT": 2000}})
        assert patched.status_code == 200, patched.text
        assert patched.json()["parameters"][0]["value"] == 2000
        cached = (await viewer.get(f"{BASE}/{sid}/parameters")).json()
        assert {p["name"]: p["value"] for p in cached["parameters"]}["RTL_ALT"] == 2000

        items = [
            {"seq": 0, "command": 16, "frame": 0, "x": -35.36, "y": 149.16, "z": 584},
            {"seq": 1, "command": 22, "z": 10},
            {"seq": 2, "command": 16, "x": -35.359, "y": 149.165, "z": 20},
        ]
        put = await operator.put(f"{BASE}/{sid}/mission", json={"items": items})
        assert put.status_code == 200, put.text
        mission = (await viewer.get(f"{BASE}/{sid}/mission")).json()
        assert [(i["command"], i["z"]) for i in mission["items"][1:]] == [(22, 10.0), (16, 20.0)]
        bad = await operator.put(f"{BASE}/{sid}/mission", json={"items": items[1:]})
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        assert (await operator.delete(f"{BASE}/{sid}/mission")).status_code == 204
        assert len((await viewer.get(f"{BASE}/{sid}/mission")).json()["items"]) == 1
    stopped = await operator.post(f"{BASE}/{sid}:stop")
    assert stopped.status_code == 200
    gone = await viewer.get(f"{BASE}/{sid}/mission")
    assert gone.status_code == 409 and "needs a running session" in gone.json()["detail"]
