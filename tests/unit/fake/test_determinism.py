"""Same seed, same scenario, same commands at the same step: the same flight, sample for sample."""

from __future__ import annotations

from pathlib import Path

from groundstation.adapters.fake.flight_modes import MissionEnd
from groundstation.adapters.fake.scenario import Fault, FaultKind, ScenarioEvent, load_scenario
from groundstation.adapters.fake.simulation import Simulation
from groundstation.domain.commands import CommandName, VehicleCommand
from groundstation.domain.telemetry import TelemetrySample
from tests.unit.fake.support import EPOCH, MISSION, make_sim, same_except_time

DEMO = Path(__file__).resolve().parents[3] / "resources" / "scenarios" / "demo.toml"
STEPS = 3000

EVENTS = [
    ScenarioEvent(0.5, "test", command=VehicleCommand(CommandName.SET_MODE, {"mode": "GUIDED"})),
    ScenarioEvent(0.6, "test", command=VehicleCommand(CommandName.ARM)),
    ScenarioEvent(0.7, "test", command=VehicleCommand(CommandName.TAKEOFF, {"alt_m": 20})),
    ScenarioEvent(10.0, "test", command=VehicleCommand(CommandName.SET_MODE, {"mode": "AUTO"})),
    ScenarioEvent(200.0, "test", fault=Fault(FaultKind.GPS_LOSS, duration_s=5)),
    ScenarioEvent(250.0, "test", fault=Fault(FaultKind.LINK_DROP, duration_s=5)),
]


def _record(sim: Simulation, commands: dict[int, VehicleCommand] | None = None) -> list[TelemetrySample]:
    out = []
    for index in range(STEPS):
        if commands and index in commands:
            sim.submit(commands[index])
        sim.step()
        out.append(sim.sample("ses_test", EPOCH))
    return out


def test_same_seed_and_scenario_give_the_same_samples() -> None:
    commands = {
        1000: VehicleCommand(CommandName.CHANGE_SPEED, {"speed_mps": 4}),
        1100: VehicleCommand(CommandName.RTL),
        1200: VehicleCommand(CommandName.SET_MODE, {"mode": "AUTO"}),
    }
    a = _record(make_sim(seed=5, mission=MISSION, mission_end=MissionEnd.LOOP, events=EVENTS), commands)
    b = _record(make_sim(seed=5, mission=MISSION, mission_end=MissionEnd.LOOP, events=EVENTS), commands)
    assert len(a) == STEPS
    assert all(same_except_time(x, y) for x, y in zip(a, b, strict=True))
    assert {s.mode for s in a} >= {"GUIDED", "AUTO", "LAND", "RTL"}  # it really flew through the scenario


def test_a_different_seed_gives_a_different_flight() -> None:
    a = _record(make_sim(seed=5, mission=MISSION, events=EVENTS))
    b = _record(make_sim(seed=6, mission=MISSION, events=EVENTS))
    differing = sum(not same_except_time(x, y) for x, y in zip(a, b, strict=True))
    assert differing > STEPS * 0.9


def test_the_demo_scenario_replays_identically() -> None:
    scenario = load_scenario(DEMO)
    for config in scenario.vehicles:
        a = _record(Simulation(config, scenario.events_for(config.name)))
        b = _record(Simulation(config, scenario.events_for(config.name)))
        assert a == b
