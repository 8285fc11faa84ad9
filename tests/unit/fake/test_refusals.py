"""Every command that makes no sense is refused with a reason a person understands (ArduCopter's words)."""

from __future__ import annotations

import pytest

from groundstation.adapters.fake.scenario import Fault, FaultKind
from groundstation.domain.commands import CommandName, CommandOutcome, VehicleCommand
from groundstation.domain.events import Severity
from tests.unit.fake.support import MISSION, airborne, make_sim, run, send


def test_arm_without_a_position_estimate_is_refused_as_ardupilot_says_it() -> None:
    sim = make_sim(gps_warmup_s=5.0)
    result = send(sim, CommandName.ARM)
    assert result.outcome is CommandOutcome.DENIED
    assert result.message == "Arm: Need Position Estimate"
    run(sim, 6)
    assert send(sim, CommandName.ARM).accepted


def test_refusal_is_also_said_by_the_vehicle() -> None:
    sim = make_sim(gps_warmup_s=5.0)
    ticket = sim.submit(VehicleCommand(CommandName.ARM))
    out = sim.step()
    assert dict(out.results)[ticket].outcome is CommandOutcome.DENIED
    assert (Severity.WARNING, "Arm: Need Position Estimate") in out.messages


def test_arm_while_armed() -> None:
    sim = make_sim()
    run(sim, 0.2)
    send(sim, CommandName.ARM)
    result = send(sim, CommandName.ARM)
    assert result.outcome is CommandOutcome.DENIED and "already armed" in result.message


def test_arm_in_a_mode_that_is_not_armable() -> None:
    sim = make_sim(mission=MISSION)
    run(sim, 0.2)
    send(sim, CommandName.SET_MODE, mode="AUTO")
    result = send(sim, CommandName.ARM)
    assert result.outcome is CommandOutcome.DENIED and result.message == "Arm: Mode not armable (AUTO)"


def test_arm_with_a_low_battery() -> None:
    sim = make_sim()
    run(sim, 0.2)
    sim.inject(Fault(FaultKind.LOW_BATTERY, pct=12))
    result = send(sim, CommandName.ARM)
    assert result.outcome is CommandOutcome.DENIED and "below minimum" in result.message


def test_takeoff_while_disarmed() -> None:
    sim = make_sim()
    run(sim, 0.2)
    send(sim, CommandName.SET_MODE, mode="GUIDED")
    result = send(sim, CommandName.TAKEOFF, alt_m=10)
    assert result.outcome is CommandOutcome.DENIED and "disarmed" in result.message


def test_takeoff_outside_guided_is_refused_not_switched() -> None:
    sim = make_sim()
    run(sim, 0.2)
    send(sim, CommandName.ARM)
    result = send(sim, CommandName.TAKEOFF, alt_m=10)
    assert result.outcome is CommandOutcome.DENIED and "GUIDED" in result.message
    assert sim.vehicle.s.mode == "STABILIZE" and not sim.vehicle.flying


@pytest.mark.parametrize(
    ("params", "reason"),
    [({}, "needs the parameter alt_m"), ({"alt_m": "high"}, "must be a number"), ({"alt_m": 0.2}, "outside 1 to")],
)
def test_takeoff_with_bad_altitude(params: dict[str, object], reason: str) -> None:
    sim = make_sim()
    run(sim, 0.2)
    send(sim, CommandName.SET_MODE, mode="GUIDED")
    send(sim, CommandName.ARM)
    result = send(sim, CommandName.TAKEOFF, **params)
    assert result.outcome is CommandOutcome.DENIED and reason in result.message


def test_takeoff_while_flying() -> None:
    sim = make_sim()
    airborne(sim, 10)
    result = send(sim, CommandName.TAKEOFF, alt_m=30)
    assert result.outcome is CommandOutcome.DENIED and "already flying" in result.message


