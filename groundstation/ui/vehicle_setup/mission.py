"""The Mission dialog of one running session: download, edit, upload, clear and step the vehicle's mission,
and import or export planner files (``.plan``, ``.waypoints``).

Vehicle calls are tasks on the window's loop, their progress polled from the service; clearing asks first
(a window-modal box opened with ``open()``). The table is what an upload sends, so an imported file or an
edited row is highlighted until the vehicle has it. ``mission_shown`` tells the map what to draw while the
dialog is open. The current item follows the vehicle's telemetry (MISSION_CURRENT): a waypoint reached, another
ground station's change, or our own "Set current" once the vehicle reports it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QVBoxLayout, QWidget

from groundstation.domain.missions import HomePosition, Mission
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.plain_text import make_plain
from groundstation.ui.tasks import TaskRunner
from groundstation.ui.theme import Theme
from groundstation.ui.vehicle_setup.base import VehicleSetupDialog
from groundstation.ui.vehicle_setup.files import FileChooser, format_for, read_text, write_text
from groundstation.ui.vehicle_setup.mission_table import MissionTable
from groundstation.ui.vehicle_setup.progress import TransferBar

MISSION_FILTERS = {
    "QGroundControl plan (*.plan)": "plan",
    "Mission Planner waypoints (*.waypoints)": "waypoints",
}
OPEN_FILTERS = ["Mission files (*.plan *.waypoints *.txt)", "All files (*)"]


class MissionDialog(VehicleSetupDialog):
    noun = "mission"
    mission_shown = Signal(str, object, object)  # session id, [(seq, lat, lon)], current seq or None

    def __init__(
        self,
        session_id: str,
        bridge: FleetBridge,
        runner: TaskRunner,
        theme: Theme,
        files: FileChooser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session_id, bridge, runner, theme, files, parent)
        self.service = bridge.services.missions
        self.home: HomePosition | None = None
        self.confirmation: QMessageBox | None = None
        self.vehicle_seq: int | None = None  # the current item the vehicle last reported
        self.setWindowTitle(f"Mission: {self.session_name}")
        self.setAccessibleName("Vehicle mission")
        self.resize(900, 560)

        self.download_button = self._button("&Download", "Download the vehicle's mission", self.download)
        self.upload_button = self._button("&Upload", "Upload the table to the vehicle", self.upload)
        self.clear_button = self._button("C&lear…", "Clear the vehicle's mission (asks first)", self.ask_clear)
        self.vehicle_buttons = [self.download_button, self.upload_button, self.clear_button]
        self.current_button = self._button("Set &current", "Make the selected item current", self.set_current)
        self.import_button = self._button("&Import…", "Import a .plan or .waypoints file", self.import_file)
        self.export_button = self._button("&Export…", "Export the table to a .plan or .waypoints file", self.export)
        self.add_button = self._button("&Add waypoint", "Add a waypoint after the selected row", self.add_row)
        self.delete_button = self._button("Dele&te rows", "Delete the selected rows", self.delete_rows)
        self.bar = TransferBar(lambda: self.service.progress(session_id), "items", self)
        self.table = MissionTable(theme, self)
        self.table.edited.connect(self._edited)
        self.table.problem.connect(lambda text: self.say(text, bad=True))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.status.setAccessibleName("Mission status")

        vehicle = QHBoxLayout()
        for button in (self.download_button, self.upload_button, self.clear_button, self.current_button):
            vehicle.addWidget(button)
        vehicle.addStretch(1)
        for button in (self.import_button, self.export_button):
            vehicle.addWidget(button)
        rows = QHBoxLayout()
        rows.addWidget(self.add_button)
        rows.addWidget(self.delete_button)
        rows.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(vehicle)
        layout.addWidget(self.bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(rows)
        layout.addLayout(self._status_row())
        bridge.fleet_changed.connect(self._update_buttons)
        bridge.telemetry_changed.connect(self._follow_vehicle)
        self.finished.connect(lambda _result: self.mission_shown.emit(self.session_id, [], None))  # off the map
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_on_map()  # back on the map when the dialog opens again

    # ------------------------------------------------------------------------------------------ state
    def _update_local_buttons(self, vehicle_usable: bool) -> None:
        selected = self.table.selected_rows()
        self.current_button.setEnabled(vehicle_usable and len(selected) == 1)
        self.export_button.setEnabled(bool(self.table.mission_items))
        self.delete_button.setEnabled(bool(selected) and not self.busy)
        self.add_button.setEnabled(not self.busy)
        self.import_button.setEnabled(not self.busy)

    def _edited(self) -> None:
        self._update_buttons()
        self._show_on_map()
        if self.table.unsent:
            self.say("the highlighted values are not on the vehicle until you upload")

    def _show_on_map(self) -> None:
        self.mission_shown.emit(self.session_id, self.table.positions(), self.table.current_seq)

    def _follow_vehicle(self) -> None:
        """Take the vehicle's current item when its report changes; only then, so that a sample cut just before
        the vehicle heard our own "Set current" cannot put the old item back."""
        sample = self.bridge.telemetry(self.session_id)
        seq = sample.mission_seq if sample is not None else None
        if seq is None or seq == self.vehicle_seq:
            return
        self.vehicle_seq = seq
        if seq != self.table.current_seq:
            self.table.set_current(seq)
            if self.isVisible():  # a closed dialog's mission is off the map and stays off
                self._show_on_map()

    def _show(self, mission: Mission, *, unsent: bool = False) -> None:
        self.home = mission.home or self.home
        self.table.set_items(mission.items, unsent=unsent)
        self._update_buttons()
        self._show_on_map()

    # ------------------------------------------------------------------------------------------ vehicle
    def download(self) -> None:
        if self.busy:
            return
        self._set_busy(True)
        self.bar.start("asking the vehicle for its mission…")
        self.say("downloading…")

        def downloaded(mission: Mission) -> None:
            self._set_busy(False)
            self._show(mission)
            self.bar.finish(len(mission), f"{len(mission)} of {len(mission)} items")
            self.say(f"downloaded {len(mission)} items from {self.session_name}")

        self.runner.run(
            self.service.download(self.session_id),
            on_done=downloaded,
            on_error=lambda exc: self._failed("download", exc),
        )

    def upload(self) -> None:
        if self.busy:
            return
        mission = self.table.mission(self.home)
        self._set_busy(True)
        self.bar.start(f"sending {len(mission)} items…")
        self.say("uploading…")

        def uploaded(_: None) -> None:
            self._set_busy(False)
            self.table.mark_sent()
            self.bar.finish(len(mission), f"{len(mission)} of {len(mission)} items")
            self.say(f"uploaded {len(mission)} items to {self.session_name} (accepted by the vehicle)")

        self.runner.run(
            self.service.upload(self.session_id, mission),
            on_done=uploaded,
            on_error=lambda exc: self._failed("upload", exc),
        )

    def ask_clear(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Clear mission",
            f"Clear the mission stored on {self.session_name}?\nThe vehicle forgets every item (ArduPilot keeps home).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        make_plain(box)
        box.setAccessibleName("Confirm clearing the mission")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self._clear_answered(box))
        self.confirmation = box
        box.open()
        return box

    def _clear_answered(self, box: QMessageBox) -> None:
        self.confirmation = None
        if box.standardButton(box.clickedButton()) != QMessageBox.StandardButton.Yes:
            self.say("clear: not sent (cancelled)")
            return
        self._set_busy(True)
        self.say("clearing…")

        def cleared(_: None) -> None:
            self._set_busy(False)
            self.table.set_current(None)
            self.say(f"cleared the mission on {self.session_name}; downloading what it keeps…")
            self.download()

        self.runner.run(
            self.service.clear(self.session_id),
            on_done=cleared,
            on_error=lambda exc: self._failed("clear", exc),
        )

    def set_current(self) -> None:
        rows = self.table.selected_rows()
        if len(rows) != 1 or self.busy:
            return
        seq = self.table.mission_items[rows[0]].seq

        def done(current: int) -> None:
            self._set_busy(False)
            self.table.set_current(current)
            self._show_on_map()
            if current == seq:
                self.say(f"item {seq} is now current on {self.session_name}")
            else:  # ArduPilot skips a DO item to the next navigation item, and restarts at 1 for 0
                self.say(f"asked for item {seq}; {self.session_name} went to item {current}")

        self._set_busy(True)
        self.runner.run(
            self.service.set_current(self.session_id, seq),
            on_done=done,
            on_error=lambda exc: self._failed(f"set current {seq}", exc),
        )

    # ------------------------------------------------------------------------------------------ rows
    def add_row(self) -> None:
        rows = self.table.selected_rows()
        sample = self.bridge.telemetry(self.session_id)
        position = None
        if sample is not None and sample.lat_deg is not None and sample.lon_deg is not None:
            position = (sample.lat_deg, sample.lon_deg, 20.0)
        row = self.table.add_waypoint(rows[-1] if rows else None, position)
        self.table.selectRow(row)

    def delete_rows(self) -> None:
        self.table.delete_rows(self.table.selected_rows())

    # ------------------------------------------------------------------------------------------ files
    def import_file(self) -> None:
        self.files.open_path(self, "Import mission", OPEN_FILTERS, self._import_from)

    def _import_from(self, path: str) -> None:
        async def parse() -> Mission:
            return self.service.import_text(await read_text(path))

        def imported(mission: Mission) -> None:
            self._set_busy(False)
            self._show(mission, unsent=True)
            self.say(f"imported {len(mission)} items from {Path(path).name}: not on the vehicle until you upload")

        self._set_busy(True)
        self.runner.run(parse(), on_done=imported, on_error=lambda exc: self._failed("import", exc))

    def export(self) -> None:
        suggested = f"{self.session_name}.plan".replace(" ", "-")
        self.files.save_path(self, "Export mission", list(MISSION_FILTERS), suggested, self._export_to)

    def _export_to(self, path: str, chosen_filter: str) -> None:
        target, file_format = format_for(path, chosen_filter, MISSION_FILTERS)
        mission = self.table.mission(self.home)

        async def write() -> None:
            await write_text(target, self.service.export_text(mission, file_format))

        def written(_: None) -> None:
            self._set_busy(False)
            self.say(f"exported {len(mission)} items to {target}")

        self._set_busy(True)
        self.runner.run(write(), on_done=written, on_error=lambda exc: self._failed("export", exc))
