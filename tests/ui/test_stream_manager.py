"""The stream manager on the real registry (create, edit, disable, delete, test) and the tiles' record and
snapshot buttons on the real recording service."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.video import RecordingState
from groundstation.ui.main_window import MainWindow
from tests.ui.conftest import FEED, Loop


def test_create_edit_disable_and_delete_a_stream(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    session = loop.run(services.sessions.define("scout", "FAKE", "fake://scout"))
    qtbot.waitUntil(lambda: session.id in window.bridge.sessions)
    manager = window.dialogs.open_stream_manager()
    assert manager.save_button.text() == "&Create"
    manager.name_edit.setText("nose cam")
    manager.url_edit.setText(FEED)
    manager.session_box.setCurrentIndex(manager.session_box.findData(session.id))
    manager.save_button.click()
    qtbot.waitUntil(lambda: manager.current_id is not None and manager.list.count() == 1)
    stream = loop.run(services.streams.get(manager.current_id or ""))
    assert (stream.name, stream.url, stream.linked_session_id, stream.enabled) == ("nose cam", FEED, session.id, True)

    # A running stream is tested from its worker, without opening the URL again.
    qtbot.waitUntil(lambda: services.video is not None and services.video.status(stream.id) is not None)
    manager.test_button.click()
    assert manager.status.text().startswith("test: ")

    manager.name_edit.setText("belly cam")
    manager.save_button.click()
    qtbot.waitUntil(lambda: manager.list.item(0).text().startswith("belly cam"))
    assert window.bridge.streams[stream.id].name == "belly cam"

    manager.toggle_button.click()
    qtbot.waitUntil(lambda: "(disabled)" in manager.list.item(0).text())
    assert not window.bridge.streams[stream.id].enabled and manager.toggle_button.text() == "Ena&ble"

    # A refusal from the service is shown, not raised.
    manager.url_edit.setText("gopher://nowhere")
    manager.save_button.click()
    qtbot.waitUntil(lambda: manager.status.text() not in ("…", ""))
    assert "gopher" in manager.status.text() or "scheme" in manager.status.text()

    manager.delete_button.click()
    qtbot.waitUntil(lambda: manager.list.count() == 0)
    assert loop.run(services.streams.list()) == []
    assert manager.current_id is None


def test_record_stop_and_snapshot_from_a_tile(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    stream = loop.run(services.streams.create("cam", FEED))
    tile = window.grid.tiles[0]
    qtbot.waitUntil(lambda: tile.stream is not None and tile.slot.image is not None, timeout=10_000)
    # The buttons show while the pointer is over the tile (or it has focus), not over every picture.
    assert not tile.record_button.isVisible() and not tile.snapshot_button.isVisible()
    QApplication.sendEvent(tile, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    assert tile.record_button.isVisible() and tile.snapshot_button.isVisible()
    assert services.recordings is not None
    tile.record_button.click()
    qtbot.waitUntil(lambda: services.recordings is not None and services.recordings.active(stream.id) is not None)
    assert tile.recording and tile.record_button.text() == "STOP REC"
    qtbot.waitUntil(
        lambda: (
            (info := services.recordings.active(stream.id)) is not None and info.frames >= 5
            if services.recordings
            else False
        ),
        timeout=10_000,
    )
    # While recording, the pointer gone, the stop button stays (and only it).
    QApplication.sendEvent(tile, QEvent(QEvent.Type.Leave))
    assert tile.record_button.isVisible() and not tile.snapshot_button.isVisible()
    tile.record_button.click()
    qtbot.waitUntil(lambda: services.recordings is not None and services.recordings.active(stream.id) is None)
    QApplication.sendEvent(tile, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    recordings = loop.run(services.recordings.list(stream_id=stream.id))
    assert len(recordings) == 1 and recordings[0].state is RecordingState.FINISHED
    assert Path(recordings[0].path).stat().st_size > 0

    tile.snapshot_button.click()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("snapshot "), timeout=10_000)
    shot = Path(window.statusBar().currentMessage().removeprefix("snapshot "))
    assert shot.exists() and shot.stat().st_size > 1000

    manager = window.dialogs.open_stream_manager()
    qtbot.waitUntil(lambda: manager.recordings.count() == 1)
    assert "cam" in manager.recordings.item(0).text() and "finished" in manager.recordings.item(0).text()


def test_an_unsaved_url_is_probed_off_the_qt_thread(window: MainWindow, qtbot: QtBot) -> None:
    from groundstation.cli.gui import probe_video

    manager = window.dialogs.open_stream_manager()
    manager.probe = probe_video
    manager.url_edit.setText(FEED)
    manager.test_button.click()
    assert not manager.test_button.isEnabled()  # the slot returned at once; the probe runs as a task
    qtbot.waitUntil(manager.test_button.isEnabled, timeout=15_000)
    assert manager.status.text().startswith("test: live: 320x180"), manager.status.text()
    manager.url_edit.setText("rtsp://127.0.0.1:9/x")
    manager.test_button.click()
    qtbot.waitUntil(manager.test_button.isEnabled, timeout=20_000)
    assert "127.0.0.1" in manager.status.text() or "refused" in manager.status.text(), manager.status.text()
