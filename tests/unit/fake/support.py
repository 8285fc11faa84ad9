"""Helpers shared by the FAKE adapter tests: build a simulation, fly it, send it commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from groundstation.adapters.fake.flight_modes import MissionEnd
from groundstation.adapters.fake.geo import Home
from groundstation.adapters.fake.scenario import ScenarioEvent
from groundstation.adapters.fake.simulation import Simulation, StepOutput
from groundstation.adapters.fake.vehicle import VehicleConfig, Waypoint
from groundstation.domain.commands import CommandName, CommandResult, VehicleCommand
from groundstation.domain.events import Severity
from groundstation.domain.telemetry import TelemetrySample

HOME = Home(47.3977, 8.5456, 488.0)
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
# A square of about 110 m by 75 m north-east of home.
MISSION = (
    Waypoint(47.3987, 8.5456, 20.0),
    Waypoint(47.3987, 8.5466, 25.0),
    Waypoint(47.3977, 8.5466, 20.0),
)


def make_sim(
    *,
    seed: int = 1,
    mission: Sequence[Waypoint] = (),
    mission_end: MissionEnd = MissionEnd.LOITER,
    events: Sequence[ScenarioEvent] = (),
    gps_warmup_s: float = 0.0,
    battery_mah: float = 5200.0,
) -> Simulation:
    config = VehicleConfig(
        name="test",
        home=HOME,
        seed=seed,
        mission=tuple(mission),
        mission_end=mission_end,
        battery_mah=battery_mah,
        gps_warmup_s=gps_warmup_s,
    )
    return Simulation(config, events, rate_hz=10.0)


def run(sim: Simulation, seconds: float) -> list[StepOutput]:
    return [sim.step() for _ in range(round(seconds / sim.dt))]


def run_until(sim: Simulation, condition: Any, *, limit_s: float) -> float:
    """Step until ``condition(sim)`` holds; the simulated seconds it took. Fails the test past ``limit_s``."""
    start = sim.time_s
    while not condition(sim):
        assert sim.time_s - start < limit_s, f"condition not met within {limit_s} s of simulated time"
        sim.step()
    return sim.time_s - start


def send(sim: Simulation, name: CommandName, **params: Any) -> CommandResult:
    """Send one command and step once; its result, as the link would answer it."""
    ticket = sim.submit(VehicleCommand(name, params))
    out = sim.step()
    results = dict(out.results)
    assert ticket in results, "the vehicle did not answer"
    return results[ticket]


def messages(outputs: Sequence[StepOutput]) -> list[tuple[Severity, str]]:
    return [m for out in outputs for m in out.messages]


def snapshot(sim: Simulation) -> TelemetrySample:
    return sim.sample("ses_test", EPOCH)


def airborne(sim: Simulation, alt_m: float = 20.0) -> None:
    """Boot, arm in GUIDED and take off to ``alt_m``, as an operator would."""
    run(sim, 0.2)
    assert send(sim, CommandName.SET_MODE, mode="GUIDED").accepted
    assert send(sim, CommandName.ARM).accepted
    assert send(sim, CommandName.TAKEOFF, alt_m=alt_m).accepted
    run_until(sim, lambda s: abs(s.vehicle.s.up - alt_m) < 0.2 and abs(s.vehicle.s.v_up) < 0.05, limit_s=60)


def same_except_time(a: TelemetrySample, b: TelemetrySample) -> bool:
    return replace(a, time=EPOCH) == replace(b, time=EPOCH)


def num(value: float | None) -> float:
    """A telemetry field the test expects to be filled in, narrowed from ``float | None``."""
    assert value is not None
    return value
