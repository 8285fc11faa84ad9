"""What a ``fake://NAME?...`` URL asks for, checked before anything runs.

``fake://NAME?seed=N&scenario=NAME_OR_PATH&speed=F&rate_hz=10&lat=&lon=&alt=&sysid=``

- ``scenario``: a path to a .toml file, or a bare name looked up as ``<dir>/<name>.toml`` in the adapter's
  scenario directories; NAME then picks that vehicle of the scenario. Without it, NAME is a lone vehicle
  on the ground at ``lat``/``lon``/``alt`` (a default home near Zurich), disarmed, in STABILIZE.
- ``seed`` overrides the scenario's seed (the demo fleet uses it to vary otherwise equal vehicles).
- ``speed`` runs simulated time that many times faster than wall time; ``rate_hz`` is the step and sample
  rate in simulated time.
Unknown options are refused: a misspelt ``sped=10`` must not silently run at normal speed.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from groundstation.adapters.fake.geo import Home
from groundstation.adapters.fake.scenario import ScenarioEvent, load_scenario
from groundstation.adapters.fake.vehicle import VehicleConfig
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import ConnectionSpec

DEFAULT_HOME = Home(47.397742, 8.545594, 488.0)
KNOWN_OPTIONS = ("seed", "scenario", "speed", "rate_hz", "lat", "lon", "alt", "sysid")
_FIELD = "connection.url"
_BARE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class LinkSetup:
    """Everything a FAKE link needs to run, resolved from its URL."""

    vehicle: VehicleConfig
    events: tuple[ScenarioEvent, ...]
    speed: float
    rate_hz: float
    system_id: int


def vehicle_name(spec: ConnectionSpec) -> str:
    return spec.device_key.removeprefix("fake:")


def resolve_link_setup(spec: ConnectionSpec, scenario_dirs: Sequence[Path]) -> LinkSetup:
    """Read and check every option of ``spec``; InvalidError naming the option that is wrong."""
    options = spec.options
    unknown = sorted(set(options) - set(KNOWN_OPTIONS))
    if unknown:
        raise InvalidError(f"unknown FAKE option {unknown[0]!r} (expected {', '.join(KNOWN_OPTIONS)})", field=_FIELD)
    name = vehicle_name(spec)
    seed = _integer(options["seed"], "seed", 0, 2**31 - 1) if "seed" in options else None
    speed = _number(options.get("speed", "1"), "speed", 0.01, 1000.0)
    rate_hz = _number(options.get("rate_hz", "10"), "rate_hz", 1.0, 50.0)
    events: tuple[ScenarioEvent, ...] = ()
    if "scenario" in options:
        placed = [key for key in ("lat", "lon", "alt") if key in options]
        if placed:
            raise InvalidError(
                f"{placed[0]} sets the home of a vehicle without a scenario; the scenario sets {name}'s home",
                field=_FIELD,
            )
        scenario = load_scenario(find_scenario(options["scenario"], scenario_dirs))
        vehicle = scenario.vehicle(name)
        if seed is not None:
            vehicle = replace(vehicle, seed=seed)
        events = scenario.events_for(name)
    else:
        home = Home(
            _number(options.get("lat", str(DEFAULT_HOME.lat_deg)), "lat", -90.0, 90.0),
            _number(options.get("lon", str(DEFAULT_HOME.lon_deg)), "lon", -180.0, 180.0),
            _number(options.get("alt", str(DEFAULT_HOME.alt_msl_m)), "alt", -500.0, 9000.0),
        )
        vehicle = VehicleConfig(name=name, home=home, seed=seed if seed is not None else zlib.crc32(name.encode()))
    sysid = int(options["sysid"]) if "sysid" in options else 1 + vehicle.seed % 250
    return LinkSetup(vehicle, events, speed, rate_hz, sysid)


def find_scenario(value: str, scenario_dirs: Sequence[Path]) -> Path:
    """A path as given, or a bare name found as ``<dir>/<name>.toml`` in the first directory that has it."""
    if value.endswith(".toml") or "/" in value or "\\" in value:
        path = Path(value).expanduser()
        if not path.is_file():
            raise InvalidError(f"scenario file {path} does not exist", field=_FIELD)
        return path
    if not _BARE_NAME.match(value):
        raise InvalidError(f"scenario {value!r} is neither a .toml path nor a scenario name", field=_FIELD)
    for directory in scenario_dirs:
        candidate = directory / f"{value}.toml"
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for d in scenario_dirs if d.is_dir() for p in d.glob("*.toml")})
    listing = f"known scenarios: {', '.join(known)}" if known else "no scenario directory holds any"
    raise InvalidError(f"no scenario named {value!r} ({listing})", field=_FIELD)


def _number(text: str, key: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidError(f"{key} must be a number from {low:g} to {high:g}, got {text!r}", field=_FIELD)
    return value


def _integer(text: str, key: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidError(f"{key} must be an integer from {low} to {high}, got {text!r}", field=_FIELD)
    return int(text)
