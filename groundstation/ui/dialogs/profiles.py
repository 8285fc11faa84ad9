"""Switch to another profile, or create one and switch to it (File > Profiles…).

The dialog only names the profile; the window asks its ``ProfileHost`` to close the current profile and
open the next, and a fresh window is built on the new services, so nothing of one profile (sessions,
streams, alarms, trails) can linger into the other.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.profiles import is_valid_profile_name
from groundstation.ui.plain_text import make_plain, plain_label
from groundstation.ui.services import ProfileHost
from groundstation.ui.tasks import TaskRunner, describe_error


class ProfileDialog(QDialog):
    switch_requested = Signal(str)

    def __init__(self, host: ProfileHost, current: str, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.runner = runner
        self.current = current
        self.setWindowTitle("Profiles")
        self.setAccessibleName("Profiles")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Profiles")
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self.open_button = QPushButton("&Open", self)
        self.open_button.setAccessibleName("Open the selected profile")
        self.open_button.clicked.connect(self.open_selected)
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("New profile name")
        self.name_edit.setPlaceholderText("new profile name")
        self.create_button = QPushButton("&Create and open", self)
        self.create_button.setAccessibleName("Create the profile and open it")
        self.create_button.clicked.connect(self.create_profile)
        self.error = QLabel("", self)
        make_plain(self.error)
        self.error.setAccessibleName("Profile error")
        self.error.setStyleSheet("color: #e00000; font-weight: bold;")
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(f"Open now: {current}", self))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.open_button)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for name in self.host.names():
            self.list.addItem(name)
            if name == self.current:
                self.list.setCurrentRow(self.list.count() - 1)

    def open_selected(self) -> None:
        item = self.list.currentItem()
        if item is None or item.text() == self.current:
            self.error.setText("pick another profile to open")
            return
        self.switch_requested.emit(item.text())
        self.accept()

    def create_profile(self) -> None:
        name = self.name_edit.text().strip()
        if not is_valid_profile_name(name):
            self.error.setText(f"'{name}' is not a valid profile name (letters, digits, - and _)")
            return
        self.create_button.setEnabled(False)

        def created(_: None) -> None:
            self.switch_requested.emit(name)
            self.accept()

        def failed(exc: Exception) -> None:
            self.create_button.setEnabled(True)
            self.error.setText(describe_error(exc))

        self.runner.run(self.host.create(name), on_done=created, on_error=failed)
