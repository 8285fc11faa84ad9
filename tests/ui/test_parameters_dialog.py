"""The Parameters dialog against our simulated ArduCopter over UDP: download with progress, filter, edit in
place (confirmed, or refused with the old value back), load a file after seeing its differences, save in both
planners' formats; and a FAKE session, whose link has no parameters, gets that said in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import Outcome
from groundstation.domain.parameters import ParamChange
from groundstation.services.vehicle_setup import TransferProgress, TransferState
from groundstation.ui.main_window import MainWindow
from groundstation.ui.vehicle_setup.files import QtFileChooser, format_for
from groundstation.ui.vehicle_setup.param_model import NAME, STATUS, VALUE
from groundstation.ui.vehicle_setup.parameters import PARAM_FILTERS, ParametersDialog
from groundstation.ui.vehicle_setup.progress import TransferBar
from tests.ui.conftest import Loop
from tests.ui.vehicle_setup_support import (  # noqa: F401 (fixtures)
    ScriptedFiles,
    SimVehicle,
    files_fixture,
    screenshot,
    sim_vehicle_fixture,
)


def cell(dialog: ParametersDialog, name: str, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    param = dialog.model.parameter(name)
    assert param is not None
    return dialog.model.data(dialog.model.index(dialog.model.params.index(param), column), role)


def open_downloaded(window: MainWindow, qtbot: QtBot) -> ParametersDialog:
    qtbot.waitUntil(window.menus.parameters_action.isEnabled)
    window.menus.parameters_action.trigger()
    dialog = next(iter(window.dialogs.parameters.values()))
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 20 and not dialog.busy, timeout=20_000)
    return dialog


@pytest.mark.slow
@pytest.mark.peer
def test_download_filter_and_edit_in_place(
    window: MainWindow, services: ProfileServices, sim_vehicle: SimVehicle, qtbot: QtBot, loop: Loop, tmp_path: Path
) -> None:
    dialog = open_downloaded(window, qtbot)
    count = dialog.model.rowCount()
    assert count == len(sim_vehicle.vehicle.params)
    assert dialog.bar.value() == dialog.bar.maximum() == count and dialog.bar.text() == f"{count} of {count} parameters"
    names = [p.name for p in dialog.model.params]
    assert names == sorted(names)
    assert cell(dialog, "RTL_ALT", VALUE) == "1500" and cell(dialog, "RTL_ALT", 2) == "INT16"

    qtbot.keyClicks(dialog.filter, "rtl_")
    shown = [dialog.proxy.index(r, NAME).data() for r in range(dialog.proxy.rowCount())]
    assert shown and all("RTL_" in name for name in shown) and "RTL_ALT" in shown
    assert dialog.count.text() == f"{len(shown)} of {count} shown"

    # Edit in place through the table's own editor: the cell is highlighted until the vehicle confirms.
    row = shown.index("RTL_ALT")
    index = dialog.proxy.index(row, VALUE)
    dialog.table.setCurrentIndex(index)
    dialog.table.edit(index)
    editor = dialog.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "1500"
    editor.selectAll()
    qtbot.keyClicks(editor, "2500")
    # What the cell shows at the moment the write is handed to the service: the new value, highlighted.
    seen: list[tuple[object, object]] = []
    dialog.model.edit_requested.connect(
        lambda name, _value: seen.append(
            (cell(dialog, name, VALUE), cell(dialog, name, VALUE, Qt.ItemDataRole.BackgroundRole))
        )
    )
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0][0] == "2500" and seen[0][1] is not None
    qtbot.waitUntil(lambda: "RTL_ALT" not in dialog.model.pending, timeout=10_000)
    assert cell(dialog, "RTL_ALT", STATUS) == "confirmed 2500"
    assert cell(dialog, "RTL_ALT", VALUE, Qt.ItemDataRole.BackgroundRole) is None
    assert sim_vehicle.param("RTL_ALT") == 2500
    assert "RTL_ALT = 2500 (confirmed by the vehicle)" in dialog.status.text()
    assert dialog.save_button.isEnabled() and dialog.load_button.isEnabled()
    dialog.table.clearSelection()
    screenshot(dialog, "parameters.png", tmp_path)

    # Not a whole number for an integer parameter: answered in the row, nothing sent.
    assert not dialog.edit("RTL_ALT", "2.5")
    assert cell(dialog, "RTL_ALT", STATUS) == "refused: 2.5 is not a whole number, and the parameter is INT16"
    assert cell(dialog, "RTL_ALT", VALUE) == "2500"

    # Out of the type's range: refused on the way to the vehicle, in words, and the old value is back.
    dialog.filter.clear()
    assert dialog.edit("DISARM_DELAY", "1000")
    qtbot.waitUntil(lambda: "DISARM_DELAY" not in dialog.model.pending, timeout=10_000)
    assert str(cell(dialog, "DISARM_DELAY", STATUS)).startswith("refused: 1000 is outside INT8's range")
    assert cell(dialog, "DISARM_DELAY", VALUE) == "10" and sim_vehicle.param("DISARM_DELAY") == 10
    assert "DISARM_DELAY not changed" in dialog.status.text()
    entries = loop.run(services.audit.list(action="parameter.set"))
    assert [(e.detail["name"], e.outcome) for e in entries] == [
        ("RTL_ALT", Outcome.SUCCESS),
        ("DISARM_DELAY", Outcome.FAILURE),
    ]


@pytest.mark.slow
@pytest.mark.peer
def test_apply_answers_row_by_row_and_goes_on_past_a_refusal(
    window: MainWindow, services: ProfileServices, sim_vehicle: SimVehicle, qtbot: QtBot, loop: Loop
) -> None:
    dialog = open_downloaded(window, qtbot)
    pending_seen: list[set[str]] = []
    dialog.model.dataChanged.connect(lambda *_: pending_seen.append(set(dialog.model.pending)))
    dialog.apply(
        (
            ParamChange("RTL_ALT", 1500, 2000),
            ParamChange("DISARM_DELAY", 10, 1000),  # INT8: refused on the way
            ParamChange("WPNAV_SPEED", 800.0, 600.0),
        )
    )
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
    assert dialog.status.text() == "wrote 2 of 3; refused: DISARM_DELAY: 1000 is outside INT8's range -128..127"
    assert dialog.bar.text() == "2 of 3 written"
    assert cell(dialog, "RTL_ALT", STATUS) == "confirmed 2000"
    assert cell(dialog, "WPNAV_SPEED", STATUS) == "confirmed 600"
    assert cell(dialog, "DISARM_DELAY", STATUS) == "refused: 1000 is outside INT8's range -128..127"
    assert cell(dialog, "DISARM_DELAY", VALUE) == "10" and sim_vehicle.param("DISARM_DELAY") == 10
    assert sim_vehicle.param("RTL_ALT") == 2000 and sim_vehicle.param("WPNAV_SPEED") == pytest.approx(600.0)
    # Each row answered as its write came back, while the later ones were still waiting.
    assert {"DISARM_DELAY", "WPNAV_SPEED"} in pending_seen and {"WPNAV_SPEED"} in pending_seen
    # Through the service's batch (its progress), each write audited.
    finished = services.parameters.progress(sim_vehicle.session.id)
    assert finished == TransferProgress("parameters.apply", 3, 3, TransferState.FINISHED)
    entries = loop.run(services.audit.list(action="parameter.set"))
    assert [(e.detail["name"], e.outcome) for e in entries] == [
        ("RTL_ALT", Outcome.SUCCESS),
        ("DISARM_DELAY", Outcome.FAILURE),
        ("WPNAV_SPEED", Outcome.SUCCESS),
    ]


@pytest.mark.slow
@pytest.mark.peer
def test_load_shows_the_differences_first_then_writes_them(
    window: MainWindow, sim_vehicle: SimVehicle, files: ScriptedFiles, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_downloaded(window, qtbot)
    planner = tmp_path / "tuned.param"
    planner.write_text("RTL_ALT,2000\nWPNAV_SPEED,600\nDISARM_DELAY,10\nNOT_ON_THIS_FW,3\n")

    # Cancelling the differences writes nothing.
    files.to_open.append(str(planner))
    dialog.load_button.click()
    qtbot.waitUntil(lambda: dialog.diff_dialog is not None and dialog.diff_dialog.isVisible(), timeout=10_000)
    diff = dialog.diff_dialog
    assert diff is not None
    rows = [tuple(diff.table.item(r, c).text() for c in range(5)) for r in range(diff.table.rowCount())]
    assert rows[:3] == [
        ("RTL_ALT", "changed", "1500", "→", "2000"),
        ("WPNAV_SPEED", "changed", "800", "→", "600"),
        ("NOT_ON_THIS_FW", "added", "", "", "3"),
    ]
    missing = len(sim_vehicle.vehicle.params) - 3
    assert diff.summary.text().startswith(
        f"2 changed, 1 added (in the file only: not on this vehicle, skipped), {missing}"
    )
    assert diff.apply_button is not None and diff.apply_button.text() == "&Apply 2 changes"
    screenshot(diff, "parameter-diff.png", tmp_path)
    diff.reject()
    assert sim_vehicle.param("RTL_ALT") == 1500 and not dialog.model.pending

    files.to_open.append(str(planner))
    dialog.load_button.click()
    qtbot.waitUntil(lambda: dialog.diff_dialog is not diff and dialog.diff_dialog.isVisible(), timeout=10_000)
    assert dialog.diff_dialog is not None and dialog.diff_dialog.apply_button is not None
    dialog.diff_dialog.apply_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)
    assert dialog.status.text() == "wrote 2 of 2 changed values (each confirmed by the vehicle)"
    assert sim_vehicle.param("RTL_ALT") == 2000 and sim_vehicle.param("WPNAV_SPEED") == pytest.approx(600.0)
    assert cell(dialog, "RTL_ALT", VALUE) == "2000" and cell(dialog, "WPNAV_SPEED", STATUS) == "confirmed 600"

    # Comparing now: nothing changed, nothing to apply.
    files.to_open.append(str(planner))
    dialog.compare_button.click()
    qtbot.waitUntil(lambda: dialog.diff_dialog is not None and dialog.diff_dialog.windowTitle().startswith("Compare"))
    assert dialog.diff_dialog.apply_button is None
    assert dialog.diff_dialog.summary.text().startswith("0 changed, 1 added")
    dialog.diff_dialog.reject()

    # Save in both formats: by the filter picked (extension added), and by the extension typed.
    files.to_save.append((str(tmp_path / "copter"), "QGroundControl parameters (*.params)"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "copter.params").exists() and not dialog.busy, timeout=10_000)
    qgc = (tmp_path / "copter.params").read_text()
    assert "\tRTL_ALT\t2000\t" in qgc and "saved" in dialog.status.text()
    files.to_save.append((str(tmp_path / "mp.param"), "QGroundControl parameters (*.params)"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "mp.param").exists() and not dialog.busy, timeout=10_000)
    assert "RTL_ALT,2000" in (tmp_path / "mp.param").read_text()
    assert files.asked == [
        "Load parameters",
        "Load parameters",
        "Compare with file",
        "Save parameters",
        "Save parameters",
    ]

    # A file that cannot be read is said in the status line.
    files.to_open.append(str(tmp_path / "nowhere.param"))
    dialog.load_button.click()
    qtbot.waitUntil(lambda: "could not read" in dialog.status.text())
    assert not dialog.busy and dialog.download_button.isEnabled()


def test_menu_follows_the_selection_and_a_fake_vehicle_says_it_has_no_parameters(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    menus = window.menus
    assert not menus.parameters_action.isEnabled() and not menus.mission_action.isEnabled()
    assert "Ctrl+Shift+P\tVehicle parameters…" in menus.shortcut_text()
    assert "Ctrl+Shift+M\tVehicle mission…" in menus.shortcut_text()
    session = loop.run(services.sessions.start("scout", "FAKE", "fake://scout?seed=4"))
    qtbot.waitUntil(lambda: window.session_panel.model.rowCount() == 1)
    window.session_panel.select(session.id)
    qtbot.waitUntil(menus.parameters_action.isEnabled)
    assert menus.mission_action.isEnabled() and window.vehicle.parameters_button.isEnabled()

    window.vehicle.parameters_button.click()
    dialog = window.dialogs.parameters[session.id]
    qtbot.waitUntil(lambda: dialog.unsupported, timeout=10_000)
    # Said plainly, not as a failure in red, and only Close is left to press.
    assert dialog.status.text() == "FAKE vehicles have no parameters or mission to configure"
    assert dialog.theme.bad not in dialog.status.styleSheet()
    assert not dialog.download_button.isEnabled() and not dialog.load_button.isEnabled()
    usable = [w for w in dialog.findChildren(QWidget) if isinstance(w, QPushButton | QLineEdit) and w.isEnabled()]
    assert usable == [dialog.close_button] and not dialog.table.isEnabled()
    window.bridge.fleet_changed.emit()  # a later refresh of the buttons keeps it so
    assert not dialog.compare_button.isEnabled() and not dialog.filter.isEnabled()
    window.vehicle.mission_button.click()
    mission = window.dialogs.missions[session.id]
    qtbot.waitUntil(lambda: mission.unsupported, timeout=10_000)
    assert "have no parameters or mission" in mission.status.text() and not mission.upload_button.isEnabled()
    assert not mission.import_button.isEnabled() and mission.close_button.isEnabled()
    mission.close_button.click()
    assert not mission.isVisible()

    loop.run(services.sessions.stop(session.id))
    qtbot.waitUntil(lambda: not menus.parameters_action.isEnabled())
    assert not menus.mission_action.isEnabled() and not window.vehicle.mission_button.isEnabled()
    assert window.dialogs.open_parameters(session.id) is None
    assert "select a running session" in window.statusBar().currentMessage()


def test_the_progress_bar_follows_the_services_progress(qtbot: QtBot) -> None:
    now: list[TransferProgress | None] = [None]
    bar = TransferBar(lambda: now[0], "parameters")
    qtbot.addWidget(bar)
    bar.start("asking the vehicle…")
    assert bar.running and bar.maximum() == 0 and bar.format() == "asking the vehicle…"  # busy: no total yet
    now[0] = TransferProgress("parameters.download", 12, 58)
    qtbot.waitUntil(lambda: bar.text() == "12 of 58 parameters")  # read by the bar's own timer
    assert (bar.value(), bar.maximum()) == (12, 58)
    bar.finish(58, "58 of 58 parameters")
    assert not bar.running and bar.value() == bar.maximum() == 58
    bar.idle("download failed")
    assert bar.value() == 0 and bar.text() == "download failed"
    # The service keeps the last transfer once it ended: a new one does not start from its figures.
    now[0] = TransferProgress("parameters.download", 58, 58, TransferState.FINISHED)
    bar.start("asking again…")
    bar.poll()
    assert bar.maximum() == 0 and bar.format() == "asking again…"


def test_the_qt_file_chooser_answers_through_its_callback(qtbot: QtBot, tmp_path: Path) -> None:
    """The real chooser opens without a nested event loop and calls back with the path and the filter picked
    (Qt's own dialog here: a native one cannot be driven from a test)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    (tmp_path / "a.param").write_text("RTL_ALT,1500\n")
    chooser = QtFileChooser(native=False)
    opened: list[str] = []
    chooser.open_path(parent, "Load parameters", ["Parameter files (*.param)"], opened.append)
    assert chooser.dialog is not None and chooser.dialog.isVisible()  # open() returned: no nested loop
    chooser.dialog.selectFile(str(tmp_path / "a.param"))
    chooser.dialog.accept()
    assert opened == [str(tmp_path / "a.param")]
    saved: list[tuple[str, str]] = []
    filters = list(PARAM_FILTERS)
    chooser.save_path(parent, "Save parameters", filters, "copter.params", lambda p, f: saved.append((p, f)))
    assert chooser.dialog is not None
    chooser.dialog.selectNameFilter(filters[1])
    chooser.dialog.selectFile(str(tmp_path / "copter.params"))
    chooser.dialog.accept()
    assert saved == [(str(tmp_path / "copter.params"), filters[1])]
    assert format_for(saved[0][0], saved[0][1], PARAM_FILTERS) == (tmp_path / "copter.params", "qgroundcontrol")
    assert format_for(str(tmp_path / "x"), filters[0], PARAM_FILTERS) == (tmp_path / "x.param", "mission_planner")