def test_goto_while_landed() -> None:
    sim = make_sim()
    run(sim, 0.2)
    result = send(sim, CommandName.GOTO, lat=47.398, lon=8.546, alt_m=20)
    assert result.outcome is CommandOutcome.DENIED and "on the ground" in result.message


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"lat": 95.0, "lon": 8.5, "alt_m": 20}, "not a position on Earth"),
        ({"lat": 48.5, "lon": 8.5, "alt_m": 20}, "km from home"),
        ({"lat": 47.398, "lon": 8.546, "alt_m": 0.5}, "use land"),
        ({"lat": 47.398, "alt_m": 20}, "needs the parameter lon"),
    ],
)
def test_goto_with_a_target_that_makes_no_sense(params: dict[str, object], reason: str) -> None:
    sim = make_sim()
    airborne(sim, 10)
    result = send(sim, CommandName.GOTO, **params)
    assert result.outcome is CommandOutcome.DENIED and reason in result.message


def test_goto_switches_a_loitering_vehicle_to_guided() -> None:
    sim = make_sim()
    airborne(sim, 10)
    send(sim, CommandName.SET_MODE, mode="LOITER")
    assert send(sim, CommandName.GOTO, lat=47.398, lon=8.546, alt_m=20).accepted
    assert sim.vehicle.s.mode == "GUIDED"


def test_unknown_mode_is_denied_and_an_unsimulated_ardu_copter_mode_is_unsupported() -> None:
    sim = make_sim()
    run(sim, 0.2)
    unknown = send(sim, CommandName.SET_MODE, mode="HOVER")
    assert unknown.outcome is CommandOutcome.DENIED and "Unknown mode 'HOVER'" in unknown.message
    assert "LOITER" in unknown.message  # it lists what would work
    acro = send(sim, CommandName.SET_MODE, mode="acro")
    assert acro.outcome is CommandOutcome.UNSUPPORTED and "ACRO" in acro.message


def test_position_modes_need_a_position_estimate() -> None:
    sim = make_sim(gps_warmup_s=5.0)
    result = send(sim, CommandName.SET_MODE, mode="LOITER")
    assert result.outcome is CommandOutcome.DENIED and "position estimate" in result.message
    assert send(sim, CommandName.SET_MODE, mode="ALT_HOLD").accepted  # needs no GPS


def test_auto_without_a_mission() -> None:
    sim = make_sim()
    run(sim, 0.2)
    result = send(sim, CommandName.SET_MODE, mode="AUTO")
    assert result.outcome is CommandOutcome.DENIED and "no mission" in result.message


def test_disarm_while_flying_needs_force_and_force_drops_the_vehicle() -> None:
    sim = make_sim()
    airborne(sim, 10)
    refused = send(sim, CommandName.DISARM)
    assert refused.outcome is CommandOutcome.DENIED and "flying" in refused.message
    assert sim.vehicle.s.armed
    bad = send(sim, CommandName.DISARM, force="yes")
    assert bad.outcome is CommandOutcome.DENIED and "true or false" in bad.message
    assert send(sim, CommandName.DISARM, force=True).accepted
    texts = []
    while sim.vehicle.flying:
        texts += [t for _, t in sim.step().messages]
        assert sim.time_s < 60
    assert any(t.startswith("Crash") for t in texts)


def test_disarm_while_disarmed() -> None:
    sim = make_sim()
    run(sim, 0.2)
    result = send(sim, CommandName.DISARM)
    assert result.outcome is CommandOutcome.DENIED and "already disarmed" in result.message


def test_land_and_rtl_on_the_ground() -> None:
    sim = make_sim()
    run(sim, 0.2)
    assert "on the ground" in send(sim, CommandName.LAND).message
    assert "on the ground" in send(sim, CommandName.RTL).message


@pytest.mark.parametrize("speed", [0.1, 50, "fast"])
def test_change_speed_out_of_range(speed: object) -> None:
    sim = make_sim()
    run(sim, 0.2)
    result = send(sim, CommandName.CHANGE_SPEED, speed_mps=speed)
    assert result.outcome is CommandOutcome.DENIED


def test_change_speed_sets_the_cruise_speed() -> None:
    sim = make_sim()
    airborne(sim, 10)
    assert send(sim, CommandName.CHANGE_SPEED, speed_mps=3).accepted
    lat, lon = sim.vehicle.frame.to_geo(200.0, 0.0)
    send(sim, CommandName.GOTO, lat=lat, lon=lon, alt_m=10)
    run(sim, 20)
    assert abs(sim.vehicle.groundspeed - 3.0) < 0.05
