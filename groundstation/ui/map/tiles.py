"""Raster map tiles from a local MBTiles file or an XYZ URL template, cached on disk and in memory.

Nothing here runs on the Qt thread but the dictionary lookups: a missing tile is loaded by a task that
reads (SQLite, a cache file, or, only when the profile allows it, the network) in a worker thread with
``asyncio.to_thread`` and decodes it there into a ``QImage`` (safe off the GUI thread, unlike ``QPixmap``).
Until it arrives the map draws its grid in that place. Network fetches are off unless ``map.fetch_tiles``
is set, are limited to ``MAX_FETCHES`` at a time, and a tile that failed is not asked for again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import sqlite3
import threading
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QImage

log = logging.getLogger(__name__)

MEMORY_TILES = 256
MAX_FETCHES = 4
FETCH_TIMEOUT_S = 10.0
USER_AGENT = "groundstation-map (+https://github.com/groundstation)"

TileKey = tuple[int, int, int]  # z, x, y (XYZ numbering, y down)


class TileSource:
    """Where tiles come from; ``read`` runs in a worker thread and returns encoded bytes or None."""

    name = "none"

    def read(self, key: TileKey) -> bytes | None:
        return None

    def close(self) -> None:
        return None


class MbTilesSource(TileSource):
    """An MBTiles file (SQLite, TMS row numbering): offline maps an operator brings to the field."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def read(self, key: TileKey) -> bytes | None:
        z, x, y = key
        with self._lock:
            if self._db is None:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        return bytes(row[0]) if row is not None else None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class XyzSource(TileSource):
    """An XYZ template (``https://host/{z}/{x}/{y}.png``) with a disk cache; fetches only if allowed."""

    def __init__(self, template: str, cache_dir: Path, *, fetch: bool) -> None:
        self.template = template
        self.fetch = fetch
        self.name = template
        digest = hashlib.sha1(template.encode(), usedforsecurity=False).hexdigest()[:12]
        self.cache_dir = cache_dir / digest
        self.fetched = 0

    def cache_path(self, key: TileKey) -> Path:
        z, x, y = key
        return self.cache_dir / str(z) / str(x) / f"{y}.tile"

    def read(self, key: TileKey) -> bytes | None:
        path = self.cache_path(key)
        with contextlib.suppress(OSError):
            return path.read_bytes()
        if not self.fetch:
            return None
        z, x, y = key
        url = self.template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            data: bytes = response.read()
        self.fetched += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
        return data


def tile_source(setting: str, cache_dir: Path, *, fetch: bool) -> TileSource:
    """The source a profile's ``map.tile_source`` names: an .mbtiles path, an XYZ template, or none."""
    text = setting.strip()
    if not text:
        return TileSource()
    if text.endswith(".mbtiles"):
        return MbTilesSource(Path(text).expanduser())
    return XyzSource(text, cache_dir, fetch=fetch)


class TileCache:
    """Decoded tiles in memory (LRU), loaded on demand by tasks; ``on_loaded`` asks the map to repaint."""

    def __init__(self, source: TileSource, on_loaded: Callable[[], None]) -> None:
        self.source = source
        self.on_loaded = on_loaded
        self._images: OrderedDict[TileKey, QImage] = OrderedDict()
        self._pending: dict[TileKey, asyncio.Task[None]] = {}
        self._missing: set[TileKey] = set()
        self._limit = asyncio.Semaphore(MAX_FETCHES)
        self.loaded = 0

    @property
    def enabled(self) -> bool:
        return type(self.source) is not TileSource

    def get(self, key: TileKey) -> QImage | None:
        """The tile if it is in memory; otherwise start loading it (once) and return None."""
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        if self.enabled and key not in self._pending and key not in self._missing:
            self._pending[key] = asyncio.ensure_future(self._load(key))
        return None

    async def _load(self, key: TileKey) -> None:
        try:
            async with self._limit:
                image = await asyncio.to_thread(self._read_image, key)
        except Exception as exc:
            log.info("map tile %s not available: %s", key, exc)
            image = None
        finally:
            self._pending.pop(key, None)
        if image is None:
            self._missing.add(key)
            return
        self._images[key] = image
        while len(self._images) > MEMORY_TILES:
            self._images.popitem(last=False)
        self.loaded += 1
        self.on_loaded()

    def _read_image(self, key: TileKey) -> QImage | None:
        data = self.source.read(key)
        if data is None:
            return None
        image = QImage.fromData(data)
        return None if image.isNull() else image

    async def close(self) -> None:
        for task in list(self._pending.values()):
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
        self._pending.clear()
        await asyncio.to_thread(self.source.close)
