"""The audit viewer hides the API's access records unless asked, and the settings dialog edits retention."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import Outcome
from groundstation.ui.dialogs.audit_viewer import AuditViewer
from groundstation.ui.dialogs.settings_dialog import SettingsDialog
from groundstation.ui.tasks import TaskRunner
from groundstation.ui.theme import DARK
from tests.ui.conftest import Loop


def test_api_access_records_are_hidden_until_the_box_is_ticked_or_the_action_names_them(
    services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    for action in ("api.request", "api.request", "api.ws"):
        services.audit.access.record(
            actor="api:ops", action=action, target_id=None, outcome=Outcome.SUCCESS, detail={"status": 200}
        )
    loop.run(services.audit.access.flush())
    loop.run(services.settings.set("ui.units", "imperial", actor="operator"))
    viewer = AuditViewer(services, TaskRunner(), DARK)
    qtbot.addWidget(viewer)
    assert not viewer.show_api.isChecked()
    viewer.reload()
    qtbot.waitUntil(lambda: not viewer.loading)
    assert [e.action for e in viewer.entries] == ["settings.set"]

    viewer.show_api.setChecked(True)  # reloads by itself
    qtbot.waitUntil(lambda: not viewer.loading and len(viewer.entries) == 4)
    assert sorted(e.action for e in viewer.entries) == ["api.request", "api.request", "api.ws", "settings.set"]
    assert viewer.status.text() == "4 entries"

    viewer.show_api.setChecked(False)
    qtbot.waitUntil(lambda: not viewer.loading and len(viewer.entries) == 1)
    viewer.action.setCurrentText("api.ws")
    viewer.apply_button.click()
    qtbot.waitUntil(lambda: not viewer.loading and len(viewer.entries) == 1 and viewer.entries[0].action == "api.ws")
    assert viewer.table.item(0, 1).text() == "api:ops"


def test_the_data_section_edits_the_retention_settings(services: ProfileServices, qtbot: QtBot, loop: Loop) -> None:
    dialog = SettingsDialog(services, TaskRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isEnabled)
    assert dialog.sizeHint().height() <= 700  # the "Data" section still fits a 768-pixel screen
    telemetry = dialog.retention["retention.telemetry_days"]
    assert telemetry.value() == 30 and dialog.retention["retention.events_days"].value() == 90
    telemetry.setValue(7)
    dialog.retention["retention.access_days"].setValue(0)
    assert dialog.retention["retention.access_days"].text() == "forever"
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    stored = loop.run(services.settings.all())
    assert stored["retention.telemetry_days"] == 7 and stored["retention.access_days"] == 0
    assert stored["retention.qos_days"] == 30
    written = loop.run(services.audit.list(action="settings.set"))
    assert sorted(e.target_id or "" for e in written) == ["retention.access_days", "retention.telemetry_days"]
