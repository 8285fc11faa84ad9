"""The new-session dialog's serial port picker, with a lister returning fixed ports in place of pyserial."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.connections import SerialPortInfo
from groundstation.domain.models import AdapterKind
from groundstation.ui.dialogs.new_session import NewSessionDialog
from groundstation.ui.main_window import MainWindow
from groundstation.ui.tasks import TaskRunner
from groundstation.ui.theme import DARK
from tests.ui.conftest import Loop

RADIO = SerialPortInfo("/dev/ttyUSB0", "CP2102 USB to UART", "Silicon Labs", 0x10C4, 0xEA60)
WINDOWS_RADIO = SerialPortInfo("COM3", "USB Serial Device", None, 0x1209, 0x5741)


class Lister:
    """Answers with whatever ``ports`` says now, and notes the threads it was called on."""

    def __init__(self, ports: Callable[[], list[SerialPortInfo]]) -> None:
        self.ports = ports
        self.threads: list[threading.Thread] = []

    def __call__(self) -> list[SerialPortInfo]:
        self.threads.append(threading.current_thread())
        return self.ports()


def dialog_with(services: ProfileServices, qtbot: QtBot, lister: Lister | None) -> NewSessionDialog:
    dialog = NewSessionDialog(services, TaskRunner(), DARK, ports=lister)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose_mavlink(dialog: NewSessionDialog) -> None:
    dialog.adapter_box.setCurrentIndex(dialog.adapter_box.findData(AdapterKind.MAVLINK))


def pick_next_port(dialog: NewSessionDialog, qtbot: QtBot) -> None:
    """As an operator does from the keyboard: the arrow key on the combo chooses the next entry."""
    dialog.port_box.setFocus()
    qtbot.keyClick(dialog.port_box, Qt.Key.Key_Down)


def test_choosing_a_port_fills_a_url_the_dialog_accepts(services: ProfileServices, qtbot: QtBot, loop: Loop) -> None:
    lister = Lister(lambda: [RADIO, WINDOWS_RADIO])
    dialog = dialog_with(services, qtbot, lister)
    assert not dialog.form.isRowVisible(dialog.port_row)  # FAKE first: no serial ports to pick
    assert lister.threads == []

    choose_mavlink(dialog)
    assert dialog.form.isRowVisible(dialog.port_row)
    qtbot.waitUntil(lambda: dialog.port_box.count() == 3)
    assert lister.threads and all(t is not threading.main_thread() for t in lister.threads)
    assert dialog.port_box.itemText(0) == "2 serial ports found: choose one…"
    assert dialog.port_box.itemText(1) == "/dev/ttyUSB0: CP2102 USB to UART (10C4:EA60, Silicon Labs)"

    qtbot.keyClicks(dialog.name_edit, "radio one")
    pick_next_port(dialog, qtbot)
    assert dialog.url_edit.text() == "serial:///dev/ttyUSB0?baud=57600"
    assert not dialog.url_error.isVisible()
    assert dialog.validate() and dialog.start_button.isEnabled()

    # Another port keeps the baud the operator set for the radio.
    dialog.url_edit.setText("serial:///dev/ttyUSB0?baud=115200")
    pick_next_port(dialog, qtbot)
    assert dialog.url_edit.text() == "serial://COM3?baud=115200"
    assert dialog.validate() and dialog.start_button.isEnabled()


def test_refresh_finds_a_radio_plugged_in_later(services: ProfileServices, qtbot: QtBot, loop: Loop) -> None:
    plugged: list[SerialPortInfo] = []
    dialog = dialog_with(services, qtbot, Lister(lambda: list(plugged)))
    choose_mavlink(dialog)
    qtbot.waitUntil(lambda: dialog.port_box.itemText(0).startswith("No serial ports found"))
    assert not dialog.port_box.isEnabled()
    assert dialog.url_edit.text() == ""

    plugged.append(WINDOWS_RADIO)
    dialog.port_refresh.click()
    qtbot.waitUntil(lambda: dialog.port_box.count() == 2)
    assert dialog.port_box.isEnabled()
    assert dialog.port_box.itemText(0) == "1 serial port found: choose one…"
    pick_next_port(dialog, qtbot)
    assert dialog.url_edit.text() == "serial://COM3?baud=57600"


def test_a_failing_lister_is_reported_in_the_picker(services: ProfileServices, qtbot: QtBot, loop: Loop) -> None:
    def broken() -> list[SerialPortInfo]:
        raise PermissionError(13, "Permission denied")

    dialog = dialog_with(services, qtbot, Lister(broken))
    choose_mavlink(dialog)
    qtbot.waitUntil(lambda: dialog.port_box.itemText(0) == "Could not list serial ports: Permission denied")
    assert not dialog.port_box.isEnabled() and dialog.port_refresh.isEnabled()


def test_without_a_lister_there_is_no_picker(services: ProfileServices, qtbot: QtBot, loop: Loop) -> None:
    dialog = dialog_with(services, qtbot, None)
    choose_mavlink(dialog)
    assert not dialog.form.isRowVisible(dialog.port_row)


def test_the_window_hands_its_lister_to_the_dialog(services: ProfileServices, qtbot: QtBot, loop: Loop) -> None:
    lister = Lister(lambda: [RADIO])
    window = MainWindow(services, DARK, serial_ports=lister)
    qtbot.addWidget(window)
    loop.run(window.start())
    try:
        dialog = window.open_new_session_dialog()
        choose_mavlink(dialog)
        assert dialog.form.isRowVisible(dialog.port_row)
        qtbot.waitUntil(lambda: dialog.port_box.count() == 2)  # the prompt and the radio
        dialog.reject()
    finally:
        loop.run(window.shutdown())
