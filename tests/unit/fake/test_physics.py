"""The simulated multirotor flies like one: rate limits, takeoff, AUTO, RTL, LAND, battery, auto-disarm."""

from __future__ import annotations

import itertools
import math

import pytest

from groundstation.adapters.fake.flight_modes import MissionEnd
from groundstation.adapters.fake.params import (
    ACCEL_XY_MPSS,
    CLIMB_MAX_MPS,
    DISARM_DELAY_S,
    LAND_SPEED_MPS,
    RTL_ALT_M,
    YAW_RATE_DPS,
)
from groundstation.domain.commands import CommandName
from groundstation.domain.telemetry import GpsFix
from tests.unit.fake.support import MISSION, airborne, make_sim, messages, num, run, send, snapshot


def test_takeoff_climbs_at_a_limited_rate_and_stops_at_the_target_altitude() -> None:
    sim = make_sim()
    run(sim, 0.2)
    send(sim, CommandName.SET_MODE, mode="GUIDED")
    send(sim, CommandName.ARM)
    assert send(sim, CommandName.TAKEOFF, alt_m=30).accepted
    climbs = []
    for _ in range(300):
        sim.step()
        climbs.append(sim.vehicle.s.v_up)
    assert max(climbs) <= CLIMB_MAX_MPS + 1e-9
    assert max(climbs) > CLIMB_MAX_MPS - 0.01  # it does climb at the limit, not below it
    # the climb rate ramps up: no step changes it by more than the vertical acceleration allows
    assert all(abs(b - a) <= 2.0 * sim.dt + 1e-9 for a, b in itertools.pairwise(climbs))
    sample = snapshot(sim)
    assert abs(num(sample.alt_rel_m) - 30) < 0.5
    assert abs(num(sample.climb_mps)) < 0.05
    assert sample.armed and sample.mode == "GUIDED" and sample.system_status == "ACTIVE"


def test_horizontal_speed_and_turn_rate_are_rate_limited() -> None:
    sim = make_sim()
    airborne(sim, 20)
    lat, lon = sim.vehicle.frame.to_geo(-400.0, 0.0)  # due west, 400 m
    assert send(sim, CommandName.GOTO, lat=lat, lon=lon, alt_m=20).accepted
    speeds, yaws = [], []
    for _ in range(400):
        sim.step()
        speeds.append(sim.vehicle.groundspeed)
        yaws.append(sim.vehicle.s.yaw)
    assert max(speeds) <= sim.vehicle.speed_mps + 1e-6
    assert all(b - a <= ACCEL_XY_MPSS * sim.dt + 1e-6 for a, b in itertools.pairwise(speeds))
    turns = [abs((b - a + 180) % 360 - 180) for a, b in itertools.pairwise(yaws)]
    assert max(turns) <= YAW_RATE_DPS * sim.dt + 1e-6
    assert abs(num(snapshot(sim).heading_deg) - 270) < 5  # it faces where it flies
    east, north = sim.vehicle.s.east, sim.vehicle.s.north
    run(sim, 60)
    assert math.hypot(sim.vehicle.s.east + 400, sim.vehicle.s.north) < 1.0, (east, north)


def test_attitude_follows_acceleration() -> None:
    sim = make_sim()
    airborne(sim, 20)
    lat, lon = sim.vehicle.frame.to_geo(sim.vehicle.s.east, sim.vehicle.s.north + 300)
    send(sim, CommandName.GOTO, lat=lat, lon=lon, alt_m=20)
    run(sim, 6)  # turned north and accelerating forward: nose down
    assert num(snapshot(sim).pitch_deg) < -5


def test_auto_flies_the_mission_waypoints_in_order_then_loiters() -> None:
    sim = make_sim(mission=MISSION)
    airborne(sim, 10)
    assert send(sim, CommandName.SET_MODE, mode="AUTO").accepted
    outputs = run(sim, 200)
    reached = [text for _, text in messages(outputs) if text.startswith("Reached command")]
    assert reached == ["Reached command #1", "Reached command #2", "Reached command #3"]
    last = sim.vehicle.mission_local[-1]
    s = sim.vehicle.s
    assert math.hypot(s.east - last[0], s.north - last[1]) < 2.5 and abs(s.up - last[2]) < 1.0
    assert snapshot(sim).mode == "AUTO" and sim.vehicle.flying


def test_auto_loops_when_the_mission_says_so() -> None:
    sim = make_sim(mission=MISSION, mission_end=MissionEnd.LOOP)
    airborne(sim, 10)
    send(sim, CommandName.SET_MODE, mode="AUTO")
    reached = [text for _, text in messages(run(sim, 300)) if text.startswith("Reached command")]
    assert reached[:5] == [f"Reached command #{n}" for n in (1, 2, 3, 1, 2)]


