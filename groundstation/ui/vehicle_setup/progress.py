"""A progress bar that follows a service's transfer by polling it, so the transfer never waits on the UI.

``ParameterService.progress``/``MissionService.progress`` are plain reads of what the link last reported;
a timer reads them ten times a second while a transfer runs. Until the vehicle says how many items there
are the bar is "busy" (no total yet); a transfer that already ended (the service keeps the last one) is not
shown, so a new one never starts from the old one's figures.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressBar, QWidget

from groundstation.services.vehicle_setup import TransferProgress

POLL_MS = 100


class TransferBar(QProgressBar):
    def __init__(self, read: Callable[[], TransferProgress | None], noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read = read
        self.noun = noun
        self.setAccessibleName(f"{noun.capitalize()} transfer progress")
        self.setTextVisible(True)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self.idle("")

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, label: str) -> None:
        self.setRange(0, 0)
        self.setFormat(label)
        self._timer.start()

    def poll(self) -> None:
        progress = self._read()
        if progress is None or not progress.running or progress.total <= 0:
            return
        self.setRange(0, progress.total)
        self.setValue(min(progress.done, progress.total))
        self.setFormat(f"{progress.done} of {progress.total} {self.noun}")

    def finish(self, total: int, text: str) -> None:
        """The transfer ended: a full bar (or an empty one for nothing transferred) and ``text``."""
        self._timer.stop()
        self.setRange(0, max(1, total))
        self.setValue(total if total else 0)
        self.setFormat(text)

    def idle(self, text: str) -> None:
        """No transfer: an empty bar and ``text`` (what went wrong, or nothing)."""
        self._timer.stop()
        self.setRange(0, 1)
        self.setValue(0)
        self.setFormat(text)
