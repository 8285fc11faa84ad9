"""The ArduPilot conventions the simulator copies, each checked where it is decided."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.fake.flight_modes import MissionEnd
from groundstation.adapters.fake.geo import Home, LocalFrame
from groundstation.adapters.fake.vehicle import Waypoint
from groundstation.adapters.mavlink_sim import SimOptions, build_fleet
from groundstation.adapters.mavlink_sim.ardupilot import MODE_NUMBERS, flight_sw_version, mav_result, mav_severity
from groundstation.adapters.mavlink_sim.missions import MissionItem, items_from_waypoints, to_flight
from groundstation.adapters.mavlink_sim.params import INT8, REAL32, ParamStore, coerce
from groundstation.adapters.mavlink_sim.telemetry import StreamSchedule
from groundstation.domain.commands import CommandOutcome
from groundstation.domain.errors import InvalidError
from groundstation.domain.events import Severity

HOME = Home(-35.0, 149.0, 500.0)
REL = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT


def test_firmware_version_is_packed_as_ardupilot_does() -> None:
    assert flight_sw_version((4, 5, 7)) == 0x040507FF


def test_mode_numbers_are_pymavlinks_arducopter_table() -> None:
    assert MODE_NUMBERS["GUIDED"] == 4 and MODE_NUMBERS["AUTO"] == 3
    assert all(mavutil.mode_mapping_acm[n] == name for name, n in MODE_NUMBERS.items())


def test_arming_refusals_are_critical_and_a_refused_command_is_failed() -> None:
    assert mav_severity(Severity.WARNING, "Arm: Need Position Estimate") == mavlink.MAV_SEVERITY_CRITICAL
    assert mav_severity(Severity.WARNING, "GPS 1: lost fix") == mavlink.MAV_SEVERITY_WARNING
    assert mav_result(CommandOutcome.DENIED) == mavlink.MAV_RESULT_FAILED
    assert mav_result(CommandOutcome.ACCEPTED) == mavlink.MAV_RESULT_ACCEPTED


def test_parameters_are_typed_float_casts() -> None:
    assert coerce(4.6, INT8) == 5.0 and coerce(1000, INT8) == 127.0
    assert coerce(4.6, REAL32) == 4.6
    changed: list[tuple[str, float]] = []
    store = ParamStore({"SYSID_THISMAV": 7}, on_change=lambda n, v: changed.append((n, v)))
    sysid = store.get("SYSID_THISMAV")
    assert sysid is not None and sysid.value == 7.0
    assert store.lookup("ignored", sysid.index) is sysid
    assert store.lookup("SYSID_THISMAV", -1) is sysid
    assert store.set("NO_SUCH_PARAM", 1.0) is None
    assert store.set("RTL_ALT", float("nan")) is None
    assert store.set("RTL_ALT", 2000.4) is not None
    assert changed == [("RTL_ALT", 2000.0)]
    assert len({p.name for p in store}) == len(store) >= 40


def test_mission_items_reduce_to_what_the_fake_model_flies() -> None:
    items = [
        MissionItem(0, mavlink.MAV_FRAME_GLOBAL, mavlink.MAV_CMD_NAV_WAYPOINT, x=1, y=1, z=500.0),
        MissionItem(1, REL, mavlink.MAV_CMD_NAV_TAKEOFF, z=10.0),
        MissionItem(2, REL, mavlink.MAV_CMD_NAV_WAYPOINT, x=-350010000, y=1490000000, z=20.0),
        MissionItem(3, mavlink.MAV_FRAME_MISSION, mavlink.MAV_CMD_DO_CHANGE_SPEED, 1.0, 5.0),
        MissionItem(4, mavlink.MAV_FRAME_GLOBAL_INT, mavlink.MAV_CMD_NAV_WAYPOINT, x=-350020000, y=1490000000, z=530.0),
        MissionItem(5, REL, mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH),
        MissionItem(6, REL, mavlink.MAV_CMD_NAV_WAYPOINT, x=-350030000, y=1490000000, z=20.0),
    ]
    flight = to_flight(items, HOME)
    assert flight.waypoints == (Waypoint(-35.001, 149.0, 20.0), Waypoint(-35.002, 149.0, 30.0))
    assert flight.seqs == (2, 4)
    assert flight.end is MissionEnd.RTL


@pytest.mark.parametrize("end", list(MissionEnd))
def test_a_scenario_mission_round_trips_through_items(end: MissionEnd) -> None:
    waypoints = (Waypoint(-35.001, 149.0, 20.0), Waypoint(-35.002, 149.001, 25.0))
    flight = to_flight(items_from_waypoints(HOME, waypoints, end), HOME)
    assert flight.waypoints == waypoints
    assert flight.end is end


def test_stream_intervals_follow_set_message_interval_and_request_data_stream() -> None:
    streams = StreamSchedule(0.0)
    assert "HEARTBEAT" in streams.due(0.0)
    streams.set_interval("ATTITUDE", -1, 0.0)
    streams.set_interval("HOME_POSITION", 500_000, 0.0)
    assert "ATTITUDE" not in streams.due(1.0) and "HOME_POSITION" in streams.due(1.0)
    streams.request_stream(mavlink.MAV_DATA_STREAM_ALL, 0, False, 2.0)
    assert streams.due(10.0) == ["HEARTBEAT", "RADIO_STATUS", "HOME_POSITION"]
    streams.request_stream(mavlink.MAV_DATA_STREAM_POSITION, 5, True, 10.0)
    assert streams.intervals["GLOBAL_POSITION_INT"] == pytest.approx(0.2)


def test_fleet_homes_are_hundreds_of_metres_apart_with_their_own_seeds() -> None:
    fleet = build_fleet(SimOptions(vehicles=7, seed=2))
    assert [m.sysid for m in fleet] == list(range(1, 8))
    assert len({m.config.seed for m in fleet}) == 7
    frame = LocalFrame(fleet[0].config.home)
    spots = [frame.to_local(m.config.home.lat_deg, m.config.home.lon_deg) for m in fleet]
    gaps = [((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for i, a in enumerate(spots) for b in spots[i + 1 :]]
    assert min(gaps) > 250 and max(gaps) < 2000
    with pytest.raises(InvalidError):
        build_fleet(SimOptions(vehicles=0))


def test_a_scenario_file_names_the_fleet(tmp_path: Path) -> None:
    scenario = tmp_path / "two.toml"
    scenario.write_text(
        """
[[vehicle]]
name = "alpha"
home = { lat = 47.3977, lon = 8.5456, alt_msl_m = 488.0 }
mission = [ { lat = 47.3980, lon = 8.5460, alt_m = 30 } ]
[[vehicle]]
name = "bravo"
home = { lat = 47.3987, lon = 8.5456, alt_msl_m = 488.0 }
[[event]]
at_s = 5
vehicle = "bravo"
fault = "gps_loss"
duration_s = 3
""",
        encoding="utf-8",
    )
    fleet = build_fleet(SimOptions(scenario=scenario))
    assert [(m.sysid, m.config.name, len(m.events)) for m in fleet] == [(1, "alpha", 0), (2, "bravo", 1)]
    with pytest.raises(InvalidError):
        build_fleet(SimOptions(scenario=scenario, vehicles=3))
