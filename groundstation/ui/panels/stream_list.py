"""The stream list (a dock): every stream of the profile with its state, dragged from here onto a tile.

The stream manager (create, edit, test, record) comes later; this list is the drag source the tiles need.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from groundstation.ui.bridge import FleetBridge
from groundstation.ui.plain_text import tooltip
from groundstation.ui.theme import Theme
from groundstation.ui.video.tile import STREAM_MIME

STREAM_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class StreamList(QListWidget):
    def __init__(self, bridge: FleetBridge, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.theme = theme
        self.setAccessibleName("Video streams (drag one onto a tile)")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        bridge.fleet_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        streams = list(self.bridge.streams.values())
        if self.count() != len(streams):
            self.clear()
            for _ in streams:
                self.addItem(QListWidgetItem())
        for row, stream in enumerate(streams):
            item = self.item(row)
            session = self.bridge.session(stream.linked_session_id)
            linked = f"  → {session.name}" if session is not None else ""
            item.setText(f"● {stream.name}  [{stream.state.value}]{linked}")
            item.setForeground(self.theme.stream_color(stream.state))
            item.setData(STREAM_ID_ROLE, stream.id)
            item.setToolTip(tooltip(f"{stream.url}\n{stream.last_error or ''}".strip()))

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        mime = QMimeData()
        if items:
            mime.setData(STREAM_MIME, str(items[0].data(STREAM_ID_ROLE)).encode())
        return mime

    def mimeTypes(self) -> list[str]:
        return [STREAM_MIME]
