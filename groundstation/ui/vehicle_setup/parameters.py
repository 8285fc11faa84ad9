"""The Parameters dialog of one running session: download, filter, edit in place, load, save and compare files.

Every vehicle call is a task on the window's loop (``TaskRunner``); the dialog never waits. An edit is sent
at once and the row shows what the vehicle confirmed, or its refusal with the old value back. Loading a file
shows its differences first and writes only the changed values the operator approved (``ParameterService.apply``,
one at a time), each row answering for itself. A session whose link has no parameters (FAKE) gets the service's
refusal in words.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.parameters import ParamChange, ParamDiff, Parameter, ParamSet
from groundstation.services.vehicle_setup import ParamOutcome
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.tasks import TaskRunner, describe_error
from groundstation.ui.theme import Theme
from groundstation.ui.vehicle_setup.base import VehicleSetupDialog
from groundstation.ui.vehicle_setup.files import FileChooser, format_for, read_text, write_text
from groundstation.ui.vehicle_setup.param_diff import ParamDiffDialog
from groundstation.ui.vehicle_setup.param_model import NAME, VALUE, ParameterModel, format_value
from groundstation.ui.vehicle_setup.progress import TransferBar

PARAM_FILTERS = {
    "Mission Planner parameters (*.param)": "mission_planner",
    "QGroundControl parameters (*.params)": "qgroundcontrol",
}
OPEN_FILTERS = ["Parameter files (*.param *.params *.txt)", "All files (*)"]


class ParametersDialog(VehicleSetupDialog):
    noun = "parameters"

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
        self.service = bridge.services.parameters
        self.diff_dialog: ParamDiffDialog | None = None
        self.setWindowTitle(f"Parameters: {self.session_name}")
        self.setAccessibleName("Vehicle parameters")
        self.resize(760, 620)

        self.download_button = self._button("&Download", "Download every parameter from the vehicle", self.download)
        self.load_button = self._button("&Load file…", "Load a parameter file (differences shown first)", self.load)
        self.compare_button = self._button("&Compare with file…", "Compare the vehicle with a file", self.compare)
        self.vehicle_buttons = [self.download_button, self.load_button, self.compare_button]
        self.save_button = self._button("&Save file…", "Save the parameters to a file", self.save)
        self.bar = TransferBar(lambda: self.service.progress(session_id), "parameters", self)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter by name (e.g. RTL_ or BATT)")
        self.filter.setAccessibleName("Filter parameters by name")
        self.filter.setClearButtonEnabled(True)
        self.count = QLabel("", self)
        self.count.setAccessibleName("Parameter count")
        self.model = ParameterModel(theme, self)
        self.model.edit_requested.connect(self.send)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(NAME)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self._filter_changed)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Parameters")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(NAME, 190)
        header.resizeSection(VALUE, 120)
        self.status.setAccessibleName("Parameters status")

        actions = QHBoxLayout()
        for button in (self.download_button, self.load_button, self.compare_button, self.save_button):
            actions.addWidget(button)
        actions.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Filter", self))
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.bar)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._status_row())
        bridge.fleet_changed.connect(self._update_buttons)

        cached = self.service.cached(session_id)
        if cached is not None:
            self._show_params(cached)
        self._update_buttons()

    # ------------------------------------------------------------------------------------------ state
    def _update_local_buttons(self, vehicle_usable: bool) -> None:
        self.save_button.setEnabled(vehicle_usable and self.model.rowCount() > 0)

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._show_count()

    def _show_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.count.setText(f"{total} parameters" if shown == total else f"{shown} of {total} shown")

    def _show_params(self, params: ParamSet) -> None:
        self.model.set_params(params)
        self._show_count()
        self._update_buttons()

    # ------------------------------------------------------------------------------------------ download
    def download(self) -> None:
        if self.busy:
            return
        self._set_busy(True)
        self.bar.start("asking the vehicle for its parameters…")
        self.say("downloading…")
        self.runner.run(
            self.service.download(self.session_id),
            on_done=self._downloaded,
            on_error=lambda exc: self._failed("download", exc),
        )

    def _downloaded(self, params: ParamSet) -> None:
        self._set_busy(False)
        self._show_params(params)
        self.bar.finish(len(params), f"{len(params)} of {len(params)} parameters")
        self.say(f"downloaded {len(params)} parameters from {self.session_name}")

    # ------------------------------------------------------------------------------------------ one edit
    def send(self, name: str, value: float | int) -> None:
        """The operator typed ``value`` into ``name``'s row: write it, then show the vehicle's answer."""
        self.say(f"sending {name} = {format_value(value)}…")

        def refused(exc: Exception) -> None:
            self.model.refuse(name, describe_error(exc))
            self.say(f"{name} not changed: {describe_error(exc)}", bad=True)

        def confirmed(param: Parameter) -> None:
            self.model.confirm(param)
            self.say(f"{name} = {format_value(param.value)} (confirmed by the vehicle)")

        self.runner.run(self.service.set(self.session_id, name, value), on_done=confirmed, on_error=refused)

    def edit(self, name: str, text: str) -> bool:
        """Type ``text`` into ``name``'s value cell, as the operator would (False if the row is not there)."""
        param = self.model.parameter(name)
        if param is None:
            return False
        row = self.model.params.index(param)
        return self.model.setData(self.model.index(row, VALUE), text)

    # ------------------------------------------------------------------------------------------ files
    def load(self) -> None:
        self.files.open_path(self, "Load parameters", OPEN_FILTERS, lambda path: self._diff(path, applicable=True))

    def compare(self) -> None:
        self.files.open_path(self, "Compare with file", OPEN_FILTERS, lambda path: self._diff(path, applicable=False))

    def _diff(self, path: str, *, applicable: bool) -> None:
        async def read_and_diff() -> ParamDiff:
            text = await read_text(path)
            return await self.service.diff_text(self.session_id, text)

        def show(diff: ParamDiff) -> None:
            self._set_busy(False)
            self.bar.idle("")
            cached = self.service.cached(self.session_id)
            if cached is not None and self.model.rowCount() == 0:
                self._show_params(cached)  # diffing downloaded the parameters first
            self.say(
                f"{Path(path).name}: {len(diff.changed)} changed, {len(diff.added)} added, {len(diff.removed)} missing"
            )
            self.diff_dialog = ParamDiffDialog(diff, Path(path).name, self.theme, applicable=applicable, parent=self)
            self.diff_dialog.apply_requested.connect(self.apply)
            self.diff_dialog.open()

        self._set_busy(True)
        self.bar.start(f"comparing with {Path(path).name}…")
        self.runner.run(read_and_diff(), on_done=show, on_error=lambda exc: self._failed("comparing", exc))

    def apply(self, changes: tuple[ParamChange, ...]) -> None:
        """Write the approved changes through ``ParameterService.apply``: each row shows its own answer as it
        comes, and a refusal does not stop the others (they are independent settings, and the operator sees
        which did not take)."""
        for change in changes:
            self.model.mark_pending(change.name, change.new)

        def answered(outcome: ParamOutcome) -> None:
            if outcome.confirmed is not None:
                self.model.confirm(outcome.confirmed)
            else:
                self.model.refuse(outcome.name, outcome.refusal or "not written")

        def finished(outcomes: list[ParamOutcome]) -> None:
            done = sum(1 for o in outcomes if o.ok)
            refused = [f"{o.name}: {o.refusal}" for o in outcomes if not o.ok]
            self._set_busy(False)
            self.bar.finish(done, f"{done} of {len(changes)} written")
            if refused:
                self.say(f"wrote {done} of {len(changes)}; refused: " + "; ".join(refused), bad=True)
            else:
                self.say(f"wrote {done} of {len(changes)} changed values (each confirmed by the vehicle)")

        def failed(exc: Exception) -> None:
            for change in changes:
                if change.name in self.model.pending:
                    self.model.refuse(change.name, describe_error(exc))
            self._failed("writing", exc)

        self._set_busy(True)
        self.bar.start(f"writing {len(changes)} values…")
        self.runner.run(
            self.service.apply(self.session_id, changes, on_outcome=answered), on_done=finished, on_error=failed
        )

    def save(self) -> None:
        session = self.bridge.session(self.session_id)
        suggested = f"{session.name if session else 'vehicle'}.param".replace(" ", "-")
        self.files.save_path(self, "Save parameters", list(PARAM_FILTERS), suggested, self._save_to)

    def _save_to(self, path: str, chosen_filter: str) -> None:
        target, file_format = format_for(path, chosen_filter, PARAM_FILTERS)

        async def export() -> int:
            text = await self.service.export_text(self.session_id, file_format)
            await write_text(target, text)
            return self.model.rowCount()

        def saved(count: int) -> None:
            self._set_busy(False)
            self.say(f"saved {count} parameters to {target} ({file_format.replace('_', ' ')} format)")

        self._set_busy(True)
        self.runner.run(export(), on_done=saved, on_error=lambda exc: self._failed("saving", exc))
