"""The Mission dialog against our simulated ArduCopter over UDP: download, add and edit waypoints, upload
with progress and see them on the vehicle, set the current item, clear after a confirmation; import and
export planner files; the mission drawn on the map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.missions import Mission, MissionItem
from groundstation.domain.models import Outcome
from groundstation.ui.main_window import MainWindow
from groundstation.ui.vehicle_setup.mission import MissionDialog
from groundstation.ui.vehicle_setup.mission_table import ALT, COMMAND, LAT, LON
from tests.ui.conftest import Loop
from tests.ui.vehicle_setup_support import (  # noqa: F401 (fixtures)
    ScriptedFiles,
    SimVehicle,
    files_fixture,
    screenshot,
    sim_vehicle_fixture,
)

pytestmark = [pytest.mark.slow, pytest.mark.peer]

WAYPOINTS = """QGC WPL 110
0\t1\t0\t16\t0\t0\t0\t0\t-35.363261\t149.165230\t584.000000\t1
1\t0\t3\t22\t0\t0\t0\t0\t0\t0\t15.000000\t1
2\t0\t3\t16\t0\t0\t0\t0\t-35.362400\t149.165230\t20.000000\t1
3\t0\t3\t16\t0\t0\t0\t0\t-35.362400\t149.166300\t25.000000\t1
4\t0\t3\t20\t0\t0\t0\t0\t0\t0\t0\t1
"""


def open_mission(window: MainWindow, sim: SimVehicle, qtbot: QtBot) -> MissionDialog:
    qtbot.waitUntil(window.vehicle.mission_button.isEnabled)
    window.vehicle.mission_button.click()
    dialog = window.dialogs.missions[sim.session.id]
    qtbot.waitUntil(lambda: not dialog.busy and "downloaded" in dialog.status.text(), timeout=15_000)
    return dialog


def answer_clear(dialog: MissionDialog, qtbot: QtBot, button: QMessageBox.StandardButton) -> None:
    dialog.clear_button.click()
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    assert dialog.confirmation is not None
    dialog.confirmation.button(button).click()


def test_edit_upload_set_current_and_clear(
    window: MainWindow,
    services: ProfileServices,
    sim_vehicle: SimVehicle,
    qtbot: QtBot,
    loop: Loop,
    tmp_path: Path,
) -> None:
    dialog = open_mission(window, sim_vehicle, qtbot)
    table = dialog.table
    assert len(table.mission_items) == 1 and table.item(0, COMMAND).text() == "WAYPOINT"  # home, as ArduPilot
    home = table.mission_items[0]

    # Three waypoints, each after the selected row, a little north of the one before.
    for _ in range(3):
        table.selectRow(table.rowCount() - 1)
        dialog.add_button.click()
    assert [i.seq for i in table.mission_items] == [0, 1, 2, 3]
    assert table.mission_items[1].x == pytest.approx(home.x + 0.0005) and table.unsent
    table.edit_cell(2, LON, f"{home.y + 0.001:.7f}")
    table.edit_cell(3, ALT, "35")
    table.edit_cell(3, LAT, "north")  # refused in words, the value stays
    assert dialog.status.text() == "Lat: 'north' is not a number"
    assert table.mission_items[3].x == pytest.approx(home.x + 0.0015)
    # Deleting renumbers.
    table.selectRow(1)
    dialog.delete_button.click()
    assert len(table.mission_items) == 3 and [i.seq for i in table.mission_items] == [0, 1, 2]
    assert window.map.missions[sim_vehicle.session.id][0][1] == (1, table.mission_items[1].x, table.mission_items[1].y)

    dialog.upload_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
    assert dialog.status.text() == "uploaded 3 items to copter one (accepted by the vehicle)"
    assert not table.unsent and dialog.bar.text() == "3 of 3 items"
    stored = sim_vehicle.vehicle.missions.items
    assert len(stored) == 3
    assert stored[1].y == round((home.y + 0.001) * 1e7) and stored[2].z == pytest.approx(35.0)

    table.selectRow(2)
    dialog.current_button.click()
    qtbot.waitUntil(lambda: "now current" in dialog.status.text(), timeout=10_000)
    assert sim_vehicle.vehicle.mission_seq() == 2 and table.current_seq == 2
    assert table.item(2, LAT).font().bold() and not table.item(1, LAT).font().bold()
    assert window.map.missions[sim_vehicle.session.id][1] == 2
    window.tabs.setCurrentWidget(window.map)
    screenshot(window.map, "map-mission.png", tmp_path)  # the mission line and numbered points, painted

    dialog.close()
    assert sim_vehicle.session.id not in window.map.missions  # drawn while the dialog is open
    window.vehicle.mission_button.click()
    assert window.dialogs.missions[sim_vehicle.session.id] is dialog and dialog.isVisible()
    assert window.map.missions[sim_vehicle.session.id][1] == 2

    answer_clear(dialog, qtbot, QMessageBox.StandardButton.Cancel)
    assert dialog.status.text() == "clear: not sent (cancelled)" and len(sim_vehicle.vehicle.missions.items) == 3
    answer_clear(dialog, qtbot, QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: "downloaded" in dialog.status.text() and not dialog.busy, timeout=15_000)
    assert len(sim_vehicle.vehicle.missions.items) == 1 and len(table.mission_items) == 1
    actions = [(e.action, e.outcome) for e in loop.run(services.audit.list()) if e.action.startswith("mission.")]
    assert actions == [
        ("mission.upload", Outcome.SUCCESS),
        ("mission.set_current", Outcome.SUCCESS),
        ("mission.clear", Outcome.SUCCESS),
    ]


def test_import_upload_and_export_planner_files(
    window: MainWindow, sim_vehicle: SimVehicle, files: ScriptedFiles, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_mission(window, sim_vehicle, qtbot)
    source = tmp_path / "survey.waypoints"
    source.write_text(WAYPOINTS)
    files.to_open.append(str(source))
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "imported" in dialog.status.text())
    table = dialog.table
    assert [table.item(r, COMMAND).text() for r in range(table.rowCount())] == [
        "WAYPOINT",
        "TAKEOFF",
        "WAYPOINT",
        "WAYPOINT",
        "RETURN_TO_LAUNCH",
    ]
    assert table.unsent and table.item(2, LAT).background().style().name != "NoBrush"
    assert table.item(2, LAT).text() == "-35.3624000"

    dialog.upload_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
    stored = sim_vehicle.vehicle.missions.items
    assert [i.command for i in stored] == [16, 22, 16, 16, 20] and stored[3].y == 1491663000
    assert table.item(2, LAT).background().style().name == "NoBrush"

    files.to_save.append((str(tmp_path / "out"), "QGroundControl plan (*.plan)"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "out.plan").exists() and not dialog.busy, timeout=10_000)
    plan = json.loads((tmp_path / "out.plan").read_text())
    assert plan["fileType"] == "Plan" and [i["command"] for i in plan["mission"]["items"]] == [16, 22, 16, 16, 20]
    files.to_save.append((str(tmp_path / "out.waypoints"), "QGroundControl plan (*.plan)"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "out.waypoints").exists() and not dialog.busy, timeout=10_000)
    assert (tmp_path / "out.waypoints").read_text().startswith("QGC WPL 110")
    table.selectRow(3)
    dialog.current_button.click()
    qtbot.waitUntil(lambda: table.current_seq == 3, timeout=10_000)
    assert sim_vehicle.vehicle.mission_seq() == 3 and table.item(1, LAT).text() == ""  # takeoff: no position
    table.clearSelection()
    screenshot(dialog, "mission.png", tmp_path)


def test_the_current_item_follows_the_vehicle(
    window: MainWindow, services: ProfileServices, sim_vehicle: SimVehicle, qtbot: QtBot, loop: Loop
) -> None:
    sid = sim_vehicle.session.id
    home = sim_vehicle.vehicle.config.home
    lat, lon = home.lat_deg, home.lon_deg
    mission = Mission(
        (
            MissionItem(0, 16, frame=0, x=lat, y=lon, z=584.0),
            MissionItem(1, 22, frame=3, z=15.0),
            MissionItem(2, 16, frame=3, x=lat + 0.0009, y=lon, z=20.0),
            MissionItem(3, 16, frame=3, x=lat + 0.0009, y=lon + 0.0011, z=25.0),
        )
    )
    loop.run(services.missions.upload(sid, mission))
    dialog = open_mission(window, sim_vehicle, qtbot)
    assert len(dialog.table.mission_items) == 4

    # The vehicle moves on by itself (a waypoint reached, another ground station): its MISSION_CURRENT,
    # through live telemetry, moves the table's bold row and the map's filled point.
    assert sim_vehicle.vehicle.set_mission_current(3)
    qtbot.waitUntil(lambda: dialog.table.current_seq == 3, timeout=10_000)
    assert dialog.table.item(3, LAT).font().bold() and not dialog.table.item(2, LAT).font().bold()
    assert window.map.missions[sid][1] == 3 and window.map.current_item(sid) == 3
    # The map takes the vehicle's item over what a dialog last told it.
    window.map.show_mission(sid, window.map.missions[sid][0], 2)
    assert window.map.current_item(sid) == 3

    dialog.close()
    assert sid not in window.map.missions and window.map.current_item(sid) is None
    assert sim_vehicle.vehicle.set_mission_current(2)
    qtbot.waitUntil(lambda: dialog.table.current_seq == 2, timeout=10_000)
    assert sid not in window.map.missions  # a closed dialog's mission stays off the map
