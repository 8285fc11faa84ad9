"""Mission files: QGroundControl's ``.plan`` (JSON) and the ``QGC WPL 110`` ``.waypoints`` text both planners read.

``.plan``: ``mission.items`` of ``SimpleItem``s become items numbered in file order, ``plannedHomePosition`` the
home. Survey and corridor-scan ``ComplexItem``s are flattened into the simple items QGroundControl saved inside
them (``TransectStyleComplexItem.Items``), which is what it uploads; other complex items (structure scans, landing
patterns) are refused by name, since rebuilding their geometry is QGroundControl's own logic. JSON ``null`` params
mean "no change" (NaN on the wire) and are kept as NaN.

``.waypoints``: the items line by line, verbatim; for ArduPilot the first line is home (seq 0), and it stays an item
so that an upload gives ArduPilot the list it expects.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from groundstation.domain.errors import InvalidError
from groundstation.domain.missions import HomePosition, Mission, MissionItem

WPL_HEADER = "QGC WPL 110"
_FLATTENABLE = {"survey", "CorridorScan"}


def _number(value: Any, where: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidError(f"{where}: expected a number, found {value!r}", field=where)
    return float(value)


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidError(f"{where}: expected a whole number, found {value!r}", field=where)
    return value


def _simple_item(raw: Any, seq: int, where: str) -> MissionItem:
    if not isinstance(raw, dict):
        raise InvalidError(f"{where}: expected an object", field=where)
    params = raw.get("params")
    if not isinstance(params, list) or len(params) != 7:
        raise InvalidError(f"{where}.params: expected a list of 7 numbers", field=f"{where}.params")
    values = [_number(v, f"{where}.params[{i}]") for i, v in enumerate(params)]
    auto_continue = raw.get("autoContinue", True)
    if not isinstance(auto_continue, bool):
        raise InvalidError(f"{where}.autoContinue: expected true or false", field=f"{where}.autoContinue")
    if "doJumpId" in raw:
        _integer(raw["doJumpId"], f"{where}.doJumpId")
    return MissionItem(
        seq=seq,
        command=_integer(raw.get("command"), f"{where}.command"),
        frame=_integer(raw.get("frame"), f"{where}.frame"),
        autocontinue=auto_continue,
        param1=values[0],
        param2=values[1],
        param3=values[2],
        param4=values[3],
        x=values[4],
        y=values[5],
        z=values[6],
    )


def parse_plan(text: str) -> Mission:
    """A ``.plan`` file's mission; errors name the JSON field (``mission.items[3].params``)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidError(f"line {exc.lineno}: not valid JSON ({exc.msg})", field=f"line {exc.lineno}") from exc
    if not isinstance(document, dict) or document.get("fileType") != "Plan":
        raise InvalidError('not a QGroundControl plan: "fileType" must be "Plan"', field="fileType")
    mission = document.get("mission")
    if not isinstance(mission, dict) or not isinstance(mission.get("items"), list):
        raise InvalidError("the plan has no mission.items list", field="mission.items")
    items: list[MissionItem] = []
    for index, raw in enumerate(mission["items"]):
        where = f"mission.items[{index}]"
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind == "SimpleItem":
            items.append(_simple_item(raw, len(items), where))
        elif kind == "ComplexItem":
            items.extend(_flatten_complex(raw, len(items), where))
        else:
            raise InvalidError(f'{where}.type: expected "SimpleItem" or "ComplexItem", found {kind!r}', field=where)
    return Mission(items=tuple(items), home=_home(mission.get("plannedHomePosition")))


def _flatten_complex(raw: dict[str, Any], first_seq: int, where: str) -> list[MissionItem]:
    complex_type = raw.get("complexItemType")
    transect = raw.get("TransectStyleComplexItem")
    inner = transect.get("Items") if isinstance(transect, dict) else None
    if complex_type not in _FLATTENABLE or not isinstance(inner, list):
        raise InvalidError(
            f"{where}: the {complex_type or 'unnamed'} complex item cannot be imported; "
            "open the plan in QGroundControl and save it with the pattern converted to waypoints",
            field=where,
        )
    return [
        _simple_item(item, first_seq + offset, f"{where}.TransectStyleComplexItem.Items[{offset}]")
        for offset, item in enumerate(inner)
    ]


def _home(raw: Any) -> HomePosition | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 3:
        raise InvalidError(
            "mission.plannedHomePosition: expected [latitude, longitude, altitude]",
            field="mission.plannedHomePosition",
        )
    lat, lon, alt = (_number(v, f"mission.plannedHomePosition[{i}]") for i, v in enumerate(raw))
    return HomePosition(latitude=lat, longitude=lon, altitude=alt)


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else value


