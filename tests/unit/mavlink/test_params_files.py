"""Parameter files of Mission Planner and QGroundControl: detection, round trips, errors naming the line, diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.adapters.mavlink.param_files import (
    ParamFileFormat,
    detect_format,
    diff,
    format_params,
    load_params,
    parse_params,
    save_params,
)
from groundstation.domain.errors import InvalidError
from groundstation.domain.parameters import Parameter, ParamSet, ParamType

VEHICLE = ParamSet.of(
    [
        Parameter("ARMING_CHECK", 1, ParamType.INT32, 0),
        Parameter("WPNAV_SPEED", 500.0, ParamType.REAL32, 1),
        Parameter("ATC_RAT_RLL_P", 0.135000005364418, ParamType.REAL32, 2),
        Parameter("SERIAL0_BAUD", 115, ParamType.INT8, 3),
    ]
)

QGC_TEXT = """# Onboard parameters for Vehicle 1
#
# Vehicle-Id Component-Id Name Value Type
1\t1\tARMING_CHECK\t1\t6
1\t1\tATC_RAT_RLL_P\t0.135000005364418\t9
"""

MP_TEXT = """#NOTE: 1/1/2024 Frame : Quad
ARMING_CHECK,1
ATC_RAT_RLL_P,0.135
# a comment in the middle

WPNAV_SPEED 500
"""


def test_formats_are_detected_from_the_first_line_that_is_not_a_comment() -> None:
    assert detect_format(QGC_TEXT) is ParamFileFormat.QGROUNDCONTROL
    assert detect_format(MP_TEXT) is ParamFileFormat.MISSION_PLANNER


def test_qgroundcontrol_files_carry_types() -> None:
    params = parse_params(QGC_TEXT)
    assert params["ARMING_CHECK"] == Parameter("ARMING_CHECK", 1, ParamType.INT32)
    assert params["ATC_RAT_RLL_P"].type is ParamType.REAL32


def test_mission_planner_files_have_no_types_and_accept_spaces_for_commas() -> None:
    params = parse_params(MP_TEXT)
    assert list(params) == ["ARMING_CHECK", "ATC_RAT_RLL_P", "WPNAV_SPEED"]
    assert params["ATC_RAT_RLL_P"] == Parameter("ATC_RAT_RLL_P", 0.135)
    assert params["WPNAV_SPEED"].value == 500


@pytest.mark.parametrize("file_format", list(ParamFileFormat))
def test_both_formats_round_trip_what_the_vehicle_holds(file_format: ParamFileFormat, tmp_path: Path) -> None:
    path = tmp_path / "vehicle.param"
    save_params(VEHICLE.values(), path, file_format)
    loaded = load_params(path)
    assert diff(VEHICLE, loaded).is_empty
    if file_format is ParamFileFormat.QGROUNDCONTROL:
        assert {p.name: p.type for p in loaded.values()} == {p.name: p.type for p in VEHICLE.values()}


def test_float32_values_are_written_short() -> None:
    text = format_params(VEHICLE.values(), ParamFileFormat.MISSION_PLANNER)
    assert "ATC_RAT_RLL_P,0.135\n" in text
    assert "WPNAV_SPEED,500\n" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ARMING_CHECK,1\nWPNAV_SPEED,fast\n", "line 2: 'fast' is not a number"),
        ("ARMING_CHECK,1,2\n", "line 1: expected NAME,VALUE"),
        ("# c\nA,1\nA,2\n", "line 3: parameter A is already given on line 2"),
        ("THIS_NAME_IS_FAR_TOO_LONG,1\n", "line 1: 'THIS_NAME_IS_FAR_TOO_LONG' is not a parameter name"),
        ("1\t1\tA\t1\t6\n1\t1\tB\t2\n", "line 2: expected 5 tab-separated fields"),
        ("1\t1\tA\t1\t42\n", "line 1: '42' is not a MAV_PARAM_TYPE number"),
        ("1\t1\tA\t1.5\t6\n", "line 1: A is INT32 but its value 1.5 is not a whole number"),
    ],
)
def test_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidError, match=message) as error:
        parse_params(text)
    assert error.value.field is not None and error.value.field.startswith("line ")


def test_load_errors_also_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.param"
    path.write_text("A,x\n")
    with pytest.raises(InvalidError, match=r"bad\.param: line 1"):
        load_params(path)


def test_qgroundcontrol_format_needs_types() -> None:
    with pytest.raises(InvalidError, match="no known type"):
        format_params([Parameter("A", 1.0)], ParamFileFormat.QGROUNDCONTROL)


def test_diff_reports_added_removed_and_changed_with_values() -> None:
    file_params = parse_params("ARMING_CHECK,0\nATC_RAT_RLL_P,0.135\nNEW_PARAM,3\n")
    result = diff(VEHICLE, file_params)
    assert [p.name for p in result.added] == ["NEW_PARAM"]
    assert sorted(p.name for p in result.removed) == ["SERIAL0_BAUD", "WPNAV_SPEED"]
    assert [(c.name, c.old, c.new) for c in result.changed] == [("ARMING_CHECK", 1, 0)]
