"""One simulated ArduCopter with no socket: frames it emits are parsed back, GCS messages are real frames."""

from __future__ import annotations

from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.fake.vehicle import VehicleConfig
from groundstation.adapters.mavlink_sim import MavVehicle, SimOptions, build_fleet


class Bench:
    def __init__(self, config: VehicleConfig | None = None, sysid: int = 1) -> None:
        member = build_fleet(SimOptions(vehicles=1, seed=3))[0]
        self._parser = mavlink.MAVLink(None)
        self.out: list[Any] = []
        self.now = 0.0
        self.v = MavVehicle(sysid, config or member.config, (), self._emit, now=self.now)
        self._gcs = mavlink.MAVLink(None, srcSystem=255, srcComponent=190)

    def _emit(self, data: bytes) -> None:
        self.out.extend(self._parser.parse_buffer(data) or [])

    def send(self, msg: Any) -> None:
        """Deliver ``msg`` as a GCS's frame would arrive: packed, then parsed, so it carries its sender."""
        parsed = mavlink.MAVLink(None).parse_buffer(msg.pack(self._gcs))
        assert parsed
        self.v.handle(parsed[0], self.now)

    @property
    def gcs(self) -> Any:
        return self._gcs

    def of(self, kind: str) -> list[Any]:
        return [m for m in self.out if m.get_type() == kind]

    def run(self, seconds: float) -> None:
        """Step the simulation ``seconds`` of simulated time, with the wall clock following along."""
        for _ in range(round(seconds * 10)):
            self.now += 0.1
            self.v.step(self.now)
            self.v.tick(self.now)
