"""Map tiles from an MBTiles file and from an XYZ server on loopback, with the disk cache and the rule that
nothing is fetched unless the profile allows it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from groundstation.ui.map.tiles import MbTilesSource, TileCache, tile_source
from tests.ui.conftest import Loop


def _png(color: str) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def _mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes]) -> Path:
    """An MBTiles file as the spec lays it out: TMS rows (y counted from the south)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        for (z, x, y), data in tiles.items():
            db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, data))
    return path


def test_an_mbtiles_file_gives_its_tiles_in_xyz_numbering(qtbot: QtBot, loop: Loop, tmp_path: Path) -> None:
    path = _mbtiles(tmp_path / "field.mbtiles", {(1, 0, 0): _png("#ff0000"), (1, 0, 1): _png("#0000ff")})
    repaints: list[int] = []
    cache = TileCache(MbTilesSource(path), lambda: repaints.append(1))
    assert cache.get((1, 0, 0)) is None  # loading starts, nothing blocks
    assert cache.get((1, 0, 1)) is None
    assert cache.get((1, 1, 1)) is None  # not in the file
    qtbot.waitUntil(lambda: cache.loaded == 2, timeout=5000)
    north, south = cache.get((1, 0, 0)), cache.get((1, 0, 1))
    assert north is not None
    assert south is not None
    assert north.pixelColor(10, 10) == QColor("#ff0000")
    assert south.pixelColor(10, 10) == QColor("#0000ff")
    assert cache.get((1, 1, 1)) is None
    assert len(repaints) == 2
    loop.run(cache.close())


class _TileServer(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = _png("#00ff00")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def tile_server() -> Iterator[tuple[str, list[str]]]:
    handler = type("Handler", (_TileServer,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png", handler.hits
    finally:
        server.shutdown()
        server.server_close()


def test_xyz_tiles_are_fetched_only_when_allowed_and_then_served_from_the_disk_cache(
    qtbot: QtBot, loop: Loop, tmp_path: Path, tile_server: tuple[str, list[str]]
) -> None:
    template, hits = tile_server
    cache_dir = tmp_path / "tiles"
    offline = TileCache(tile_source(template, cache_dir, fetch=False), lambda: None)
    assert offline.get((3, 4, 2)) is None
    qtbot.waitUntil(lambda: not offline._pending, timeout=5000)
    assert offline.get((3, 4, 2)) is None
    assert hits == []  # nothing fetched: the profile did not allow it
    loop.run(offline.close())

    online = TileCache(tile_source(template, cache_dir, fetch=True), lambda: None)
    online.get((3, 4, 2))
    qtbot.waitUntil(lambda: online.loaded == 1, timeout=5000)
    assert hits == ["/3/4/2.png"]
    loop.run(online.close())

    cached = TileCache(tile_source(template, cache_dir, fetch=False), lambda: None)
    cached.get((3, 4, 2))
    qtbot.waitUntil(lambda: cached.loaded == 1, timeout=5000)
    image = cached.get((3, 4, 2))
    assert image is not None
    assert image.pixelColor(1, 1) == QColor("#00ff00")
    assert hits == ["/3/4/2.png"]  # the second read came from disk
    loop.run(cached.close())
