"""A feed whose server dies: the tile drops the frozen picture for "no signal" / "reconnecting in N s", and
shows live video again once the server is back (issue [3]: "kill a feed's server and see reconnecting")."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.ui.main_window import MainWindow
from groundstation.ui.video.stream_messages import Level
from groundstation.ui.video.tile import VideoTile
from tests.peers.video import media
from tests.ui.conftest import Loop

pytestmark = pytest.mark.peer


def test_killed_feed_server_shows_reconnecting_then_live_again(
    window: MainWindow, services: ProfileServices, loop: Loop, qtbot: QtBot, tmp_path: Path
) -> None:
    clip = media.encode_clip(tmp_path, width=320, height=180, seconds=2, fps=15)
    port = media.free_port()
    sender = media.mpegts_sender(clip, port).start()
    try:
        # A silent UDP port is only noticed by the read timeout: 1.5 s instead of the default 3 s.
        url = f"udp://127.0.0.1:{port}?read_timeout_ms=1500&open_timeout_ms=1500"
        stream = loop.run(services.streams.create("field camera", url))
        tile: VideoTile = window.grid.tiles[0]
        qtbot.waitUntil(lambda: tile.stream is not None and tile.stream.id == stream.id)
        qtbot.waitUntil(lambda: tile.message is None and tile.slot.image is not None, timeout=15_000)

        sender.kill()
        seen: list[str] = []

        def reconnecting() -> bool:
            if tile.message is not None and (not seen or seen[-1] != tile.message.text):
                seen.append(tile.message.text)
            return tile.message is not None and tile.message.text.startswith("reconnecting in ")

        qtbot.waitUntil(reconnecting, timeout=10_000)
        assert tile.message is not None and tile.message.level is Level.WARN
        assert set(seen[:-1]) <= {"no signal"}, seen  # never the frozen last frame, nor anything else first
        assert tile.message.text.removeprefix("reconnecting in ").removesuffix(" s").isdigit()
        assert tile.accessibleDescription().startswith(tile.message.text)
        assert "RECONNECTING" in tile.badge or "STALLED" in tile.badge or "reconnect" in tile.badge

        sender.start()
        shown = tile.slot.displayed.total
        qtbot.waitUntil(lambda: tile.message is None and tile.slot.displayed.total > shown + 5, timeout=15_000)
        assert tile.badge.startswith("LIVE")
    finally:
        sender.kill()
