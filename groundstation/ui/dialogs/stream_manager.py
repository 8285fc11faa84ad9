"""The stream manager: create, edit, delete, enable and disable streams, link them to sessions, test a URL.

Every change is a service call run as a task; the registry's events bring the change back through the
bridge, so the list shows what was stored, not what was typed. "Test" never decodes on the Qt thread: a
running stream reports its worker's measured status at once, and a URL that is not running yet is handed to
the window's ``VideoProbe`` (a short-lived worker in its own thread, given by the CLI), awaited as a task.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.models import StreamState, VideoStream
from groundstation.domain.video import RecordingInfo, StreamStatus
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.plain_text import make_plain
from groundstation.ui.services import VideoProbe
from groundstation.ui.tasks import TaskRunner, describe_error
from groundstation.ui.theme import Theme

PROBE_S = 3.0
STREAM_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def describe_status(status: StreamStatus) -> str:
    """What a probe found, in one line: state, resolution, codec, rate, or the error."""
    q = status.qos
    if status.state is StreamState.LIVE:
        size = f"{q.width}x{q.height}" if q.width and q.height else "?"
        fps = f"{q.decoded_fps:.0f} fps" if q.decoded_fps else "? fps"
        codec = f" {q.codec}" if q.codec else ""
        return f"live: {size}{codec}, {fps}"
    return f"{status.state.value}" + (f": {status.last_error}" if status.last_error else "")


class StreamManager(QDialog):
    def __init__(
        self,
        bridge: FleetBridge,
        runner: TaskRunner,
        theme: Theme,
        probe: VideoProbe | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.services = bridge.services
        self.runner = runner
        self.theme = theme
        self.probe = probe
        self.current_id: str | None = None
        self._listed: set[str] = set()
        self.setWindowTitle("Streams")
        self.setAccessibleName("Stream manager")
        self.resize(820, 520)

        self.list = QListWidget(self)
        self.list.setAccessibleName("Streams")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentRowChanged.connect(self._picked)
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Stream name")
        self.url_edit = QLineEdit(self)
        self.url_edit.setAccessibleName("Stream URL")
        self.url_edit.setPlaceholderText("rtsp://…, udp://@:5600, http://…/mjpeg, synthetic://?w=1280&h=720")
        self.session_box = QComboBox(self)
        self.session_box.setAccessibleName("Linked session")
        self.enabled_box = QCheckBox("Enabled (decoded and shown)", self)
        self.enabled_box.setAccessibleName("Stream enabled")
        self.enabled_box.setChecked(True)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("URL", self.url_edit)
        form.addRow("Session", self.session_box)
        form.addRow("", self.enabled_box)

        self.new_button = self._button("&New", "Start a new stream", self.new_stream)
        self.save_button = self._button("&Save", "Save the stream", self.save)
        self.delete_button = self._button("&Delete", "Delete the stream", self.delete)
        self.toggle_button = self._button("Disa&ble", "Enable or disable the stream", self.toggle_enabled)
        self.test_button = self._button("&Test", "Test the URL", self.test)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.delete_button, self.toggle_button, self.test_button):
            buttons.addWidget(button)
        self.status = QLabel("", self)
        make_plain(self.status)  # stream names, URLs and decoder errors as written
        self.status.setAccessibleName("Stream manager status")
        self.status.setWordWrap(True)
        self.recordings = QListWidget(self)
        self.recordings.setAccessibleName("Recordings")
        self.refresh_recordings_button = self._button("Refresh recordings", "Refresh recordings", self.load_recordings)

        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(buttons)
        right.addWidget(self.status)
        right.addWidget(QLabel("Recordings", self))
        right.addWidget(self.recordings, 1)
        right.addWidget(self.refresh_recordings_button)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 2)
        layout.addLayout(right, 3)
        bridge.fleet_changed.connect(self.reload)
        self.reload()
        self.new_stream()
        self.load_recordings()

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------------------------------ list and form
    def reload(self) -> None:
        streams = list(self.bridge.streams.values())
        self.list.blockSignals(True)
        self.list.clear()
        for stream in streams:
            self.list.addItem(f"{stream.name}  [{stream.state.value}]{'' if stream.enabled else '  (disabled)'}")
            item = self.list.item(self.list.count() - 1)
            item.setData(STREAM_ID_ROLE, stream.id)
            item.setForeground(self.theme.stream_color(stream.state))
            if stream.id == self.current_id:
                self.list.setCurrentRow(self.list.count() - 1)
        self.list.blockSignals(False)
        chosen = self.session_box.currentData()
        self.session_box.clear()
        self.session_box.addItem("(none)", None)
        for session in self.bridge.sessions.values():
            self.session_box.addItem(session.name, session.id)
        index = self.session_box.findData(chosen)
        self.session_box.setCurrentIndex(max(0, index))
        listed = {stream.id for stream in streams}
        if self.current_id is not None and self.current_id in self._listed and self.current_id not in listed:
            self.new_stream()  # deleted (here or elsewhere): the form must not edit a stream that is gone
        self._listed = listed
        self._update_buttons()

    def selected(self) -> VideoStream | None:
        return self.bridge.stream(self.current_id)

    def select(self, stream_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(STREAM_ID_ROLE) == stream_id:
                self.list.setCurrentRow(row)

    def _picked(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        stream = self.bridge.stream(item.data(STREAM_ID_ROLE)) if item is not None else None
        if stream is None:
            return
        self.current_id = stream.id
        self.name_edit.setText(stream.name)
        self.url_edit.setText(stream.url)
        self.session_box.setCurrentIndex(max(0, self.session_box.findData(stream.linked_session_id)))
        self.enabled_box.setChecked(stream.enabled)
        self.status.setText(f"{stream.state.value}" + (f": {stream.last_error}" if stream.last_error else ""))
        self._update_buttons()

    def new_stream(self) -> None:
        self.current_id = None
        self.list.clearSelection()
        self.name_edit.clear()
        self.url_edit.clear()
        self.session_box.setCurrentIndex(0)
        self.enabled_box.setChecked(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        stream = self.selected()
        self.delete_button.setEnabled(stream is not None)
        self.toggle_button.setEnabled(stream is not None)
        self.toggle_button.setText("Ena&ble" if stream is not None and not stream.enabled else "Disa&ble")
        self.save_button.setText("&Save" if stream is not None else "&Create")

    # ------------------------------------------------------------------------------------------ service calls
    def save(self) -> None:
        name, url = self.name_edit.text(), self.url_edit.text().strip()
        link = self.session_box.currentData()
        enabled = self.enabled_box.isChecked()
        streams = self.services.streams
        if self.current_id is None:
            call = streams.create(name, url, linked_session_id=link, enabled=enabled)
        else:
            call = streams.update(self.current_id, name=name, url=url, linked_session_id=link, enabled=enabled)
        self._run(call, "saved")

    def delete(self) -> None:
        stream = self.selected()
        if stream is not None:
            self._run(self.services.streams.delete(stream.id), f"deleted {stream.name}")

    def toggle_enabled(self) -> None:
        stream = self.selected()
        if stream is not None:
            word = "enabled" if not stream.enabled else "disabled"
            self._run(self.services.streams.update(stream.id, enabled=not stream.enabled), f"{stream.name} {word}")

    def _run(self, call: Any, done_text: str) -> None:
        self.status.setText("…")

        def done(result: object) -> None:
            self.status.setText(done_text)
            if isinstance(result, VideoStream):
                self.current_id = result.id  # selected in the list when the registry's event lists it
                self.select(result.id)
                self._update_buttons()

        self.runner.run(call, on_done=done, on_error=lambda exc: self.status.setText(describe_error(exc)))

    def test(self) -> None:
        """Probe what is typed: a running stream with this URL answers from its worker; anything else is
        opened by a short-lived probe, off the Qt thread."""
        url = self.url_edit.text().strip()
        stream = self.selected()
        video = self.services.video
        if stream is not None and stream.url == url and video is not None and video.status(stream.id) is not None:
            status = video.status(stream.id)
            assert status is not None
            self.status.setText(f"test: {describe_status(status)}")
            return
        if self.probe is None:
            self.status.setText("test: this window cannot open a URL that is not saved (save and enable it)")
            return
        if not url:
            self.status.setText("test: type a URL first")
            return
        self.test_button.setEnabled(False)
        self.status.setText(f"test: opening {url} for {PROBE_S:g} s…")

        def done(status: StreamStatus) -> None:
            self.test_button.setEnabled(True)
            self.status.setText(f"test: {describe_status(status)}")

        def failed(exc: Exception) -> None:
            self.test_button.setEnabled(True)
            self.status.setText(f"test: {describe_error(exc)}")

        self.runner.run(self.probe(url, PROBE_S), on_done=done, on_error=failed)

    def load_recordings(self) -> None:
        recordings = self.services.recordings
        if recordings is None:
            self.recordings.clear()
            self.recordings.addItem("recording is not available in this window")
            return
        self.runner.run(recordings.list(), on_done=self._show_recordings)

    def _show_recordings(self, items: list[RecordingInfo]) -> None:
        self.recordings.clear()
        for info in items:
            size = f"{info.size_bytes / 1e6:.1f} MB" if info.size_bytes else "-"
            self.recordings.addItem(
                f"{info.started_at.astimezone():%Y-%m-%d %H:%M:%S}  {info.stream_name}  {info.state.value}  "
                f"{info.duration_s:.0f} s  {size}\n{info.path}"
            )