def format_plan(mission: Mission) -> str:
    """The mission as a ``.plan`` QGroundControl opens; ``doJumpId`` is seq + 1 as QGroundControl numbers items."""
    home = mission.home
    document = {
        "fileType": "Plan",
        "groundStation": "QGroundControl",
        "version": 1,
        "geoFence": {"circles": [], "polygons": [], "version": 2},
        "rallyPoints": {"points": [], "version": 2},
        "mission": {
            "version": 2,
            "firmwareType": 0,
            "vehicleType": 0,
            "cruiseSpeed": 15,
            "hoverSpeed": 5,
            "plannedHomePosition": [home.latitude, home.longitude, home.altitude] if home else [0, 0, 0],
            "items": [
                {
                    "type": "SimpleItem",
                    "command": item.command,
                    "frame": item.frame,
                    "autoContinue": item.autocontinue,
                    "doJumpId": item.seq + 1,
                    "params": [
                        _json_number(v)
                        for v in (item.param1, item.param2, item.param3, item.param4, item.x, item.y, item.z)
                    ],
                }
                for item in mission.items
            ],
        },
    }
    return json.dumps(document, indent=4) + "\n"


def parse_waypoints(text: str) -> Mission:
    """A ``QGC WPL 110`` file's items; errors name the line and the column."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != WPL_HEADER:
        raise InvalidError(f'line 1: expected the header "{WPL_HEADER}"', field="line 1")
    items: list[MissionItem] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.strip().split("\t")
        if len(fields) != 12:
            fields = line.split()
        where = f"line {number}"
        if len(fields) != 12:
            raise InvalidError(
                f"{where}: expected 12 tab-separated fields "
                f"(index current frame command p1 p2 p3 p4 lat lon alt autocontinue), found {len(fields)}",
                field=where,
            )
        ints = [_wpl_int(fields[i], where, name) for i, name in ((0, "index"), (1, "current"), (2, "frame"))]
        command = _wpl_int(fields[3], where, "command")
        autocontinue = _wpl_int(fields[11], where, "autocontinue")
        floats = [_wpl_float(fields[i], where, f"column {i + 1}") for i in range(4, 11)]
        if ints[0] != len(items):
            raise InvalidError(f"{where}: index {ints[0]} out of order, expected {len(items)}", field=where)
        items.append(
            MissionItem(
                seq=ints[0],
                current=bool(ints[1]),
                frame=ints[2],
                command=command,
                param1=floats[0],
                param2=floats[1],
                param3=floats[2],
                param4=floats[3],
                x=floats[4],
                y=floats[5],
                z=floats[6],
                autocontinue=bool(autocontinue),
            )
        )
    return Mission(items=tuple(items))


def _wpl_int(text: str, where: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if value.is_integer():
            return int(value)
        raise InvalidError(f"{where}: {name} {text!r} is not a whole number", field=where) from None


def _wpl_float(text: str, where: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidError(f"{where}: {name} {text!r} is not a number", field=where) from None


def format_waypoints(mission: Mission) -> str:
    lines = [WPL_HEADER]
    for item in mission.items:
        values = (item.param1, item.param2, item.param3, item.param4, item.x, item.y, item.z)
        columns = [item.seq, int(item.current), item.frame, item.command, *(repr(float(v)) for v in values)]
        lines.append("\t".join(str(c) for c in [*columns, int(item.autocontinue)]))
    return "\n".join(lines) + "\n"


def load_mission(path: Path) -> Mission:
    """Read a ``.plan`` or ``.waypoints`` file, chosen by its content (a WPL header, else JSON)."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        return parse_waypoints(text) if text.lstrip().startswith("QGC WPL") else parse_plan(text)
    except InvalidError as exc:
        raise InvalidError(f"{path.name}: {exc.message}", field=exc.field) from exc


def save_mission(mission: Mission, path: Path) -> None:
    """Write by the file's suffix: ``.plan`` or ``.waypoints`` (``.txt``, Mission Planner's other name for it)."""
    suffix = path.suffix.lower()
    if suffix == ".plan":
        path.write_text(format_plan(mission), encoding="utf-8")
    elif suffix in (".waypoints", ".txt"):
        path.write_text(format_waypoints(mission), encoding="utf-8")
    else:
        raise InvalidError(f"{path.name}: save as .plan or .waypoints", field="path")
