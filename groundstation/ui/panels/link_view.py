"""The selected vehicle's link figures in the vehicle dock: messages/s each way, bad frames, loss, RSSI.

Read once a second through ``session_link_stats`` (a cheap read of the link's counters, but a coroutine:
it checks the session first), as a task on the loop; a read still running when the next second comes is not
doubled. A link that keeps no figures, or a session that is not running, shows ``--``.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QWidget

from groundstation.domain.models import LinkStats
from groundstation.services.link_stats import SessionLinkStats, session_link_stats
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.plain_text import make_plain
from groundstation.ui.tasks import TaskRunner

REFRESH_MS = 1000
FIELDS = ("in", "out", "bad", "loss", "rssi")
LABELS = {"in": "In", "out": "Out", "bad": "Bad frames", "loss": "Loss", "rssi": "RSSI"}
NAMES = {
    "in": "Messages per second from the vehicle",
    "out": "Messages per second to the vehicle",
    "bad": "Bad frames",
    "loss": "Packet loss",
    "rssi": "Radio signal strength",
}


def link_rows(stats: LinkStats | None) -> dict[str, str]:
    """The group's text for one reading; ``--`` everywhere when the link keeps no figures."""
    if stats is None:
        return dict.fromkeys(FIELDS, "--")
    rssi = "--" if stats.rssi_pct is None else f"{stats.rssi_pct:.0f}%"
    if stats.remote_rssi_pct is not None:
        rssi += f" / remote {stats.remote_rssi_pct:.0f}%"
    return {
        "in": f"{stats.messages_in_per_s:.1f} msg/s",
        "out": f"{stats.messages_out_per_s:.1f} msg/s",
        "bad": str(stats.bad_frames),
        "loss": f"{stats.packet_loss_pct:.1f}% ({stats.lost_packets} lost)",
        "rssi": rssi,
    }


class LinkView(QGroupBox):
    def __init__(self, bridge: FleetBridge, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Link", parent)
        self.bridge = bridge
        self.runner = runner
        self.session_id: str | None = None
        self.stats: LinkStats | None = None
        self.reads = 0
        self._task: asyncio.Task[SessionLinkStats] | None = None
        self.setAccessibleName("Link statistics")
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(1)
        grid.setHorizontalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for index, key in enumerate(FIELDS):
            label = QLabel("--", self)
            label.setAccessibleName(NAMES[key])
            self.values[key] = label
            row, pair = divmod(index, 2)
            span = 3 if key == "rssi" else 1
            grid.addWidget(QLabel(LABELS[key], self), row, pair * 2)
            grid.addWidget(label, row, pair * 2 + 1, 1, span)
        self.shared = QLabel("", self)
        make_plain(self.shared)  # names the link (its URL) as written
        self.shared.setAccessibleName("Link name")
        self.shared.setWordWrap(True)
        grid.addWidget(self.shared, 3, 0, 1, 4)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def show_session(self, session_id: str | None) -> None:
        if session_id != self.session_id:
            self.session_id = session_id
            self._show(None)
            self.refresh()

    def refresh(self) -> None:
        session = self.bridge.session(self.session_id)
        if session is None or not session.state.is_live:
            self._show(None)
            return
        if self._task is not None and not self._task.done():
            return
        asked = session.id

        def read(result: SessionLinkStats) -> None:
            if result.session_id == self.session_id:
                self.reads += 1
                self._show(result.stats)

        def unavailable(_exc: Exception) -> None:
            if asked == self.session_id:
                self._show(None)  # stopped between the check and the read: nothing to show, nothing to report

        self._task = self.runner.run(
            session_link_stats(self.bridge.services.sessions, asked), on_done=read, on_error=unavailable
        )

    def _show(self, stats: LinkStats | None) -> None:
        self.stats = stats
        for key, text in link_rows(stats).items():
            if self.values[key].text() != text:
                self.values[key].setText(text)
        if stats is None:
            self.shared.setText("")
        else:
            shared = f", shared by {stats.shared_by} sessions" if stats.shared_by > 1 else ""
            self.shared.setText(f"{stats.link}{shared}")
