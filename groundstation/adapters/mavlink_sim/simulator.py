"""A fleet of simulated ArduCopters on one asyncio loop and one shared link.

The pacing is the FAKE link's (``adapters/fake/adapter.py``): the simulations step at a fixed simulated
``dt`` and the loop sleeps so that simulated time runs ``speed`` times wall time, stepping several times to
catch up when late rather than stretching ``dt``. Streams run on wall time (see ``telemetry``). Between the
two, the loop sleeps until whichever is due first, so an idle fleet costs little.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.fake.geo import Home, LocalFrame
from groundstation.adapters.fake.scenario import ScenarioEvent, load_scenario
from groundstation.adapters.fake.vehicle import VehicleConfig
from groundstation.adapters.mavlink_sim.ardupilot import FIRMWARE_VERSION
from groundstation.adapters.mavlink_sim.transport import Transport
from groundstation.adapters.mavlink_sim.vehicle import MavVehicle
from groundstation.domain.errors import InvalidError

log = logging.getLogger(__name__)

# ArduPilot SITL's default home (CMAC, Canberra Model Aircraft Club): where a tester expects a SITL copter.
DEFAULT_HOME = Home(-35.363261, 149.165230, 584.0)
SPACING_M = 300.0
GRID_COLUMNS = 5
MAX_VEHICLES = 250  # system ids 1..250; 255 and the 240s are GCS and companion territory
MAX_CATCH_UP_S = 2.0
MAX_SLEEP_S = 0.1


@dataclass(frozen=True, slots=True)
class FleetMember:
    sysid: int
    config: VehicleConfig
    events: tuple[ScenarioEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class SimOptions:
    vehicles: int | None = None  # None: one, or every vehicle of the scenario
    seed: int = 1
    scenario: Path | None = None
    speed: float = 1.0
    rate_hz: float = 10.0


def build_fleet(options: SimOptions) -> list[FleetMember]:
    """System ids 1..N, each a FAKE vehicle with its own seed and a home a few hundred metres from the
    others (a grid around SITL's home), or the vehicles of a scenario file in file order."""
    if options.scenario is not None:
        scenario = load_scenario(options.scenario)
        count = len(scenario.vehicles) if options.vehicles is None else options.vehicles
        if count > len(scenario.vehicles):
            raise InvalidError(
                f"--vehicles {count}: scenario {scenario.source} has only {len(scenario.vehicles)} vehicles",
                field="vehicles",
            )
        return [
            FleetMember(n + 1, config, scenario.events_for(config.name))
            for n, config in enumerate(scenario.vehicles[:count])
        ]
    count = 1 if options.vehicles is None else options.vehicles
    if not 1 <= count <= MAX_VEHICLES:
        raise InvalidError(f"--vehicles must be from 1 to {MAX_VEHICLES}, got {count}", field="vehicles")
    frame = LocalFrame(DEFAULT_HOME)
    fleet = []
    for n in range(count):
        lat, lon = frame.to_geo((n % GRID_COLUMNS) * SPACING_M, (n // GRID_COLUMNS) * SPACING_M)
        home = replace(DEFAULT_HOME, lat_deg=round(lat, 7), lon_deg=round(lon, 7))
        config = VehicleConfig(name=f"copter{n + 1}", home=home, seed=options.seed * 1000 + n + 1)
        fleet.append(FleetMember(n + 1, config))
    return fleet


class MavlinkSimulator:
    """Runs ``fleet`` over ``transport`` until stopped; ``vehicles`` by system id for tests and tools.

    ``param_rate_hz`` paces a requested parameter list (PARAM_VALUEs a second) as a slow radio would; by
    default it goes out as fast as a fast link carries it.
    """

    def __init__(
        self,
        fleet: list[FleetMember],
        transport: Transport,
        *,
        speed: float = 1.0,
        rate_hz: float = 10.0,
        param_rate_hz: float | None = None,
    ) -> None:
        if speed <= 0 or rate_hz <= 0 or (param_rate_hz is not None and param_rate_hz <= 0):
            raise InvalidError("speed and rates must be greater than 0", field="speed")
        self._param_rate_hz = param_rate_hz
        self._fleet = fleet
        self._transport = transport
        self._speed = speed
        self._rate_hz = rate_hz
        self.vehicles: dict[int, MavVehicle] = {}
        self._parsers: dict[Any, Any] = {}
        self._now = 0.0
        self.bad_frames = 0

    async def run(self, stop: asyncio.Event, duration_s: float | None = None) -> None:
        """Open the link, fly until ``stop`` is set (or ``duration_s`` of wall time passed), close the link."""
        loop = asyncio.get_running_loop()
        self._now = loop.time()
        for member in self._fleet:
            self.vehicles[member.sysid] = MavVehicle(
                member.sysid,
                member.config,
                member.events,
                self._transport.send,
                now=self._now,
                rate_hz=self._rate_hz,
                param_rate_hz=self._param_rate_hz,
            )
        await self._transport.start(self._receive)
        major, minor, patch = FIRMWARE_VERSION
        for v in self.vehicles.values():
            h = v.config.home
            log.info(
                "%s: ArduCopter V%d.%d.%d (simulated) at %.6f, %.6f, %.0f m, seed %d, %s",
                v.name,
                major,
                minor,
                patch,
                h.lat_deg,
                h.lon_deg,
                h.alt_msl_m,
                v.config.seed,
                self._transport.describe(),
            )
        try:
            await self._loop(stop, duration_s)
        finally:
            await self._transport.close()

    async def _loop(self, stop: asyncio.Event, duration_s: float | None) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        end = math.inf if duration_s is None else start + duration_s
        period = 1.0 / (self._rate_hz * self._speed)
        max_backlog = max(1, int(MAX_CATCH_UP_S / period))
        done = 0
        while not stop.is_set():
            now = self._now = loop.time()
            if now >= end:
                break
            backlog = int((now - start) / period) - done
            if backlog > max_backlog:  # a suspended laptop: skip ahead rather than replay it all
                start += (backlog - max_backlog) * period
                backlog = max_backlog
            for _ in range(backlog):
                for v in self.vehicles.values():
                    v.step(now)
            done += max(0, backlog)
            for v in self.vehicles.values():
                v.tick(now)
            wake = min([start + (done + 1) * period, end, *(v.next_due() for v in self.vehicles.values())])
            await asyncio.sleep(min(MAX_SLEEP_S, max(0.0, wake - loop.time())))

    def _receive(self, data: bytes, source: Any) -> None:
        parser = self._parsers.get(source)
        if parser is None:
            parser = self._parsers[source] = mavlink.MAVLink(None)
            parser.robust_parsing = True
        try:
            messages = parser.parse_buffer(data) or []
        except Exception:  # a garbled frame must never stop the fleet
            self.bad_frames += 1
            return
        for msg in messages:
            if msg.get_type() == "BAD_DATA":
                self.bad_frames += 1
                continue
            self._route(msg)

    def _route(self, msg: Any) -> None:
        target = getattr(msg, "target_system", None)
        if target is None:
            return  # HEARTBEAT and other broadcasts from a GCS: nothing for a vehicle to do
        component = getattr(msg, "target_component", 0)
        if component not in (0, mavlink.MAV_COMP_ID_AUTOPILOT1):
            return  # for a camera, a gimbal, a companion computer: not simulated
        targets = self.vehicles.values() if target == 0 else [self.vehicles[target]] if target in self.vehicles else []
        for v in targets:
            v.handle(msg, self._now)
