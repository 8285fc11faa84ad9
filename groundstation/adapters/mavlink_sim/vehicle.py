"""One simulated ArduCopter on the wire: a FAKE ``Simulation`` behind a MAVLink autopilot's face.

The physics, the flight modes and the yes/no of every command stay in the FAKE model (``adapters/fake``):
this class only translates. It steps the simulation, turns its state into ArduCopter's telemetry, its
messages into STATUSTEXT, and routes what a GCS sends to the command, parameter and mission services.

While the FAKE link is dropped (a ``link_drop`` fault) the vehicle is silent and deaf, as a vehicle out of
radio range is: nothing is sent, nothing received is acted on, and queued commands are never answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.fake.params import POSITION_MODES
from groundstation.adapters.fake.scenario import ScenarioEvent
from groundstation.adapters.fake.simulation import Simulation
from groundstation.adapters.fake.vehicle import SimulatedVehicle, VehicleConfig
from groundstation.adapters.mavlink_sim.ardupilot import (
    CAPABILITIES,
    FIRMWARE_VERSION,
    GIT_HASH,
    MODE_NUMBERS,
    flight_sw_version,
    mav_severity,
)
from groundstation.adapters.mavlink_sim.commands import CommandService
from groundstation.adapters.mavlink_sim.missions import Flight, MissionItem, MissionService, items_from_waypoints
from groundstation.adapters.mavlink_sim.missions import to_flight as mission_to_flight
from groundstation.adapters.mavlink_sim.params import ParamStore, default_params
from groundstation.adapters.mavlink_sim.telemetry import Snapshot, StreamSchedule, encode
from groundstation.domain.events import Severity

log = logging.getLogger(__name__)

PREARM_REPEAT_S = 30.0  # ArduPilot repeats failing pre-arm checks to the GCS every 30 s
PARAMS_PER_TICK = 10  # a full parameter list is streamed, not burst: a radio link would drop a burst
STATUSTEXT_CHUNK = 50


class _Writer:
    """The file pymavlink's ``MAVLink.send`` writes to: the shared transport, in one call per frame."""

    def __init__(self, send: Callable[[bytes], None]) -> None:
        self._send = send

    def write(self, data: bytes) -> None:
        self._send(bytes(data))


