"""The tiled video area: 1, 2x2, 3x3 or 4x4 tiles, which stream each shows, and the repaint timer.

One ``QTimer`` per grid polls every visible tile's worker for a newer frame (a lock and an attribute read)
and repaints only the tiles that got one: no signal per frame ever crosses from a decode thread. The poll
runs at twice a typical camera's rate so a 30 fps feed is shown at 30 fps, not aliased down by a 30 Hz
timer's jitter; painting happens only when there is something new.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from groundstation.ui.bridge import FleetBridge
from groundstation.ui.theme import Theme
from groundstation.ui.video.overlay_model import overlay_model
from groundstation.ui.video.tile import VideoTile

LAYOUTS: dict[str, int] = {"1": 1, "2x2": 2, "3x3": 3, "4x4": 4}
MAX_SIDE = 4
POLL_HZ = 60
# A telemetry tick changes every linked tile's overlay at once, and re-rendering an overlay is a tile's
# costliest paint: applied to all 16 tiles in one go it put 16 re-renders into a single repaint (the 50-65 ms
# stalls at 4x4). The tiles are split into this many groups and each poll applies the newest telemetry to one
# group, so a tick's re-renders are spread over the polls before the next tick (60 Hz / 4 = the bridge's 15 Hz).
TELEMETRY_GROUPS = 4


class VideoGrid(QWidget):
    layout_changed = Signal(str)
    record_requested = Signal(int)  # tile index
    snapshot_requested = Signal(int)

    def __init__(self, bridge: FleetBridge, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setAccessibleName("Video tiles")
        self.side = 2
        self.maximized: int | None = None
        self.assignments: list[str | None] = [None] * (MAX_SIDE * MAX_SIDE)
        self._auto_filled: set[str] = set()
        self._telemetry_pending: set[int] = set()  # tile indexes with telemetry not applied yet
        self._polls = 0
        self.tiles = [VideoTile(i, self) for i in range(MAX_SIDE * MAX_SIDE)]
        for tile in self.tiles:
            tile.theme = theme
            tile.stream_dropped.connect(self.assign)
            tile.tile_dropped.connect(self.swap)
            tile.maximize_toggled.connect(self.toggle_maximized)
            tile.record_toggled.connect(self.record_requested)
            tile.snapshot_requested.connect(self.snapshot_requested)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(2)
        self._arrange()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(round(1000 / POLL_HZ))
        self._timer.timeout.connect(self.poll)
        bridge.fleet_changed.connect(self._fleet_changed)
        bridge.telemetry_changed.connect(self._telemetry_changed)

    # ------------------------------------------------------------------------------------------ layout
    @property
    def layout_name(self) -> str:
        return next(name for name, side in LAYOUTS.items() if side == self.side)

    def set_layout(self, name: str) -> None:
        self.side = LAYOUTS[name]
        self.maximized = None
        self._arrange()
        self.layout_changed.emit(name)

    def visible_tiles(self) -> list[VideoTile]:
        if self.maximized is not None:
            return [self.tiles[self.maximized]]
        return self.tiles[: self.side * self.side]

    def toggle_maximized(self, index: int) -> None:
        self.maximized = None if self.maximized == index else index
        self._arrange()

    def set_compact(self, compact: bool) -> None:
        for tile in self.tiles:
            tile.compact = compact
            tile.update()

    def _arrange(self) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        shown = self.visible_tiles()
        side = 1 if self.maximized is not None else self.side
        for tile in self.tiles:
            tile.setVisible(tile in shown)
        for position, tile in enumerate(shown):
            self._grid.addWidget(tile, position // side, position % side)
        for i in range(MAX_SIDE):
            self._grid.setRowStretch(i, 1 if i < side else 0)
            self._grid.setColumnStretch(i, 1 if i < side else 0)

    # ------------------------------------------------------------------------------------------ assignment
    def assign(self, index: int, stream_id: str) -> None:
        """Show ``stream_id`` on tile ``index``; a stream lives on one tile, so it moves (swapping with what
        was there) rather than being duplicated."""
        if stream_id in self.assignments:
            self.swap(self.assignments.index(stream_id), index)
            return
        self.assignments[index] = stream_id
        self._auto_filled.add(stream_id)
        self._show_assignments()

    def swap(self, source: int, target: int) -> None:
        a = self.assignments
        a[source], a[target] = a[target], a[source]
        self._show_assignments()

    def saved_state(self) -> dict[str, object]:
        """The layout and the tiles' streams, for the profile's ``ui.tiles`` setting."""
        return {"layout": self.layout_name, "streams": list(self.assignments)}

    def restore_state(self, state: dict[str, object]) -> None:
        """Put back a saved layout and assignment; streams that no longer exist leave their tile empty, and
        streams the saved state did not know are placed as new ones are."""
        layout = state.get("layout")
        if isinstance(layout, str) and layout in LAYOUTS:
            self.set_layout(layout)
        streams = state.get("streams")
        if isinstance(streams, list):
            known = self.bridge.streams
            saved = [s if isinstance(s, str) and s in known else None for s in streams[: len(self.tiles)]]
            self.assignments = saved + [None] * (len(self.tiles) - len(saved))
            self._auto_filled.update(s for s in saved if s is not None)
            self._auto_filled.update(s for s in streams if isinstance(s, str))
            self._fleet_changed()

    def set_theme(self, theme: Theme) -> None:
        for tile in self.tiles:
            tile.theme = theme
            tile.update()

    def clear_tile(self, index: int) -> None:
        self.assignments[index] = None
        self._show_assignments()

    def _fleet_changed(self) -> None:
        """Drop deleted streams from tiles and put each stream not seen before on the first empty tile."""
        known = self.bridge.streams
        self.assignments = [sid if sid in known else None for sid in self.assignments]
        for sid in known:
            if sid in self._auto_filled:
                continue
            self._auto_filled.add(sid)
            if sid not in self.assignments and None in self.assignments:
                self.assignments[self.assignments.index(None)] = sid
        self._show_assignments()
        self._telemetry_changed()

    def _show_assignments(self) -> None:
        for tile, sid in zip(self.tiles, self.assignments, strict=True):
            stream = self.bridge.stream(sid)
            if stream is not tile.stream:
                tile.show_stream(stream)
        self._telemetry_changed()

    def _telemetry_changed(self) -> None:
        """Telemetry changed: applied to the tiles a group per poll while the timer runs, else at once."""
        if not self._timer.isActive():
            self._apply_telemetry(self.visible_tiles())
            return
        self._telemetry_pending.update(tile.index for tile in self.visible_tiles())

    def _apply_telemetry(self, tiles: list[VideoTile]) -> None:
        for tile in tiles:
            self._telemetry_pending.discard(tile.index)
            session_id = tile.stream.linked_session_id if tile.stream is not None else None
            session = self.bridge.session(session_id)
            tile.set_telemetry(session, overlay_model(session, self.bridge.telemetry(session_id)))

    # ------------------------------------------------------------------------------------------ repaint
    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def poll(self) -> None:
        video = self.bridge.services.video
        visible = self.visible_tiles()
        if self._telemetry_pending:
            self._telemetry_pending.intersection_update(t.index for t in visible)
            group = self._polls % TELEMETRY_GROUPS
            due = [t for t in visible if t.index in self._telemetry_pending and t.index % TELEMETRY_GROUPS == group]
            if len(visible) < TELEMETRY_GROUPS:
                due = [t for t in visible if t.index in self._telemetry_pending]  # 1 tile: nothing to spread
            self._apply_telemetry(due)
        self._polls += 1
        for tile in visible:
            tile.refresh(video)

    def displayed_fps(self) -> dict[str, float]:
        """Frames shown per second on each visible tile with a stream, keyed by the stream's name."""
        return {
            tile.stream.name: round(tile.slot.displayed.rate(), 1)
            for tile in self.visible_tiles()
            if tile.stream is not None
        }
