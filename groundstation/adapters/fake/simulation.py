"""One vehicle's simulation timeline: scenario events, operator commands and faults, on step boundaries.

Everything that changes the vehicle happens at a step boundary and is keyed by the step index, never by
the wall clock, so the same seed, scenario and commands-at-step-index give the same flight however late
the asyncio loop ran. The link (``adapter.py``) only paces this timeline to wall time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from groundstation.adapters.fake.scenario import Fault, FaultKind, ScenarioEvent
from groundstation.adapters.fake.vehicle import SimulatedVehicle, VehicleConfig
from groundstation.adapters.fake.vehicle_commands import execute
from groundstation.domain.commands import CommandOutcome, CommandResult, VehicleCommand
from groundstation.domain.events import Severity
from groundstation.domain.telemetry import TelemetrySample


@dataclass(slots=True)
class StepOutput:
    """What one step produced for the link to deliver."""

    link_up: bool
    messages: list[tuple[Severity, str]] = field(default_factory=list)
    results: list[tuple[int, CommandResult]] = field(default_factory=list)


class Simulation:
    def __init__(self, config: VehicleConfig, events: Sequence[ScenarioEvent] = (), *, rate_hz: float = 10.0) -> None:
        self.vehicle = SimulatedVehicle(config)
        self.dt = 1.0 / rate_hz
        self.step_index = 0
        # Each scenario event fires at the first step boundary at or after its time.
        self._events = sorted(
            ((max(0, math.ceil(e.at_s * rate_hz - 1e-9)), n, e) for n, e in enumerate(events)),
            key=lambda item: (item[0], item[1]),
        )
        self._next_event = 0
        self._next_ticket = 0
        self._queued: list[tuple[int, VehicleCommand]] = []

    @property
    def time_s(self) -> float:
        return self.step_index * self.dt

    @property
    def link_up(self) -> bool:
        return self.vehicle.link.up

    def submit(self, command: VehicleCommand) -> int:
        """Queue ``command`` for the next step boundary; the ticket names its result in a StepOutput."""
        self._next_ticket += 1
        self._queued.append((self._next_ticket, command))
        return self._next_ticket

    def withdraw(self, ticket: int) -> None:
        """Forget a command whose sender stopped waiting before the boundary came."""
        self._queued = [(t, c) for t, c in self._queued if t != ticket]

    def step(self) -> StepOutput:
        notices: list[tuple[Severity, str]] = []
        while self._next_event < len(self._events) and self._events[self._next_event][0] <= self.step_index:
            self._apply_event(self._events[self._next_event][2], notices)
            self._next_event += 1
        # The link's state at the boundary holds for the whole step, so a drop of N s silences N*rate steps.
        up = self.link_up
        results: list[tuple[int, CommandResult]] = []
        queued, self._queued = self._queued, []
        if up:  # a command sent into a dropped link never arrives, and so is never answered
            for ticket, command in queued:
                result = execute(self.vehicle, command)
                self._report_refusal(result)
                results.append((ticket, result))
        self.vehicle.step(self.dt)
        self.step_index += 1
        said = self.vehicle.drain_messages()
        return StepOutput(up, notices + (said if up else []), results)

    def sample(self, session_id: str, time: datetime) -> TelemetrySample:
        return self.vehicle.sample(session_id, time)

    def _apply_event(self, event: ScenarioEvent, notices: list[tuple[Severity, str]]) -> None:
        if event.command is not None:
            self._report_refusal(execute(self.vehicle, event.command))
        elif event.fault is not None:
            notices.append((Severity.WARNING, f"FAKE fault injected: {_describe(event.fault)}"))
            self.inject(event.fault)

    def inject(self, fault: Fault) -> None:
        """Start ``fault`` now (a scenario event, or a test)."""
        v = self.vehicle
        if fault.kind is FaultKind.LINK_DROP:
            v.link.drop(fault.duration_s)
        elif fault.kind is FaultKind.GPS_LOSS:
            v.gps.lose(fault.duration_s)
        elif fault.kind is FaultKind.LOW_BATTERY:
            v.battery.drop_to(fault.pct)
        else:
            v.fail_motor()

    def _report_refusal(self, result: CommandResult) -> None:
        # ArduPilot explains a refusal only in a STATUSTEXT; so does the FAKE vehicle.
        if result.outcome is not CommandOutcome.ACCEPTED:
            self.vehicle.say(Severity.WARNING, result.message)


def _describe(fault: Fault) -> str:
    if fault.kind is FaultKind.LINK_DROP:
        return f"link drop for {fault.duration_s:g} s"
    if fault.kind is FaultKind.GPS_LOSS:
        return f"GPS loss for {fault.duration_s:g} s"
    if fault.kind is FaultKind.LOW_BATTERY:
        return f"battery drops to {fault.pct:g}%"
    return "motor failure"
