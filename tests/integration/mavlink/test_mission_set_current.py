"""Setting the current mission item against our simulator (ArduCopter's rules, over real UDP): the answer
is the vehicle's, matched to the request, never a periodic report that happens to carry the same number."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.domain.errors import InvalidError
from groundstation.domain.missions import Mission, MissionItem
from groundstation.domain.models import Outcome, SessionState
from tests.integration.mavlink.sim_support import profile_runtime, sim_in_loop, wait_state
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.peer, pytest.mark.slow]


async def test_set_current_reports_the_item_the_vehicle_went_to_and_refuses_what_it_refuses(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services, sim_in_loop(port, 1) as sim:
        session = await services.sessions.start("copter", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=1")
        await wait_state(services, session.id, SessionState.ACTIVE)
        link = services.sessions.live_link(session.id)
        assert isinstance(link, MavlinkLink)
        vehicle = sim.vehicles[1]
        lat, lon = vehicle.config.home.lat_deg, vehicle.config.home.lon_deg

        # Only home: ArduCopter refuses every item, 0 included, whatever its periodic report says (0).
        with pytest.raises(InvalidError, match="failed making item 0 current"):
            await link.missions().set_current(0)

        mission = Mission(
            (
                MissionItem(0, 16, frame=0, x=lat, y=lon, z=584.0),  # home
                MissionItem(1, 22, frame=3, z=20.0),  # TAKEOFF
                MissionItem(2, 178, frame=2, param2=4.0),  # DO_CHANGE_SPEED
                MissionItem(3, 16, frame=3, x=lat + 0.0009, y=lon, z=20.0),
                MissionItem(4, 16, frame=3, x=lat + 0.0009, y=lon + 0.0011, z=25.0),
            )
        )
        await services.missions.upload(session.id, mission)
        missions = link.missions()
        assert await missions.set_current(4) == 4
        assert await missions.set_current(1) == 1  # a TAKEOFF is a navigation item: ArduCopter goes there
        assert vehicle.mission_seq() == 1
        assert await missions.set_current(2) == 3  # a DO item gives way to the next navigation item
        assert await missions.set_current(0) == 1  # 0 restarts the mission at its first item
        with pytest.raises(InvalidError, match="failed making item 5 current"):
            await missions.set_current(5)
        assert vehicle.mission_seq() == 1

        # Through the service (audited), the live telemetry follows the vehicle's report.
        def live_seq() -> int | None:
            latest = services.hub.latest(session.id)
            return None if latest is None else latest.mission_seq

        await services.missions.set_current(session.id, 3)
        await wait_until(lambda: live_seq() == 3)
        with pytest.raises(InvalidError):
            await services.missions.set_current(session.id, 9)
        entries = await services.audit.list(action="mission.set_current", target_id=session.id)
        assert sorted((e.detail["seq"], e.outcome) for e in entries) == [(3, Outcome.SUCCESS), (9, Outcome.FAILURE)]
        await services.sessions.stop(session.id)
