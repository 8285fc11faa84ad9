"""Scripted faults do what they would do to an ArduCopter, and the vehicle says so."""

from __future__ import annotations

from groundstation.adapters.fake.params import BATT_LOW_PCT
from groundstation.adapters.fake.scenario import Fault, FaultKind, ScenarioEvent
from groundstation.domain.commands import CommandName, CommandOutcome, VehicleCommand
from groundstation.domain.events import Severity
from groundstation.domain.telemetry import GpsFix
from tests.unit.fake.support import MISSION, airborne, make_sim, messages, run, run_until, send, snapshot


def test_link_drop_silences_the_link_for_its_duration_and_loses_commands() -> None:
    sim = make_sim(events=[ScenarioEvent(1.0, "test", fault=Fault(FaultKind.LINK_DROP, duration_s=3.0))])
    before = run(sim, 1.0)
    assert all(out.link_up for out in before)
    first = sim.step()
    assert not first.link_up
    assert first.messages == [(Severity.WARNING, "FAKE fault injected: link drop for 3 s")]
    ticket = sim.submit(VehicleCommand(CommandName.SET_MODE, {"mode": "ALT_HOLD"}))
    during = run(sim, 2.9)  # with the first, 30 silent steps: 3 s at 10 Hz
    assert not any(out.link_up or out.results or out.messages for out in during)
    assert sim.vehicle.s.mode == "STABILIZE"  # the command never arrived
    after = run(sim, 1.0)
    assert all(out.link_up for out in after) and not any(t == ticket for o in after for t, _ in o.results)


def test_gps_loss_fails_a_position_mode_over_to_land_then_the_fix_returns() -> None:
    sim = make_sim(mission=MISSION)
    airborne(sim, 15)
    send(sim, CommandName.SET_MODE, mode="AUTO")
    run(sim, 5)
    sim.inject(Fault(FaultKind.GPS_LOSS, duration_s=4.0))
    outputs = run(sim, 1.0)
    sample = snapshot(sim)
    assert sample.gps_fix == GpsFix.NO_FIX and sample.satellites == 0
    assert sample.mode == "LAND" and sample.system_status == "CRITICAL"
    said = messages(outputs)
    assert (Severity.CRITICAL, "EKF Failsafe: changed to LAND Mode") in said
    assert send(sim, CommandName.SET_MODE, mode="LOITER").outcome is CommandOutcome.DENIED
    said = messages(run(sim, 4.0))
    assert any(text.startswith("GPS 1: fix regained") for _, text in said)
    assert snapshot(sim).gps_fix == GpsFix.FIX_3D


def test_gps_loss_in_a_manual_mode_keeps_the_mode() -> None:
    sim = make_sim()
    airborne(sim, 15)
    send(sim, CommandName.SET_MODE, mode="ALT_HOLD")
    sim.inject(Fault(FaultKind.GPS_LOSS, duration_s=2.0))
    run(sim, 1.0)
    assert snapshot(sim).mode == "ALT_HOLD"


def test_low_battery_triggers_the_rtl_failsafe_with_a_critical_message() -> None:
    sim = make_sim()
    airborne(sim, 15)
    sim.inject(Fault(FaultKind.LOW_BATTERY, pct=BATT_LOW_PCT - 2))
    said = messages(run(sim, 0.5))
    assert snapshot(sim).mode == "RTL"
    assert any(sev is Severity.CRITICAL and "Battery 1 is low" in text and "RTL" in text for sev, text in said)
    run_until(sim, lambda s: not s.vehicle.s.armed, limit_s=120)


def test_critical_battery_lands_where_it_is() -> None:
    sim = make_sim()
    airborne(sim, 15)
    sim.inject(Fault(FaultKind.LOW_BATTERY, pct=5))
    said = messages(run(sim, 0.5))
    assert snapshot(sim).mode == "LAND"
    assert any(sev is Severity.CRITICAL and "critical" in text for sev, text in said)


def test_battery_drains_to_the_failsafe_by_itself() -> None:
    sim = make_sim(battery_mah=300)
    airborne(sim, 10)
    run_until(sim, lambda s: s.vehicle.s.mode == "RTL", limit_s=120)
    assert sim.vehicle.battery.pct <= BATT_LOW_PCT


def test_motor_failure_descends_uncontrolled_disarms_and_refuses_to_arm_again() -> None:
    sim = make_sim()
    airborne(sim, 20)
    sim.inject(Fault(FaultKind.MOTOR_FAILURE))
    said = []
    sinks = []
    while sim.vehicle.flying:
        out = sim.step()
        said += out.messages
        sinks.append(sim.vehicle.s.v_up)
        assert sim.time_s < 200
    assert min(sinks) < -3.0  # a fall, not a gentle LAND
    assert any(sev is Severity.CRITICAL and "Motor failure" in text for sev, text in said)
    sample = snapshot(sim)
    assert not sample.armed and sample.system_status == "EMERGENCY"
    result = send(sim, CommandName.ARM)
    assert result.outcome is CommandOutcome.DENIED and "motor failure" in result.message


def test_motor_failure_on_the_ground_while_armed_disarms() -> None:
    sim = make_sim()
    run(sim, 0.2)
    send(sim, CommandName.ARM)
    sim.inject(Fault(FaultKind.MOTOR_FAILURE))
    assert not sim.vehicle.s.armed