def test_rtl_climbs_returns_home_lands_and_disarms() -> None:
    sim = make_sim()
    airborne(sim, 8)
    lat, lon = sim.vehicle.frame.to_geo(150.0, 100.0)
    send(sim, CommandName.GOTO, lat=lat, lon=lon, alt_m=8)
    run(sim, 40)
    assert send(sim, CommandName.RTL).accepted
    peak = 0.0
    while sim.vehicle.s.armed:
        sim.step()
        peak = max(peak, sim.vehicle.s.up)
        assert sim.time_s < 300
    sample = snapshot(sim)
    assert peak >= RTL_ALT_M - 0.6  # climbed to RTL_ALT first
    assert sample.alt_rel_m == 0.0 and not sample.armed and sample.mode == "RTL"
    assert sim.vehicle.distance_from_home_m() < 2.0
    assert abs(num(sample.lat_deg) - num(sample.home_lat_deg)) < 3e-5
    assert abs(num(sample.lon_deg) - num(sample.home_lon_deg)) < 3e-5


def test_land_descends_slowly_near_the_ground_and_disarms_on_touchdown() -> None:
    sim = make_sim()
    airborne(sim, 15)
    assert send(sim, CommandName.LAND).accepted
    near_ground: list[float] = []
    while sim.vehicle.flying:
        sim.step()
        if 0.5 < sim.vehicle.s.up < 5:
            near_ground.append(-sim.vehicle.s.v_up)
        assert sim.time_s < 200
    assert max(near_ground) <= LAND_SPEED_MPS + 1e-6
    sample = snapshot(sim)
    assert not sample.armed and sample.mode == "LAND" and sample.system_status == "STANDBY"


def test_battery_drains_more_under_load_a_little_when_idle_and_not_at_all_disarmed() -> None:
    disarmed = make_sim()
    run(disarmed, 60)
    assert disarmed.vehicle.battery.pct == 100.0 and snapshot(disarmed).battery_a == 0.0

    idle = make_sim()
    run(idle, 0.2)
    send(idle, CommandName.SET_MODE, mode="GUIDED")
    send(idle, CommandName.ARM)
    run(idle, 5)
    idle_use = 100.0 - idle.vehicle.battery.pct

    hover = make_sim()
    airborne(hover, 10)
    start = hover.vehicle.battery.pct
    run(hover, 5)
    hover_use = start - hover.vehicle.battery.pct

    climb = make_sim()
    airborne(climb, 10)
    send(climb, CommandName.TAKEOFF, alt_m=10)  # refused (flying); climb with a goto instead
    lat, lon = climb.vehicle.frame.to_geo(climb.vehicle.s.east, climb.vehicle.s.north)
    send(climb, CommandName.GOTO, lat=lat, lon=lon, alt_m=60)
    run(climb, 2)
    start = climb.vehicle.battery.pct
    run(climb, 5)
    climb_use = start - climb.vehicle.battery.pct

    assert 0 < idle_use < hover_use < climb_use
    # voltage sags while climbing and follows the charge
    assert num(snapshot(climb).battery_v) < num(snapshot(hover).battery_v)


def test_armed_on_the_ground_without_takeoff_disarms_after_disarm_delay() -> None:
    sim = make_sim()
    run(sim, 0.2)
    send(sim, CommandName.ARM)  # STABILIZE, throttle down
    outputs = run(sim, DISARM_DELAY_S - 0.5)
    assert sim.vehicle.s.armed
    outputs = run(sim, 1.0)
    assert not sim.vehicle.s.armed
    assert any("DISARM_DELAY" in text for _, text in messages(outputs))


def test_gps_needs_a_warm_up_and_then_reports_a_believable_fix() -> None:
    sim = make_sim(gps_warmup_s=3.0)
    run(sim, 1)
    early = snapshot(sim)
    assert early.gps_fix == GpsFix.NO_FIX and early.lat_deg is None and early.home_lat_deg is None
    run(sim, 120)
    fixes = []
    for _ in range(600):
        sim.step()
        fixes.append(snapshot(sim))
    assert all(f.gps_fix == GpsFix.FIX_3D for f in fixes)
    assert all(8 <= num(f.satellites) <= 20 and 0.5 < num(f.hdop) < 1.5 for f in fixes)
    assert len({f.satellites for f in fixes}) > 1 or len({f.hdop for f in fixes}) > 1
    assert all(abs(num(f.lat_deg) - 47.3977) < 1e-4 for f in fixes)  # wander of metres, not more
    assert all(20 <= num(f.link_quality_pct) <= 100 for f in fixes)


def test_a_mission_loaded_at_run_time_is_flown_in_auto() -> None:
    from groundstation.adapters.fake.flight_modes import MissionEnd
    from groundstation.adapters.fake.geo import Home
    from groundstation.adapters.fake.vehicle import SimulatedVehicle, VehicleConfig, Waypoint

    home = Home(47.0, 8.0, 400.0)
    vehicle = SimulatedVehicle(VehicleConfig("v", home, seed=1, gps_warmup_s=0.0))
    target = Waypoint(47.0009, 8.0, 20.0)  # about 100 m north
    vehicle.load_mission((Waypoint(47.0, 8.0, 20.0), target), MissionEnd.LOITER)
    vehicle.set_mission_index(1)
    assert vehicle.s.wp_index == 1
    with pytest.raises(ValueError, match="not in a mission of 2"):
        vehicle.set_mission_index(2)
    assert len(vehicle.mission_local) == 2
    assert vehicle.config.mission[1] == target
