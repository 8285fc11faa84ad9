"""The session panel and the new-session dialog, on real services: starts, conflicts, typos, stop/resume."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import SessionState
from groundstation.ui.dialogs.new_session import NewSessionDialog
from groundstation.ui.main_window import MainWindow
from groundstation.ui.panels.session_model import STATE_ROLE, Column
from groundstation.ui.theme import DARK
from tests.ui.conftest import Loop


def start_from_dialog(window: MainWindow, qtbot: QtBot, name: str, url: str) -> NewSessionDialog:
    dialog = window.open_new_session_dialog()
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClicks(dialog.url_edit, url)
    assert dialog.start_button.isEnabled(), dialog.url_error.text()
    dialog.start_button.click()
    return dialog


def chip_state(window: MainWindow, row: int) -> SessionState:
    model = window.session_panel.model
    return SessionState(model.data(model.index(row, Column.STATE), STATE_ROLE))


def test_start_two_fake_sessions_from_the_dialog_and_watch_their_chips(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    for name in ("scout", "relay"):
        dialog = start_from_dialog(window, qtbot, name, f"fake://{name}?seed=3")
        qtbot.waitUntil(lambda d=dialog: not d.isVisible(), timeout=10_000)
        assert dialog.started is not None and dialog.started.name == name
    model = window.session_panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    qtbot.waitUntil(lambda: [chip_state(window, r) for r in range(2)] == [SessionState.ACTIVE] * 2, timeout=10_000)
    assert DARK.session_color(SessionState.ACTIVE) != DARK.session_color(SessionState.STOPPED)
    # Telemetry reaches the table at display rate.
    qtbot.waitUntil(lambda: model.data(model.index(0, Column.BATTERY)) not in (None, "--"), timeout=10_000)

    window.session_panel.select(window.session_panel.model.session_at(0).id)  # type: ignore[union-attr]
    assert window.session_panel.stop_button.isEnabled()
    window.session_panel.stop_button.click()
    qtbot.waitUntil(lambda: chip_state(window, 0) is SessionState.STOPPED, timeout=10_000)
    qtbot.waitUntil(window.session_panel.resume_button.isEnabled)
    assert not window.session_panel.stop_button.isEnabled()
    window.session_panel.resume_button.click()
    qtbot.waitUntil(lambda: chip_state(window, 0) is SessionState.ACTIVE, timeout=10_000)


def test_a_conflict_is_shown_in_the_dialog_naming_the_holder(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    holder = loop.run(services.sessions.start("alpha", "FAKE", "fake://same-drone"))
    dialog = start_from_dialog(window, qtbot, "beta", "fake://same-drone")
    qtbot.waitUntil(dialog.service_error.isVisible, timeout=10_000)
    assert "held by live session 'alpha'" in dialog.service_error.text()
    assert holder.id in dialog.service_error.text()
    assert dialog.isVisible() and not dialog.busy
    # Fixing the URL clears the message and the start goes through.
    dialog.url_edit.setText("fake://other-drone")
    assert not dialog.service_error.isVisible()
    dialog.start_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)


def test_bad_urls_and_names_are_flagged_as_you_type(window: MainWindow, qtbot: QtBot) -> None:
    dialog = window.open_new_session_dialog()
    assert not dialog.url_error.isVisible() and not dialog.start_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "scout")
    qtbot.keyClicks(dialog.url_edit, "udpin://0.0.0.0:14550")
    assert dialog.url_error.isVisible()
    assert "FAKE sessions take fake:// URLs" in dialog.url_error.text()
    assert not dialog.start_button.isEnabled()
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "fake://scout")
    assert not dialog.url_error.isVisible() and dialog.start_button.isEnabled()
    dialog.name_edit.setText("   ")
    assert dialog.name_error.isVisible() and "name is empty" in dialog.name_error.text()
    assert not dialog.start_button.isEnabled()
    dialog.name_edit.setText("scout")
    dialog.adapter_box.setCurrentText("MAVLINK")
    assert "not available in this build" in dialog.url_error.text() or "udpin" in dialog.url_error.text()
    dialog.reject()
