"""One simulated multirotor that flies like an ArduCopter: a pure, synchronous model advanced by ``step(dt)``.

No asyncio and no wall clock here: the state after N steps is a function of the seed, the configuration
and the commands and faults applied at each step index, which is what lets tests compare whole sample
sequences and lets an operator replay a scenario and see the same flight.

The numbers are ArduCopter's defaults where it has one (WPNAV_SPEED_UP 2.5 m/s, LAND_SPEED 0.5 m/s,
RTL_ALT 15 m, DISARM_DELAY 10 s, battery failsafe RTL then LAND). Checking whether a command makes sense
lives in ``vehicle_commands``; the methods here only carry out what was decided.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime

from groundstation.adapters.fake.flight_modes import Controls, MissionEnd, guidance
from groundstation.adapters.fake.geo import Home, LocalFrame, course_deg, wrap_180
from groundstation.adapters.fake.params import (
    ACCEL_XY_MPSS,
    ACCEL_Z_MPSS,
    BATT_CRITICAL_PCT,
    BATT_LOW_PCT,
    DISARM_DELAY_S,
    DRAG_PER_S,
    GRAVITY,
    POSITION_MODES,
    YAW_RATE_DPS,
)
from groundstation.adapters.fake.sensors import Battery, GpsReceiver, RadioLink, Wind, model_rng
from groundstation.domain.events import Severity
from groundstation.domain.telemetry import TelemetrySample


@dataclass(frozen=True, slots=True)
class Waypoint:
    lat_deg: float
    lon_deg: float
    alt_m: float  # above home


@dataclass(frozen=True, slots=True)
class VehicleConfig:
    name: str
    home: Home
    seed: int
    mission: tuple[Waypoint, ...] = ()
    mission_end: MissionEnd = MissionEnd.LOITER
    battery_mah: float = 5200.0
    cruise_speed_mps: float = 8.0
    gps_warmup_s: float = 3.0


@dataclass(slots=True)
class _Failsafes:
    battery_low: bool = False
    battery_critical: bool = False
    gps_lost: bool = False


@dataclass(slots=True)
class _State:
    east: float = 0.0
    north: float = 0.0
    up: float = 0.0
    v_east: float = 0.0
    v_north: float = 0.0
    v_up: float = 0.0
    yaw: float = 0.0
    roll: float = 0.0
    pitch: float = 0.0
    landed: bool = True
    armed: bool = False
    mode: str = "STABILIZE"
    target: tuple[float, float, float] | None = None  # GUIDED/LOITER/LAND hold point (east, north, up)
    alt_hold_m: float = 0.0
    wp_index: int = 0
    rtl_phase: str = "climb"
    ground_armed_s: float = 0.0
    motor_failed: bool = False
    freefall: bool = False
    failsafes: _Failsafes = field(default_factory=_Failsafes)


class SimulatedVehicle:
    """A quadrotor's flight controller, airframe, battery, GPS and radio, stepped at a fixed ``dt``."""

    def __init__(self, config: VehicleConfig) -> None:
        self.config = config
        self.frame = LocalFrame(config.home)
        self.time_s = 0.0
        self.speed_mps = config.cruise_speed_mps
        self.s = _State(yaw=model_rng(config.seed, "yaw").uniform(0.0, 360.0))
        self.battery = Battery(model_rng(config.seed, "battery"), capacity_mah=config.battery_mah)
        self.gps = GpsReceiver(model_rng(config.seed, "gps"), warmup_s=config.gps_warmup_s)
        self.link = RadioLink(model_rng(config.seed, "link"))
        self.wind = Wind(model_rng(config.seed, "wind"))
        self._noise = model_rng(config.seed, "imu")
        self._baro_err = 0.0
        self._ever_had_fix = False
        self.messages: list[tuple[Severity, str]] = []
        self.mission_local = tuple((*self.frame.to_local(w.lat_deg, w.lon_deg), w.alt_m) for w in config.mission)

    # ------------------------------------------------------------------------------------------ queries
    @property
    def flying(self) -> bool:
        return not self.s.landed

    @property
    def groundspeed(self) -> float:
        return math.hypot(self.s.v_east, self.s.v_north)

    def distance_from_home_m(self) -> float:
        return math.hypot(self.s.east, self.s.north)

    def say(self, severity: Severity, text: str) -> None:
        """Queue a STATUSTEXT-like message; the link delivers (or, during a link drop, loses) it."""
        self.messages.append((severity, text))

    def drain_messages(self) -> list[tuple[Severity, str]]:
        out, self.messages = self.messages, []
        return out

    # ------------------------------------------------------------------------------------------ effects
    def arm(self) -> None:
        self.s.armed = True
        self.s.ground_armed_s = 0.0
        self.say(Severity.INFO, "Arming motors")

    def disarm(self, reason: str) -> None:
        self.s.armed = False
        self.s.target = None
        if self.flying:
            self.s.freefall = True
        self.say(Severity.INFO if self.s.landed else Severity.CRITICAL, f"Disarming motors: {reason}")

    def enter_mode(self, mode: str) -> None:
        """Switch mode and set up what the mode flies from where the vehicle is now."""
        s = self.s
        s.mode = mode
        here = (s.east, s.north, s.up)
        if mode in ("LOITER", "GUIDED", "LAND"):
            s.target = here
        elif mode == "ALT_HOLD":
            s.alt_hold_m = s.up
        elif mode == "RTL":
            s.rtl_phase = "climb"
        elif mode == "AUTO" and s.wp_index >= len(self.mission_local):
            s.wp_index = 0

    def load_mission(self, waypoints: tuple[Waypoint, ...], end: MissionEnd) -> None:
        """Replace the mission AUTO flies (a ground station uploaded one). A vehicle flying AUTO carries on
        from the same index if the new mission is long enough, as ArduCopter does, else from the start."""
        self.config = replace(self.config, mission=waypoints, mission_end=end)
        self.mission_local = tuple((*self.frame.to_local(w.lat_deg, w.lon_deg), w.alt_m) for w in waypoints)
        if self.s.wp_index >= len(waypoints) or self.s.mode != "AUTO":
            self.s.wp_index = 0

    def set_mission_index(self, index: int) -> None:
        """Make waypoint ``index`` the one AUTO flies to next."""
        if not 0 <= index < len(self.mission_local):
            raise ValueError(f"waypoint {index} is not in a mission of {len(self.mission_local)}")
        self.s.wp_index = index

    def take_off(self, alt_m: float) -> None:
        self.s.target = (self.s.east, self.s.north, alt_m)

    def fly_to(self, lat_deg: float, lon_deg: float, alt_m: float) -> None:
        self.enter_mode("GUIDED")
        self.s.target = (*self.frame.to_local(lat_deg, lon_deg), alt_m)

    def fail_motor(self) -> None:
        self.s.motor_failed = True
        self.say(Severity.CRITICAL, "Motor failure: thrust lost, vehicle descending")
        if self.flying and self.s.armed:
            self.s.mode = "LAND"
        elif self.s.armed:
            self.disarm("motor failure")

    # ------------------------------------------------------------------------------------------- step
    def step(self, dt: float) -> None:
        self.time_s += dt
        had_fix = self.gps.has_position
        self.wind.step(dt)
        self.gps.step(dt)
        self._gps_transitions(had_fix)
        controls = guidance(self)
        self._move(dt, controls)
        self._power(dt)
        self.link.step(dt, self.distance_from_home_m())
        self._baro_err = self._baro_err * math.exp(-dt / 20.0) + self._noise.gauss(0.0, 0.03 * math.sqrt(dt))
        self._auto_disarm(dt)

    def _gps_transitions(self, had_fix: bool) -> None:
        s = self.s
        if self.gps.has_position and not had_fix:
            if self._ever_had_fix:
                self.say(Severity.INFO, f"GPS 1: fix regained ({self.gps.satellites} satellites)")
            else:
                self.say(Severity.INFO, "EKF3 IMU0 is using GPS")
            self._ever_had_fix = True
            s.failsafes.gps_lost = False
        elif had_fix and not self.gps.has_position:
            s.failsafes.gps_lost = True
            self.say(Severity.WARNING, "GPS 1: lost fix")
            if s.armed and self.flying and s.mode in POSITION_MODES:
                self.enter_mode("LAND")
                self.say(Severity.CRITICAL, "EKF Failsafe: changed to LAND Mode")

    def _move(self, dt: float, c: Controls) -> None:
        s = self.s
        ve0, vn0 = s.v_east, s.v_north
        if s.freefall:
            s.v_up -= GRAVITY * dt
            fall = math.exp(-dt * DRAG_PER_S * 4)
            s.v_east = self.wind.east_mps + (s.v_east - self.wind.east_mps) * fall
            s.v_north = self.wind.north_mps + (s.v_north - self.wind.north_mps) * fall
        else:
            de, dn = c.east - s.v_east, c.north - s.v_north
            dv = math.hypot(de, dn)
            limit = ACCEL_XY_MPSS * dt
            if dv > limit:
                de, dn = de / dv * limit, dn / dv * limit
            s.v_east += de
            s.v_north += dn
            s.v_up += max(-ACCEL_Z_MPSS * dt, min(ACCEL_Z_MPSS * dt, c.up - s.v_up))
            if s.landed and s.v_up <= 0.0:
                s.v_east = s.v_north = s.v_up = 0.0
        s.east += s.v_east * dt
        s.north += s.v_north * dt
        s.up += s.v_up * dt
        if s.landed and s.up > 0.05:
            s.landed = False
            s.ground_armed_s = 0.0
        if not s.landed and s.up <= 0.0:
            self._touch_down()
        self._attitude(dt, (s.v_east - ve0) / dt, (s.v_north - vn0) / dt, c.face_course)

    def _touch_down(self) -> None:
        s = self.s
        impact = -s.v_up
        s.up = 0.0
        s.v_east = s.v_north = s.v_up = 0.0
        s.landed = True
        if s.freefall or impact > 3.0:
            self.say(Severity.CRITICAL, f"Crash: hit the ground at {impact:.1f} m/s")
        s.freefall = False
        if s.armed:
            self.say(Severity.INFO, "Land complete")
            self.disarm("landed")

    def _attitude(self, dt: float, a_east: float, a_north: float, face_course: bool) -> None:
        s = self.s
        if s.motor_failed and s.armed:
            s.yaw = (s.yaw + 200.0 * dt) % 360.0
        elif face_course and self.groundspeed > 1.0:
            turn = wrap_180(course_deg(s.v_east, s.v_north) - s.yaw)
            s.yaw = (s.yaw + max(-YAW_RATE_DPS * dt, min(YAW_RATE_DPS * dt, turn))) % 360.0
        if s.landed:
            s.roll, s.pitch = 0.4, -0.3  # the ground is never quite level
            return
        # Tilt is what a multirotor accelerates and fights drag with: thrust direction follows both.
        te = a_east + DRAG_PER_S * (s.v_east - self.wind.east_mps)
        tn = a_north + DRAG_PER_S * (s.v_north - self.wind.north_mps)
        yaw = math.radians(s.yaw)
        forward = te * math.sin(yaw) + tn * math.cos(yaw)
        right = te * math.cos(yaw) - tn * math.sin(yaw)
        shake = 12.0 if s.motor_failed or s.freefall else 0.4
        want_pitch = -math.degrees(math.atan2(forward, GRAVITY)) + self._noise.gauss(0.0, shake)
        want_roll = math.degrees(math.atan2(right, GRAVITY)) + self._noise.gauss(0.0, shake)
        k = min(1.0, dt / 0.15)
        s.pitch += (want_pitch - s.pitch) * k
        s.roll += (want_roll - s.roll) * k

    def _power(self, dt: float) -> None:
        s = self.s
        if not s.armed:
            load = 0.0
        elif s.landed:
            load = 2.5
        else:
            air = math.hypot(s.v_east - self.wind.east_mps, s.v_north - self.wind.north_mps)
            load = 14.0 + 6.0 * max(s.v_up, 0.0) - 1.5 * max(-s.v_up, 0.0) + 0.06 * air * air
        self.battery.step(dt, load)
        fs = s.failsafes
        if not (s.armed and self.flying):
            return
        if self.battery.pct <= BATT_CRITICAL_PCT and not fs.battery_critical:
            fs.battery_critical = fs.battery_low = True
            self.say(Severity.CRITICAL, f"Battery 1 is critical {self.battery.voltage:.2f}V: changed to LAND Mode")
            if not s.motor_failed:
                self.enter_mode("LAND")
        elif self.battery.pct <= BATT_LOW_PCT and not fs.battery_low:
            fs.battery_low = True
            action = "RTL" if self.gps.has_position else "LAND"
            self.say(Severity.CRITICAL, f"Battery 1 is low {self.battery.voltage:.2f}V: changed to {action} Mode")
            if not s.motor_failed and s.mode not in ("LAND", "RTL"):
                self.enter_mode(action)

    def _auto_disarm(self, dt: float) -> None:
        s = self.s
        if not (s.armed and s.landed):
            return
        climbing = s.target is not None and s.target[2] > 0.0 and s.mode in ("GUIDED", "LOITER")
        if s.mode == "AUTO" and self.mission_local and s.wp_index < len(self.mission_local):
            climbing = True
        if climbing:
            return
        s.ground_armed_s += dt
        if s.ground_armed_s >= DISARM_DELAY_S:
            self.disarm(f"no takeoff within {DISARM_DELAY_S:.0f} s (DISARM_DELAY)")

    # ---------------------------------------------------------------------------------------- telemetry
    def sample(self, session_id: str, time: datetime) -> TelemetrySample:
        """What the vehicle reports now; position stays None until the GPS has had its first fix."""
        s = self.s
        known = self._ever_had_fix
        lat = lon = alt_msl = home_lat = home_lon = None
        if known:
            lat, lon = self.frame.to_geo(s.east + self.gps.error_east_m, s.north + self.gps.error_north_m)
            alt_msl = round(self.config.home.alt_msl_m + s.up + self.gps.error_up_m, 2)
            home_lat, home_lon = self.config.home.lat_deg, self.config.home.lon_deg
        air = math.hypot(s.v_east - self.wind.east_mps, s.v_north - self.wind.north_mps)
        return TelemetrySample(
            session_id=session_id,
            time=time,
            lat_deg=None if lat is None else round(lat, 7),
            lon_deg=None if lon is None else round(lon, 7),
            alt_msl_m=alt_msl,
            alt_rel_m=round(s.up + (self._baro_err if self.flying else 0.0), 2),
            roll_deg=round(s.roll, 2),
            pitch_deg=round(s.pitch, 2),
            yaw_deg=round(wrap_180(s.yaw), 2),
            heading_deg=round(s.yaw % 360.0, 1),
            groundspeed_mps=round(self.groundspeed, 2),
            airspeed_mps=round(air if self.flying else 0.0, 2),
            climb_mps=round(s.v_up, 2),
            battery_pct=round(self.battery.pct, 1),
            battery_v=round(self.battery.voltage, 2),
            battery_a=round(self.battery.current_a, 2),
            mode=s.mode,
            armed=s.armed,
            system_status=self._system_status(),
            gps_fix=self.gps.fix,
            satellites=self.gps.satellites,
            hdop=self.gps.hdop,
            link_quality_pct=self.link.quality_pct,
            home_lat_deg=home_lat,
            home_lon_deg=home_lon,
        )

    def _system_status(self) -> str:
        s = self.s
        if s.motor_failed or s.freefall:
            return "EMERGENCY"
        if not s.armed:
            return "STANDBY"
        fs = s.failsafes
        return "CRITICAL" if fs.battery_low or fs.gps_lost else "ACTIVE"
