"""Scenario files: what they script, and errors that name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.adapters.fake.flight_modes import MissionEnd
from groundstation.adapters.fake.scenario import FaultKind, load_scenario, parse_scenario
from groundstation.domain.commands import CommandName
from groundstation.domain.errors import InvalidError

DEMO = Path(__file__).resolve().parents[3] / "resources" / "scenarios" / "demo.toml"

GOOD = """\
seed = 7
description = "two quads"

[[vehicle]]
name = "alpha"
home = { lat = 47.3977, lon = 8.5456, alt_msl_m = 488.0 }
seed = 1
mission = [
    { lat = 47.398, lon = 8.546, alt_m = 30 },
    { lat = 47.399, lon = 8.547, alt_m = 30 },
]
mission_end = "loop"

[[vehicle]]
name = "bravo"
home = { lat = 47.3980, lon = 8.5490 }

[[event]]
at_s = 5.0
vehicle = "alpha"
command = "takeoff"
alt_m = 20

[[event]]
at_s = 1
vehicle = "bravo"
fault = "link_drop"
duration_s = 5
"""


def _error(text: str) -> str:
    with pytest.raises(InvalidError) as caught:
        parse_scenario(text, source="fleet.toml")
    return caught.value.message


def test_a_good_scenario_loads_with_defaults_filled_in() -> None:
    scenario = parse_scenario(GOOD, source="fleet.toml")
    alpha, bravo = scenario.vehicles
    assert (alpha.name, alpha.seed, len(alpha.mission), alpha.mission_end) == ("alpha", 1, 2, MissionEnd.LOOP)
    assert bravo.seed == 7 and bravo.home.alt_msl_m == 0.0 and bravo.mission_end is MissionEnd.LOITER
    assert [e.at_s for e in scenario.events] == [1.0, 5.0]  # ordered by time
    takeoff = scenario.events_for("alpha")[0].command
    assert takeoff is not None and takeoff.name is CommandName.TAKEOFF and takeoff.params == {"alt_m": 20.0}
    fault = scenario.events_for("bravo")[0].fault
    assert fault is not None and fault.kind is FaultKind.LINK_DROP and fault.duration_s == 5.0


def test_the_demo_scenario_has_three_vehicles_that_take_off_within_seconds() -> None:
    scenario = load_scenario(DEMO)
    assert [v.name for v in scenario.vehicles] == ["alpha", "bravo", "charlie"]
    for vehicle in scenario.vehicles:
        takeoffs = [e.at_s for e in scenario.events_for(vehicle.name) if e.command and e.command.name == "takeoff"]
        assert takeoffs and takeoffs[0] < 10 and vehicle.mission_end is MissionEnd.LOOP


def test_a_toml_syntax_error_keeps_its_line() -> None:
    text = GOOD.replace('command = "takeoff"', "command = takeoff")
    message = _error(text)
    assert message.startswith("fleet.toml line 21: ")


def test_a_typod_fault_names_line_field_and_the_choices() -> None:
    message = _error(GOOD.replace('fault = "link_drop"', 'fault = "link_dorp"'))
    assert message.startswith("fleet.toml line 27: event[1].fault: unknown fault 'link_dorp' (expected one of ")
    assert "link_drop" in message and "motor_failure" in message


def test_an_unknown_key_is_an_error_not_a_silent_default() -> None:
    message = _error(GOOD.replace("seed = 1\n", "sead = 1\n"))
    assert message.startswith("fleet.toml line 7: vehicle[0].sead: unknown key 'sead'")


def test_a_wrong_type_names_the_line_of_the_value() -> None:
    message = _error(GOOD.replace("alt_m = 20\n", 'alt_m = "twenty"\n'))
    assert message == "fleet.toml line 22: event[0].alt_m: must be a number, got a string ('twenty')"


def test_a_value_inside_an_inline_table_is_found() -> None:
    message = _error(GOOD.replace("lat = 47.3980, lon = 8.5490", "lat = 47.3980, lon = 198.5"))
    assert message == "fleet.toml line 16: vehicle[1].home.lon: must be from -180 to 180, got 198.5"


def test_a_waypoint_in_a_multiline_mission_is_found() -> None:
    message = _error(GOOD.replace("{ lat = 47.399, lon = 8.547, alt_m = 30 }", "{ lat = 47.399, lon = 8.547 }"))
    assert message == "fleet.toml line 10: vehicle[0].mission[1]: missing 'alt_m'"


def test_an_event_naming_an_unknown_vehicle() -> None:
    message = _error(GOOD.replace('vehicle = "bravo"', 'vehicle = "brovo"'))
    assert message.startswith("fleet.toml line 26: event[1].vehicle: unknown vehicle 'brovo'")


def test_a_negative_time() -> None:
    message = _error(GOOD.replace("at_s = 5.0", "at_s = -5.0"))
    assert message.startswith("fleet.toml line 19: event[0].at_s: must be at least 0")


def test_an_event_with_both_a_command_and_a_fault() -> None:
    message = _error(GOOD.replace("alt_m = 20\n", 'alt_m = 20\nfault = "gps_loss"\n'))
    assert message.startswith("fleet.toml line 18: event[0]: needs exactly one of 'command' or 'fault'")


def test_a_fault_missing_its_parameter() -> None:
    message = _error(GOOD.replace("duration_s = 5\n", ""))
    assert message.startswith("fleet.toml line 24: event[1]: fault 'link_drop' needs 'duration_s'")


def test_a_command_parameter_it_does_not_take() -> None:
    message = _error(GOOD.replace("alt_m = 20\n", "alt_m = 20\nmode = 'AUTO'\n"))
    assert message.startswith("fleet.toml line 23: event[0].mode: unknown key 'mode'")


def test_a_vehicle_defined_twice() -> None:
    message = _error(GOOD.replace('name = "bravo"', 'name = "alpha"'))
    assert message.startswith("fleet.toml line 15: vehicle[1].name: vehicle 'alpha' is defined twice")


def test_a_scenario_without_vehicles() -> None:
    assert "needs at least one [[vehicle]]" in _error("seed = 1\n")


def test_comments_do_not_confuse_the_locator() -> None:
    text = GOOD.replace("[[event]]\nat_s = 1\n", "[[event]]\n# fault = 'x' in a comment\nat_s = 1\n")
    message = _error(text.replace('fault = "link_drop"', 'fault = "nope"'))
    assert message.startswith("fleet.toml line 28: event[1].fault:")


def test_loading_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidError, match="cannot read scenario"):
        load_scenario(tmp_path / "nope.toml")