class MavVehicle:
    """A FAKE vehicle as the MAVLink system ``sysid``; ``emit`` hands its encoded frames to the transport."""

    def __init__(
        self,
        sysid: int,
        config: VehicleConfig,
        events: Sequence[ScenarioEvent],
        emit: Callable[[bytes], None],
        *,
        now: float,
        rate_hz: float = 10.0,
        param_rate_hz: float | None = None,
    ) -> None:
        self.sysid = sysid
        self.sim = Simulation(config, events, rate_hz=rate_hz)
        self.mav = mavlink.MAVLink(_Writer(emit), srcSystem=sysid, srcComponent=1)
        self.params = ParamStore(
            default_params(sysid, config.battery_mah, config.cruise_speed_mps), on_change=self._apply_param
        )
        self.streams = StreamSchedule(now)
        self.missions = MissionService(self.mav, self.send, lambda: self.config.home, self._commit_mission)
        self.commands = CommandService(self)
        self._flight = Flight((), (), config.mission_end)
        self._current_item: int | None = None  # a navigation item made current that the model does not fly
        if config.mission:
            self.missions.load(items_from_waypoints(config.home, config.mission, config.mission_end))
            self._flight = mission_to_flight(self.missions.items, config.home)
        self.home_known = False
        self._param_queue: list[int] = []  # indices still to send of a PARAM_REQUEST_LIST
        # None: PARAMS_PER_TICK a tick; else one PARAM_VALUE of the list every 1/rate s (a slow radio's pace,
        # for tests that must watch a download half done).
        self._param_interval_s = None if param_rate_hz is None else 1.0 / param_rate_hz
        self._next_param_s = now
        self._statustext_id = 0
        self._next_prearm_s = 0.0
        self._last_mode = self.vehicle.s.mode
        self._last_armed = False
        self._last_wp = 0

    @property
    def vehicle(self) -> SimulatedVehicle:
        return self.sim.vehicle

    @property
    def config(self) -> VehicleConfig:
        return self.sim.vehicle.config

    @property
    def name(self) -> str:
        return f"{self.config.name} (sysid {self.sysid})"

    # ------------------------------------------------------------------------------------------ sending
    def send(self, msg: Any) -> None:
        """Encode and emit ``msg`` with this vehicle's next sequence number; nothing while the link is down."""
        if self.sim.link_up:
            self.mav.send(msg)

    def statustext(self, severity: int, text: str) -> None:
        """STATUSTEXT, split into 50-byte chunks with a shared id as ArduPilot does for long texts."""
        data = text.encode("ascii", "replace")
        chunks = [data[i : i + STATUSTEXT_CHUNK] for i in range(0, len(data), STATUSTEXT_CHUNK)] or [b""]
        text_id = 0
        if len(chunks) > 1 or len(data) == STATUSTEXT_CHUNK:
            self._statustext_id = self._statustext_id % 65535 + 1
            text_id = self._statustext_id
        for n, chunk in enumerate(chunks):
            self.send(self.mav.statustext_encode(severity, chunk, text_id, n))

    def snapshot(self) -> Snapshot:
        sample = self.sim.sample(f"mav-{self.sysid}", datetime.now(UTC))
        return Snapshot(
            sample,
            self.vehicle,
            round(self.sim.time_s * 1000),
            MODE_NUMBERS.get(sample.mode or "", 0),
            self.config.home,
            self.home_known,
            self.mission_seq(),
            len(self.missions.items),
        )

    def send_message(self, name: str) -> bool:
        """Send one message now (REQUEST_MESSAGE); False if this vehicle does not produce it."""
        if name == "AUTOPILOT_VERSION":
            self.send(self._autopilot_version())
            return True
        if name == "HOME_POSITION" and not self.home_known:
            return True  # asked before home is set: ArduPilot accepts and sends nothing
        try:
            self.send(encode(name, self.mav, self.snapshot()))
        except KeyError:
            return False
        return True

    def _autopilot_version(self) -> Any:
        custom = list(GIT_HASH.ljust(8, b"\0"))
        return self.mav.autopilot_version_encode(
            CAPABILITIES,
            flight_sw_version(FIRMWARE_VERSION),
            0,
            0,
            0,
            custom,
            [0] * 8,
            [0] * 8,
            0x1209,
            0x5740,
            0x5349_4D00 + self.sysid,
        )

    # ------------------------------------------------------------------------------------------ running
    def step(self, now: float) -> None:
        """Advance the simulation one step and say what happened."""
        out = self.sim.step()
        for ticket, result in out.results:
            self.commands.resolve(ticket, result)
        for severity, text in out.messages:
            self._say(severity, text)
        self._watch()

    def tick(self, now: float) -> None:
        """Wall-clock duties: streams due, parameter list in flight, stalled uploads, stale ACK memory."""
        if not self.sim.link_up:
            return
        due = self.streams.due(now)
        if due:
            snap = self.snapshot()
            for name in due:
                self.send(encode(name, self.mav, snap))
        self._stream_params(now)
        self.missions.tick(now)
        self.commands.expire(now)

    def next_due(self) -> float:
        due = self.streams.next_due()
        if self._param_queue and self._param_interval_s is not None:
            due = min(due, self._next_param_s)
        return due

    def _stream_params(self, now: float) -> None:
        if self._param_interval_s is None:
            for _ in range(min(PARAMS_PER_TICK, len(self._param_queue))):
                self._send_param(self._param_queue.pop(0))
            return
        while self._param_queue and now >= self._next_param_s:
            self._send_param(self._param_queue.pop(0))
            self._next_param_s = max(self._next_param_s + self._param_interval_s, now - self._param_interval_s)

    def _say(self, severity: Severity, text: str) -> None:
        self.statustext(mav_severity(severity, text), text)
        log.info("%s: %s", self.name, text)

    def _watch(self) -> None:
        """Turn the model's transitions into what ArduCopter sends when they happen."""
        v = self.vehicle
        if not self.home_known and v.gps.has_position:
            self.home_known = True  # ArduCopter sets home at the first fix and tells the GCS
            self.send_message("HOME_POSITION")
        if not v.s.armed and not v.gps.has_position and self.sim.time_s >= self._next_prearm_s:
            self._next_prearm_s = self.sim.time_s + PREARM_REPEAT_S
            self.statustext(mavlink.MAV_SEVERITY_CRITICAL, "PreArm: Need Position Estimate")
        if v.s.mode != self._last_mode or v.s.armed != self._last_armed:
            log.info("%s: %s, %s", self.name, v.s.mode, "armed" if v.s.armed else "disarmed")
            self._last_mode, self._last_armed = v.s.mode, v.s.armed
        wp = v.s.wp_index
        if self._current_item is not None and (wp != self._last_wp or (v.s.mode == "AUTO" and v.s.armed)):
            self._current_item = None
        if wp != self._last_wp:
            if self._last_wp < len(self._flight.seqs) and v.s.mode == "AUTO":
                self.send(self.mav.mission_item_reached_encode(self._flight.seqs[self._last_wp]))
            self._last_wp = wp

    # ------------------------------------------------------------------------------------------ routing
    def handle(self, msg: Any, now: float) -> None:
        """Act on one message from a GCS addressed to this vehicle (or to everyone)."""
        if not self.sim.link_up:
            return
        kind = msg.get_type()
        if self.missions.handle(msg, now):
            return
        if kind == "COMMAND_LONG":
            self.commands.handle_long(msg, now)
        elif kind == "COMMAND_INT":
            self.commands.handle_int(msg, now)
        elif kind == "SET_MODE":
            self.commands.handle_set_mode(msg, now)
        elif kind == "SET_POSITION_TARGET_GLOBAL_INT":
            self.commands.handle_position_target(msg)
        elif kind == "MISSION_SET_CURRENT":
            # ArduPilot's answer: MISSION_CURRENT echoing the number asked for (even 0, which it never holds)
            # when it took the item; nothing when it refused. The periodic report then says the real item.
            if self.set_mission_current(msg.seq) is not None:
                self.send(self.mav.mission_current_encode(msg.seq, len(self.missions.items)))
        elif kind == "REQUEST_DATA_STREAM":
            self.streams.request_stream(msg.req_stream_id, msg.req_message_rate, bool(msg.start_stop), now)
        elif kind == "PARAM_REQUEST_LIST":
            self._param_queue = list(range(len(self.params)))
            self._next_param_s = max(self._next_param_s, now)
        elif kind == "PARAM_REQUEST_READ":
            param = self.params.lookup(msg.param_id, msg.param_index)
            if param is not None:
                self._send_param(param.index)
        elif kind == "PARAM_SET":
            param = self.params.set(msg.param_id, msg.param_value)
            if param is not None:
                self._send_param(param.index)  # PARAM_VALUE has no target: every GCS sees the echo

    def _send_param(self, index: int) -> None:
        param = self.params.at(index)
        if param is not None:
            name = param.name.encode("ascii")
            self.send(self.mav.param_value_encode(name, param.value, param.type, len(self.params), param.index))

    def _apply_param(self, name: str, value: float) -> None:
        """Carry a parameter into the FAKE model where it has a knob for it (see ``params.WIRED``)."""
        v = self.vehicle
        if name == "WPNAV_SPEED":
            v.speed_mps = max(0.5, value / 100.0)
        elif name == "BATT_CAPACITY" and value > 0:
            v.battery.capacity_mah = value
        log.info("%s: parameter %s set to %g", self.name, name, value)

    # ------------------------------------------------------------------------------------------ missions
    def _commit_mission(self, items: list[MissionItem]) -> None:
        """Give the FAKE vehicle the uploaded mission (the waypoints it can fly; item 0 is home)."""
        v = self.vehicle
        flight = mission_to_flight(items, self.config.home) if items else Flight((), (), self.config.mission_end)
        self._flight = flight
        self._current_item = None
        v.load_mission(flight.waypoints, flight.end)
        self._last_wp = v.s.wp_index
        log.info("%s: mission of %d items (%d waypoints flown)", self.name, len(items), len(flight.waypoints))

    def mission_seq(self) -> int:
        if self._current_item is not None:
            return self._current_item
        seqs = self._flight.seqs
        if not seqs:
            return 0
        return seqs[min(self.vehicle.s.wp_index, len(seqs) - 1)]

    def set_mission_current(self, seq: int) -> int | None:
        """Make item ``seq`` current as ArduCopter does (``AP_Mission::set_current_cmd``): refused (None) for
        an item past the end or when the mission holds only home; 0 restarts the mission at item 1; a DO
        item gives way to the first navigation item after it. Returns the item now current.

        The model flies waypoints only: a navigation item it does not fly (a TAKEOFF without a position, a
        LAND or RTL at the end) is reported current until the vehicle flies in AUTO, then the model goes on to
        the next waypoint (ArduCopter would climb or land first)."""
        items = self.missions.items
        if not 0 <= seq < len(items) or len(items) == 1:
            return None
        nav = next((item.seq for item in items[max(seq, 1) :] if item.command <= mavlink.MAV_CMD_NAV_LAST), None)
        if nav is None:
            return None
        index = next((i for i, s in enumerate(self._flight.seqs) if s >= nav), None)
        if index is not None:
            self.vehicle.set_mission_index(index)
            self._last_wp = index
        self._current_item = None if index is not None and self._flight.seqs[index] == nav else nav
        return nav

    def position_modes_need_fix(self, mode: str) -> bool:
        """Whether ``mode`` would be refused now for want of a position estimate."""
        return mode in POSITION_MODES and not self.vehicle.gps.has_position
