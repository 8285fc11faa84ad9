"""Scenario files: a FAKE fleet and what happens to it over time, written as TOML.

```toml
description = "Three quads flying loops"   # optional, free text
seed = 7                                   # default seed for vehicles that set none

[[vehicle]]
name = "alpha"                             # what fake://alpha picks
home = { lat = 47.3977, lon = 8.5456, alt_msl_m = 488.0 }
seed = 1                                   # optional
mission = [ { lat = 47.3980, lon = 8.5460, alt_m = 30 }, ... ]   # optional, flown in AUTO
mission_end = "loop"                       # optional: loop | loiter (default) | rtl | land
battery_mah = 16000                        # optional, default 5200
cruise_speed_mps = 8                       # optional, default 8 (WPNAV_SPEED)
gps_warmup_s = 3                           # optional, seconds to the first fix, default 3

[[event]]                                  # a command, as an operator would send it...
at_s = 5.0                                 # simulated seconds after the link opens
vehicle = "alpha"
command = "takeoff"                        # arm | disarm | takeoff | land | rtl | goto | set_mode | change_speed
alt_m = 20                                 # the command's parameters: alt_m, lat, lon, mode, speed_mps, force

[[event]]                                  # ...or a fault
at_s = 40
vehicle = "alpha"
fault = "link_drop"                        # link_drop | gps_loss (duration_s) | low_battery (pct) | motor_failure
duration_s = 5
```

Every mistake raises InvalidError naming the file, the line and the field, as
``fleet.toml line 14: event[2].fault: unknown fault 'link_dorp' (expected one of ...)``. Indices count from
0, in file order. Unknown keys are errors: a typo must never pass silently as a default.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from groundstation.adapters.fake.flight_modes import MissionEnd
from groundstation.adapters.fake.geo import Home
from groundstation.adapters.fake.toml_locator import TomlLocator, format_path
from groundstation.adapters.fake.vehicle import VehicleConfig, Waypoint
from groundstation.domain.commands import CommandName, VehicleCommand
from groundstation.domain.errors import InvalidError


class FaultKind(StrEnum):
    LINK_DROP = "link_drop"
    GPS_LOSS = "gps_loss"
    LOW_BATTERY = "low_battery"
    MOTOR_FAILURE = "motor_failure"


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    duration_s: float = 0.0
    pct: float = 0.0


@dataclass(frozen=True, slots=True)
class ScenarioEvent:
    at_s: float
    vehicle: str
    command: VehicleCommand | None = None
    fault: Fault | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    source: str
    seed: int
    vehicles: tuple[VehicleConfig, ...]
    events: tuple[ScenarioEvent, ...]  # ordered by time, file order among equal times
    description: str = ""

    def vehicle(self, name: str) -> VehicleConfig:
        for config in self.vehicles:
            if config.name == name:
                return config
        names = ", ".join(v.name for v in self.vehicles)
        raise InvalidError(f"scenario {self.source} has no vehicle {name!r} (it has {names})", field="connection.url")

    def events_for(self, name: str) -> tuple[ScenarioEvent, ...]:
        return tuple(e for e in self.events if e.vehicle == name)


KeyPath = tuple[str | int, ...]

_COMMAND_PARAMS: dict[CommandName, dict[str, type]] = {
    CommandName.ARM: {},
    CommandName.DISARM: {"force": bool},
    CommandName.TAKEOFF: {"alt_m": float},
    CommandName.LAND: {},
    CommandName.RTL: {},
    CommandName.GOTO: {"lat": float, "lon": float, "alt_m": float},
    CommandName.SET_MODE: {"mode": str},
    CommandName.CHANGE_SPEED: {"speed_mps": float},
}
_FAULT_PARAMS: dict[FaultKind, tuple[str, ...]] = {
    FaultKind.LINK_DROP: ("duration_s",),
    FaultKind.GPS_LOSS: ("duration_s",),
    FaultKind.LOW_BATTERY: ("pct",),
    FaultKind.MOTOR_FAILURE: (),
}
_VEHICLE_KEYS = ("name", "home", "seed", "mission", "mission_end", "battery_mah", "cruise_speed_mps", "gps_warmup_s")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; InvalidError (with file and line) if it cannot be flown as written."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidError(f"cannot read scenario {path}: {exc}", field="scenario") from exc
    return parse_scenario(text, source=path.name)


def parse_scenario(text: str, *, source: str = "<scenario>") -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        if where:
            message = message[: where.start()].strip()
            raise InvalidError(f"{source} line {where.group(1)}: {message}", field="scenario") from exc
        raise InvalidError(f"{source}: {message}", field="scenario") from exc
    return _Checker(text, source).scenario(data)


class _Checker:
    def __init__(self, text: str, source: str) -> None:
        self._locator = TomlLocator(text)
        self._source = source

    def fail(self, path: KeyPath, message: str) -> InvalidError:
        field = format_path(path)
        line = self._locator.line_of(path)
        where = f"{self._source} line {line}" if line is not None else self._source
        return InvalidError(f"{where}: {field}: {message}" if field else f"{where}: {message}", field=field or None)

    # ------------------------------------------------------------------------------------------ shapes
    def table(self, value: Any, path: KeyPath, allowed: Sequence[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a table, got {_kind(value)}")
        for key in value:
            if key not in allowed:
                raise self.fail((*path, key), f"unknown key {key!r} (expected one of {', '.join(allowed)})")
        return value

    def required(self, table: Mapping[str, Any], key: str, path: KeyPath) -> Any:
        if key not in table:
            raise self.fail(path, f"missing {key!r}")
        return table[key]

    def number(self, value: Any, path: KeyPath, low: float | None = None, high: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(path, f"must be a number, got {_kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = (
                f"from {low:g} to {high:g}"
                if low is not None and high is not None
                else (f"at least {low:g}" if low is not None else f"at most {high:g}")
            )
            raise self.fail(path, f"must be {bounds}, got {value!r}")
        return float(value)

    def integer(self, value: Any, path: KeyPath) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be an integer, got {_kind(value)}")
        return value

    def string(self, value: Any, path: KeyPath) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be a string, got {_kind(value)}")
        return value

    def choice(self, value: Any, path: KeyPath, what: str, options: Sequence[str]) -> str:
        text = self.string(value, path)
        if text not in options:
            raise self.fail(path, f"unknown {what} {text!r} (expected one of {', '.join(options)})")
        return text

    # ------------------------------------------------------------------------------------------ content
    def scenario(self, data: dict[str, Any]) -> Scenario:
        self.table(data, (), ("description", "seed", "vehicle", "event"))
        seed = self.integer(data.get("seed", 0), ("seed",))
        description = self.string(data.get("description", ""), ("description",))
        raw_vehicles = data.get("vehicle")
        if not isinstance(raw_vehicles, list) or not raw_vehicles:
            raise self.fail(("vehicle",), "needs at least one [[vehicle]] table")
        vehicles: list[VehicleConfig] = []
        for i, raw in enumerate(raw_vehicles):
            config = self.vehicle(raw, ("vehicle", i), seed)
            if any(v.name == config.name for v in vehicles):
                raise self.fail(("vehicle", i, "name"), f"vehicle {config.name!r} is defined twice")
            vehicles.append(config)
        raw_events = data.get("event", [])
        if not isinstance(raw_events, list):
            raise self.fail(("event",), "must be [[event]] tables")
        names = [v.name for v in vehicles]
        events = [self.event(raw, ("event", i), names) for i, raw in enumerate(raw_events)]
        events.sort(key=lambda e: e.at_s)
        return Scenario(self._source, seed, tuple(vehicles), tuple(events), description)

    def vehicle(self, raw: Any, path: KeyPath, default_seed: int) -> VehicleConfig:
        table = self.table(raw, path, _VEHICLE_KEYS)
        name = self.string(self.required(table, "name", path), (*path, "name"))
        if not _NAME.match(name):
            raise self.fail((*path, "name"), f"{name!r} is not a usable vehicle name (letters, digits, _ . -)")
        home_path = (*path, "home")
        home_table = self.table(self.required(table, "home", path), home_path, ("lat", "lon", "alt_msl_m"))
        home = Home(
            self.number(self.required(home_table, "lat", home_path), (*home_path, "lat"), -90.0, 90.0),
            self.number(self.required(home_table, "lon", home_path), (*home_path, "lon"), -180.0, 180.0),
            self.number(home_table.get("alt_msl_m", 0.0), (*home_path, "alt_msl_m"), -500.0, 9000.0),
        )
        mission = self.mission(table.get("mission", []), (*path, "mission"))
        end = self.choice(
            table.get("mission_end", "loiter"), (*path, "mission_end"), "mission end", [e.value for e in MissionEnd]
        )
        return VehicleConfig(
            name=name,
            home=home,
            seed=self.integer(table.get("seed", default_seed), (*path, "seed")),
            mission=mission,
            mission_end=MissionEnd(end),
            battery_mah=self.number(table.get("battery_mah", 5200.0), (*path, "battery_mah"), 100.0, 200_000.0),
            cruise_speed_mps=self.number(table.get("cruise_speed_mps", 8.0), (*path, "cruise_speed_mps"), 0.5, 20.0),
            gps_warmup_s=self.number(table.get("gps_warmup_s", 3.0), (*path, "gps_warmup_s"), 0.0, 600.0),
        )

    def mission(self, raw: Any, path: KeyPath) -> tuple[Waypoint, ...]:
        if not isinstance(raw, list):
            raise self.fail(path, f"must be a list of waypoints, got {_kind(raw)}")
        out: list[Waypoint] = []
        for i, item in enumerate(raw):
            p = (*path, i)
            wp = self.table(item, p, ("lat", "lon", "alt_m"))
            out.append(
                Waypoint(
                    self.number(self.required(wp, "lat", p), (*p, "lat"), -90.0, 90.0),
                    self.number(self.required(wp, "lon", p), (*p, "lon"), -180.0, 180.0),
                    self.number(self.required(wp, "alt_m", p), (*p, "alt_m"), 1.0, 500.0),
                )
            )
        return tuple(out)

    def event(self, raw: Any, path: KeyPath, vehicles: Sequence[str]) -> ScenarioEvent:
        if not isinstance(raw, dict):
            raise self.fail(path, f"must be a table, got {_kind(raw)}")
        at_s = self.number(self.required(raw, "at_s", path), (*path, "at_s"), 0.0)
        vehicle = self.choice(self.required(raw, "vehicle", path), (*path, "vehicle"), "vehicle", vehicles)
        if ("command" in raw) == ("fault" in raw):
            raise self.fail(path, "needs exactly one of 'command' or 'fault'")
        if "command" in raw:
            name = CommandName(self.choice(raw["command"], (*path, "command"), "command", list(_COMMAND_PARAMS)))
            params_spec = _COMMAND_PARAMS[name]
            self.table(raw, path, ("at_s", "vehicle", "command", *params_spec))
            params: dict[str, Any] = {}
            for key, param_type in params_spec.items():
                if key not in raw:
                    if name is CommandName.DISARM:
                        continue
                    raise self.fail(path, f"command {name.value!r} needs {key!r}")
                params[key] = self.param(raw[key], (*path, key), param_type)
            return ScenarioEvent(at_s, vehicle, command=VehicleCommand(name, params))
        kind = FaultKind(self.choice(raw["fault"], (*path, "fault"), "fault", [f.value for f in FaultKind]))
        needed = _FAULT_PARAMS[kind]
        self.table(raw, path, ("at_s", "vehicle", "fault", *needed))
        for key in needed:
            if key not in raw:
                raise self.fail(path, f"fault {kind.value!r} needs {key!r}")
        duration = self.number(raw["duration_s"], (*path, "duration_s"), 0.1, 3600.0) if "duration_s" in needed else 0.0
        pct = self.number(raw["pct"], (*path, "pct"), 0.0, 100.0) if "pct" in needed else 0.0
        return ScenarioEvent(at_s, vehicle, fault=Fault(kind, duration, pct))

    def param(self, value: Any, path: KeyPath, kind: type) -> Any:
        if kind is bool:
            if not isinstance(value, bool):
                raise self.fail(path, f"must be true or false, got {_kind(value)}")
            return value
        if kind is str:
            return self.string(value, path)
        if path[-1] == "lat":
            return self.number(value, path, -90.0, 90.0)
        if path[-1] == "lon":
            return self.number(value, path, -180.0, 180.0)
        return self.number(value, path, 0.0)


_KIND_NAMES: dict[type, str] = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}


def _kind(value: Any) -> str:
    """How a wrong value reads in a message: its TOML kind, and the value itself when it is short."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"{_KIND_NAMES.get(type(value), type(value).__name__)} ({value!r})"
