"""QGroundControl .plan and QGC WPL 110 .waypoints: round trips, complex items, and errors naming the place."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from groundstation.adapters.mavlink.mission_files import (
    format_plan,
    format_waypoints,
    load_mission,
    parse_plan,
    parse_waypoints,
    save_mission,
)
from groundstation.domain.errors import InvalidError
from groundstation.domain.missions import HomePosition, Mission, MissionItem

MISSION = Mission(
    items=(
        MissionItem(seq=0, command=22, frame=3, z=20.0),
        MissionItem(seq=1, command=16, frame=3, param4=math.nan, x=47.3977419, y=8.5455939, z=50.0),
        MissionItem(seq=2, command=177, frame=2, param1=2.0, param2=3.0, autocontinue=False),
        MissionItem(seq=3, command=21, frame=3, x=-33.8688197, y=151.2092955),
    ),
    home=HomePosition(47.3975, 8.5452, 488.0),
)


def same(a: Mission, b: Mission) -> bool:
    return format_waypoints(a) == format_waypoints(b)  # NaN-aware comparison through the text


@pytest.mark.parametrize("suffix", [".plan", ".waypoints"])
def test_files_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"mission{suffix}"
    save_mission(MISSION, path)
    loaded = load_mission(path)
    assert same(loaded, MISSION)
    if suffix == ".plan":
        assert loaded.home == MISSION.home


def test_plan_writes_what_qgroundcontrol_expects() -> None:
    document = json.loads(format_plan(MISSION))
    assert document["fileType"] == "Plan"
    item = document["mission"]["items"][1]
    assert item["type"] == "SimpleItem" and item["doJumpId"] == 2 and item["autoContinue"] is True
    assert item["params"] == [0.0, 0.0, 0.0, None, 47.3977419, 8.5455939, 50.0]
    assert document["mission"]["plannedHomePosition"] == [47.3975, 8.5452, 488.0]


def test_waypoints_are_twelve_tab_separated_columns_under_the_header() -> None:
    lines = format_waypoints(MISSION).splitlines()
    assert lines[0] == "QGC WPL 110"
    assert lines[2].split("\t") == [
        *("1", "0", "3", "16", "0.0", "0.0", "0.0", "nan"),
        *("47.3977419", "8.5455939", "50.0", "1"),
    ]


def _plan(items: list[object]) -> str:
    return json.dumps({"fileType": "Plan", "mission": {"items": items, "plannedHomePosition": [1, 2, 3]}})


SIMPLE = {"type": "SimpleItem", "command": 16, "frame": 3, "params": [0, 0, 0, 0, 1, 2, 3], "autoContinue": True}


def test_survey_complex_items_are_flattened_into_their_saved_items() -> None:
    survey = {
        "type": "ComplexItem",
        "complexItemType": "survey",
        "TransectStyleComplexItem": {"Items": [SIMPLE, {**SIMPLE, "command": 206}]},
    }
    mission = parse_plan(_plan([SIMPLE, survey]))
    assert [(i.seq, i.command) for i in mission.items] == [(0, 16), (1, 16), (2, 206)]


def test_other_complex_items_are_refused_by_name() -> None:
    with pytest.raises(InvalidError, match=r"mission.items\[1\]: the StructureScan complex item cannot be imported"):
        parse_plan(_plan([SIMPLE, {"type": "ComplexItem", "complexItemType": "StructureScan"}]))


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("{not json", "line 1", "not valid JSON"),
        (json.dumps({"fileType": "Mission"}), "fileType", '"fileType" must be "Plan"'),
        (_plan([{**SIMPLE, "params": [0, 0]}]), "mission.items[0].params", "expected a list of 7 numbers"),
        (_plan([{**SIMPLE, "command": "waypoint"}]), "mission.items[0].command", "expected a whole number"),
        (_plan([SIMPLE, {**SIMPLE, "params": [0, 0, 0, 0, "x", 0, 0]}]), "mission.items[1].params[4]", "number"),
    ],
)
def test_plan_errors_name_the_field(text: str, field: str, words: str) -> None:
    with pytest.raises(InvalidError, match=words) as error:
        parse_plan(text)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("QGC WPL 100\n", "line 1: expected the header"),
        ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t1\t2\t3\n", "line 2: expected 12 tab-separated fields"),
        ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\tnorth\t2\t3\t1\n", "line 2: column 9 'north' is not a number"),
        ("QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t1\t2\t3\t1\n5\t0\t3\t16\t0\t0\t0\t0\t1\t2\t3\t1\n", "line 3: index 5"),
    ],
)
def test_waypoints_errors_name_the_line(text: str, words: str) -> None:
    with pytest.raises(InvalidError, match=words):
        parse_waypoints(text)


def test_mission_planner_waypoints_with_home_first_load_verbatim() -> None:
    text = "QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t-35.36\t149.16\t584.0\t1\n1\t0\t3\t22\t0\t0\t0\t0\t0\t0\t10\t1\n"
    mission = parse_waypoints(text)
    assert mission.items[0].current and mission.items[0].frame == 0
    assert mission.items[1].command == 22 and mission.items[1].z == 10.0


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidError, match=r"save as \.plan or \.waypoints"):
        save_mission(MISSION, tmp_path / "mission.kml")
