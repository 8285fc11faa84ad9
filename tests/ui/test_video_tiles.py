"""Tiles on real decode workers: assignment by drag and drop, maximize, states instead of frozen frames, and the
telemetry overlay of the linked session."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import SessionState
from groundstation.ui.main_window import MainWindow
from groundstation.ui.panels.stream_list import STREAM_ID_ROLE
from groundstation.ui.video.tile import STREAM_MIME, VideoTile
from tests.ui.conftest import FEED, Loop


def test_streams_fill_tiles_and_move_by_drag_and_drop(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    one = loop.run(services.streams.create("one", FEED))
    two = loop.run(services.streams.create("two", FEED))
    grid = window.grid
    qtbot.waitUntil(lambda: grid.assignments[:2] == [one.id, two.id])
    qtbot.waitUntil(lambda: window.stream_list.count() == 2)
    # A stream dragged from the list (the mime data the list makes) onto tile 4 moves there.
    mime = window.stream_list.mimeData([window.stream_list.item(1)])
    assert window.stream_list.item(1).data(STREAM_ID_ROLE) == two.id
    assert bytes(mime.data(STREAM_MIME).data()).decode() == two.id
    assert grid.tiles[3].accept_mime(mime)
    assert grid.assignments[:4] == [one.id, None, None, two.id]
    assert grid.tiles[3].stream is not None and grid.tiles[3].stream.id == two.id
    # A tile dragged onto another swaps the two.
    assert grid.tiles[3].accept_mime(grid.tiles[0].tile_mime())
    assert grid.assignments[:4] == [two.id, None, None, one.id]
    qtbot.waitUntil(lambda: grid.tiles[0].slot.image is not None, timeout=10_000)
    qtbot.waitUntil(lambda: grid.tiles[0].message is None)


def test_double_click_maximizes_a_tile_and_back(window: MainWindow, qtbot: QtBot) -> None:
    grid = window.grid
    tile = grid.tiles[2]
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert grid.visible_tiles() == [tile]
    assert tile.isVisible() and not grid.tiles[0].isVisible()
    qtbot.waitUntil(lambda: tile.width() > grid.width() * 0.9)
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert len(grid.visible_tiles()) == 4 and grid.tiles[0].isVisible()


def test_a_dead_source_shows_connecting_then_its_error_not_a_frame(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    dead = loop.run(services.streams.create("dead", "rtsp://127.0.0.1:9/x"))
    tile: VideoTile = window.grid.tiles[0]
    qtbot.waitUntil(lambda: tile.stream is not None and tile.stream.id == dead.id)
    seen: set[str] = set()

    def settled() -> bool:
        if tile.message is not None:
            seen.add(tile.message.text)
        return tile.message is not None and tile.message.text.startswith(("error: ", "reconnecting in "))

    qtbot.waitUntil(settled, timeout=20_000)
    assert tile.slot.image is None
    assert tile.message is not None
    assert "127.0.0.1" in tile.message.text or "refused" in tile.message.text, tile.message.text
    assert tile.accessibleDescription().startswith(tile.message.text)
    assert "connecting" in seen or tile.badge  # the badge names the state too


def test_overlay_shows_the_linked_sessions_telemetry_and_its_stop(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop, tmp_path: Path
) -> None:
    session = loop.run(services.sessions.start("alpha", "FAKE", "fake://alpha?seed=5&scenario=demo"))
    loop.run(services.streams.create("alpha camera", FEED, linked_session_id=session.id))
    tile = window.grid.tiles[0]
    qtbot.waitUntil(lambda: tile.session is not None and tile.overlay.fields.get("mode", "--") != "--", timeout=15_000)
    sample = services.hub.latest(session.id)
    assert sample is not None
    fields = tile.overlay.fields
    assert fields["alt"].startswith("ALT ") and fields["alt"].endswith(" m")
    assert fields["bat"].startswith("BAT ") and "%" in fields["bat"]
    assert fields["gps"].startswith("GPS ") and fields["link"].startswith("LINK ")
    assert fields["hdg"].startswith("HDG ") and fields["gs"].startswith("GS ") and fields["vs"].startswith("VS ")
    assert fields["armed"] in ("ARMED", "DISARMED")
    assert "alpha [active]" in tile.overlay.text()
    assert tile.overlay.text() in tile.accessibleDescription()
    # The bridge coalesces: far fewer overlay updates reach the widgets than samples were published.
    assert window.bridge.ticks > 0
    qtbot.waitUntil(lambda: tile.message is None, timeout=10_000)
    shot = tmp_path / "overlay.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 10_000

    loop.run(services.sessions.stop(session.id))
    qtbot.waitUntil(lambda: tile.session is not None and tile.session.state is SessionState.STOPPED)
    assert tile.overlay.stale
    assert "alpha [stopped, stale]" in tile.overlay.text()
    assert "stopped" in tile.accessibleDescription()
