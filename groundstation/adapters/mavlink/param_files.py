"""Parameter files as the two common planners write them, and the diff a user reviews before loading one.

Mission Planner (``.param``): one ``NAME,VALUE`` per line (older files use a space or tab instead of the comma),
no types. QGroundControl (``.params``): ``sysid<TAB>compid<TAB>NAME<TAB>VALUE<TAB>TYPE`` with MAV_PARAM_TYPE numbers.
Both use ``#`` comments. The format is detected from the first line that is not a comment: five tab-separated
fields is QGroundControl, anything else Mission Planner. Errors name the line, since files are edited by hand.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from groundstation.domain.errors import InvalidError
from groundstation.domain.parameters import (
    MAX_NAME_LENGTH,
    ParamDiff,
    Parameter,
    ParamSet,
    ParamType,
    diff_params,
)


class ParamFileFormat(StrEnum):
    MISSION_PLANNER = "mission_planner"
    QGROUNDCONTROL = "qgroundcontrol"


def detect_format(text: str) -> ParamFileFormat:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return ParamFileFormat.QGROUNDCONTROL if len(stripped.split("\t")) == 5 else ParamFileFormat.MISSION_PLANNER
    return ParamFileFormat.MISSION_PLANNER


def parse_params(text: str) -> ParamSet:
    """The parameters of a file's text, in file order; a name given twice is an error (which value is meant?)."""
    file_format = detect_format(text)
    seen: dict[str, int] = {}
    params: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if file_format is ParamFileFormat.QGROUNDCONTROL:
            parameter = _parse_qgc_line(stripped, number)
        else:
            parameter = _parse_mp_line(stripped, number)
        if parameter.name in seen:
            raise InvalidError(
                f"line {number}: parameter {parameter.name} is already given on line {seen[parameter.name]}",
                field=f"line {number}",
            )
        seen[parameter.name] = number
        params.append(parameter)
    return ParamSet.of(params)


def load_params(path: Path) -> ParamSet:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidError(f"{path.name} is not a text file ({exc.reason})", field="file") from exc
    try:
        return parse_params(text)
    except InvalidError as exc:
        raise InvalidError(f"{path.name}: {exc.message}", field=exc.field) from exc


def format_params(
    params: Iterable[Parameter],
    file_format: ParamFileFormat,
    *,
    system_id: int = 1,
    component_id: int = 1,
) -> str:
    """The file text, sorted by name as both planners write it; QGroundControl needs every type known."""
    ordered = sorted(params, key=lambda p: p.name)
    if file_format is ParamFileFormat.MISSION_PLANNER:
        return "".join(f"{p.name},{format_value(p.value, p.type)}\n" for p in ordered)
    lines = ["# Onboard parameters", "#", "# Vehicle-Id Component-Id Name Value Type"]
    for p in ordered:
        if p.type is None:
            raise InvalidError(
                f"parameter {p.name} has no known type, which QGroundControl's format requires", field=p.name
            )
        lines.append(f"{system_id}\t{component_id}\t{p.name}\t{format_value(p.value, p.type)}\t{int(p.type)}")
    return "\n".join(lines) + "\n"


def save_params(
    params: Iterable[Parameter], path: Path, file_format: ParamFileFormat, *, system_id: int = 1, component_id: int = 1
) -> None:
    path.write_text(
        format_params(params, file_format, system_id=system_id, component_id=component_id), encoding="utf-8"
    )


def format_value(value: float | int, param_type: ParamType | None) -> str:
    """The shortest text that reads back as the same value the vehicle stores (float32 for REAL32)."""
    if isinstance(value, int) or (param_type is not None and param_type.is_integer):
        return str(int(value))
    if not math.isfinite(value):
        return str(value)
    if param_type is ParamType.REAL64:
        return repr(float(value))
    stored = struct.pack("<f", value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.pack("<f", float(text)) == stored:
            return format(Decimal(text), "f")  # positional, as planners write it: 500, not 5e+02
    return repr(float(value))


def diff(current: ParamSet, file_params: ParamSet) -> ParamDiff:
    """What loading ``file_params`` onto a vehicle holding ``current`` changes (see ``diff_params``)."""
    return diff_params(current, file_params)


def _parse_mp_line(line: str, number: int) -> Parameter:
    fields = [f.strip() for f in line.split(",")] if "," in line else line.split()
    if len(fields) != 2:
        raise InvalidError(
            f"line {number}: expected NAME,VALUE but found {len(fields)} field(s): {line!r}", field=f"line {number}"
        )
    name, text = fields
    return Parameter(name=_check_name(name, number), value=_parse_number(text, number))


def _parse_qgc_line(line: str, number: int) -> Parameter:
    fields = line.split("\t")
    if len(fields) != 5:
        raise InvalidError(
            f"line {number}: expected 5 tab-separated fields (sysid compid name value type), found {len(fields)}",
            field=f"line {number}",
        )
    _sysid, _compid, name, text, type_text = (f.strip() for f in fields)
    try:
        param_type = ParamType(int(type_text))
    except ValueError as exc:
        raise InvalidError(
            f"line {number}: {type_text!r} is not a MAV_PARAM_TYPE number (1 to 10)", field=f"line {number}"
        ) from exc
    value = _parse_number(text, number)
    if param_type.is_integer:
        if isinstance(value, float) and not value.is_integer():
            raise InvalidError(
                f"line {number}: {name} is {param_type.name} but its value {text} is not a whole number",
                field=f"line {number}",
            )
        value = int(value)
    else:
        value = float(value)
    return Parameter(name=_check_name(name, number), value=value, type=param_type)


def _parse_number(text: str, number: int) -> float | int:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError as exc:
        raise InvalidError(f"line {number}: {text!r} is not a number", field=f"line {number}") from exc


def _check_name(name: str, number: int) -> str:
    if not name or len(name) > MAX_NAME_LENGTH or not name.isascii() or any(c.isspace() for c in name):
        raise InvalidError(
            f"line {number}: {name!r} is not a parameter name (1 to {MAX_NAME_LENGTH} ASCII characters, no spaces)",
            field=f"line {number}",
        )
    return name
