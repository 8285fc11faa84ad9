"""Simulated vehicles for demos, tests and training: the FAKE adapter and its scenario files."""

from groundstation.adapters.fake.adapter import FakeAdapter, FakeLink
from groundstation.adapters.fake.scenario import (
    Fault,
    FaultKind,
    Scenario,
    ScenarioEvent,
    load_scenario,
    parse_scenario,
)
from groundstation.adapters.fake.simulation import Simulation
from groundstation.adapters.fake.vehicle import SimulatedVehicle, VehicleConfig

__all__ = [
    "FakeAdapter",
    "FakeLink",
    "Fault",
    "FaultKind",
    "Scenario",
    "ScenarioEvent",
    "SimulatedVehicle",
    "Simulation",
    "VehicleConfig",
    "load_scenario",
    "parse_scenario",
]
