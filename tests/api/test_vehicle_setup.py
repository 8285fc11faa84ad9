"""Parameters and mission routes against our simulator: viewer reads, operator writes, problem details."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from groundstation.domain.errors import InvalidError
from groundstation.domain.models import Outcome, SessionState
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


async def start_copter(api: Api, port: int) -> str:
    started = await api.client("alpha-operator").post(
        f"{BASE}/start",
        json={"name": "copter", "adapter": "MAVLINK", "connection": {"url": f"udpin://127.0.0.1:{port}?sysid=1"}},
    )
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


async def test_download_progress_seen_from_another_request(api: Api) -> None:
    port = free_udp_port()
    viewer, other_tenant = api.client("alpha-viewer"), api.client("bravo-operator")
    sid = await start_copter(api, port)
    services = api.profile("alpha")
    progress_url = f"{BASE}/{sid}/parameters/progress"
    # A slow radio's pace (20 parameters a second): the download takes seconds, long enough to be watched.
    async with sim_in_loop(port, 1, param_rate_hz=20):
        await wait_until(lambda: services.sessions.live_state(sid) is SessionState.ACTIVE, within=10)
        idle = await viewer.get(progress_url)
        assert idle.status_code == 200, idle.text
        assert idle.json() == {"session_id": sid, "operation": None, "state": "idle", "done": 0, "total": 0}

        download = asyncio.ensure_future(viewer.get(f"{BASE}/{sid}/parameters"))
        seen: list[dict[str, Any]] = []

        async def half_done() -> bool:
            got = (await viewer.get(progress_url)).json()
            seen.append(got)
            return got["state"] == "running" and 0 < got["done"] < got["total"]

        await wait_until(half_done, within=10)
        assert seen[-1]["operation"] == "parameters.download"
        assert all(p["done"] <= p["total"] or p["total"] == 0 for p in seen)
        got = await download
        assert got.status_code == 200, got.text
        count = got.json()["count"]
        finished = (await viewer.get(progress_url)).json()
        assert finished == {
            "session_id": sid,
            "operation": "parameters.download",
            "state": "finished",
            "done": count,
            "total": count,
        }
        assert (await other_tenant.get(progress_url)).status_code == 404
        assert (await api.client().get(progress_url)).status_code == 401
        unknown = await viewer.get(f"{BASE}/ses_nope/mission/progress")
        assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


async def test_set_current_item_over_http(api: Api) -> None:
    port = free_udp_port()
    operator, viewer = api.client("alpha-operator"), api.client("alpha-viewer")
    sid = await start_copter(api, port)
    services = api.profile("alpha")
    current_url = f"{BASE}/{sid}/mission/current"
    async with sim_in_loop(port, 1) as sim:
        await wait_until(lambda: services.sessions.live_state(sid) is SessionState.ACTIVE, within=10)
        items = [
            {"seq": 0, "command": 16, "frame": 0, "x": -35.36, "y": 149.16, "z": 584},
            {"seq": 1, "command": 22, "z": 10},
            {"seq": 2, "command": 16, "x": -35.359, "y": 149.165, "z": 20},
            {"seq": 3, "command": 16, "x": -35.358, "y": 149.165, "z": 20},
        ]
        assert (await operator.put(f"{BASE}/{sid}/mission", json={"items": items})).status_code == 200
        uploaded = (await viewer.get(f"{BASE}/{sid}/mission/progress")).json()
        assert (uploaded["operation"], uploaded["state"], uploaded["done"], uploaded["total"]) == (
            "mission.upload",
            "finished",
            4,
            4,
        )

        assert (await viewer.post(current_url, json={"seq": 3})).status_code == 403
        moved = await operator.post(current_url, json={"seq": 3})
        assert moved.status_code == 200, moved.text
        assert moved.json() == {"session_id": sid, "requested": 3, "seq": 3}
        assert sim.vehicles[1].mission_seq() == 3
        # Item 0 with a mission: ArduPilot restarts at item 1, and the answer says so.
        restarted = await operator.post(current_url, json={"seq": 0})
        assert restarted.status_code == 200, restarted.text
        assert restarted.json() == {"session_id": sid, "requested": 0, "seq": 1}
        assert sim.vehicles[1].mission_seq() == 1
        assert (await operator.post(current_url, json={"seq": 3})).json()["seq"] == 3

        async def telemetry_says_3() -> bool:
            sample = (await viewer.get(f"{BASE}/{sid}/telemetry")).json()["sample"]
            return sample is not None and sample.get("mission_seq") == 3

        await wait_until(telemetry_says_3, within=5)  # the vehicle's MISSION_CURRENT, live in the telemetry

        negative = await operator.post(current_url, json={"seq": -1})
        assert negative.status_code == 422 and negative.headers["content-type"].startswith("application/problem+json")
        missing = await operator.post(current_url, json={"seq": 40})
        assert missing.status_code == 422, missing.text
        assert missing.json()["code"] == "invalid" and "item 40" in missing.json()["detail"]
        assert sim.vehicles[1].mission_seq() == 3
        entries = await services.audit.list(action="mission.set_current", target_id=sid)
        assert [(e.actor, e.outcome, e.detail["seq"], e.detail.get("current")) for e in entries] == [
            ("api:alpha-operator", Outcome.SUCCESS, 3, 3),
            ("api:alpha-operator", Outcome.SUCCESS, 0, 1),
            ("api:alpha-operator", Outcome.SUCCESS, 3, 3),
            ("api:alpha-operator", Outcome.FAILURE, 40, None),
        ]
        assert (await api.client("bravo-operator").post(current_url, json={"seq": 2})).status_code == 404
    assert (await operator.post(f"{BASE}/{sid}:stop")).status_code == 200
    stopped = await operator.post(current_url, json={"seq": 2})
    assert stopped.status_code == 409 and "needs a running session" in stopped.json()["detail"]
    still = await viewer.get(f"{BASE}/{sid}/mission/progress")
    assert still.status_code == 200 and still.json()["state"] == "finished"


async def test_unknown_parameter_names_are_a_422_at_once(api: Api) -> None:
    port = free_udp_port()
    operator, viewer = api.client("alpha-operator"), api.client("alpha-viewer")
    sid = await start_copter(api, port)
    services = api.profile("alpha")
    loop = asyncio.get_running_loop()
    async with sim_in_loop(port, 1):
        await wait_until(lambda: services.sessions.live_state(sid) is SessionState.ACTIVE, within=10)
        # No list cached yet: the PATCH downloads it first, then knows the vehicle lacks the name (ArduPilot
        # never answers a write of an unknown name, which used to be a 504 after 4 s).
        assert services.parameters.cached(sid) is None
        began = loop.time()
        unknown = await operator.patch(f"{BASE}/{sid}/parameters", json={"values": {"RTL_ALT": 2000, "NOPE_PARAM": 1}})
        assert unknown.status_code == 422, unknown.text
        assert unknown.json()["code"] == "invalid" and unknown.json()["field"] == "values.NOPE_PARAM"
        assert "no parameter 'NOPE_PARAM'" in unknown.json()["detail"]
        assert services.parameters.cached(sid) is not None
        assert loop.time() - began < 4
        params = (await viewer.get(f"{BASE}/{sid}/parameters")).json()["parameters"]
        assert {p["name"]: p["value"] for p in params}["RTL_ALT"] == 1500  # nothing of the batch was written

        began = loop.time()
        miscased = await operator.patch(f"{BASE}/{sid}/parameters", json={"values": {"rtl_alt": 1}})
        assert miscased.status_code == 422 and miscased.json()["field"] == "values.rtl_alt"
        assert "did you mean RTL_ALT?" in miscased.json()["detail"]
        assert loop.time() - began < 1
        # The window's path (one write through the service) refuses the same way.
        with pytest.raises(InvalidError, match="did you mean RTL_ALT"):
            await services.parameters.set(sid, "Rtl_Alt", 1)
    refusals = await services.audit.list(action="parameter.set", target_id=sid)
    assert [(e.detail["name"], e.outcome) for e in refusals] == [
        ("NOPE_PARAM", Outcome.FAILURE),
        ("rtl_alt", Outcome.FAILURE),
        ("Rtl_Alt", Outcome.FAILURE),
    ]
