"""Defects a QA review of the window found, each checked on real services: session columns that cut numbers,
names rendered as HTML, command alarms only for commands sent from the window, settings out of reach."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.commands import CommandName, CommandOutcome
from groundstation.services.alarms import Alarm, AlarmKind, AlarmThresholds
from groundstation.ui.dialogs.settings_dialog import SettingsDialog
from groundstation.ui.main_window import MainWindow
from groundstation.ui.map.view import place_labels
from groundstation.ui.panels.session_model import MODE_NAMES, Column
from groundstation.ui.tasks import TaskRunner
from groundstation.ui.theme import DARK, THEMES, apply_theme
from groundstation.ui.video.outlined_text import text_width
from groundstation.ui.video.overlay_painter import overlay_font
from groundstation.ui.video.tile import session_band_text
from groundstation.ui.watchdog import StallWatchdog
from tests.ui.conftest import FEED, Loop

H1_NAME = '<h1 style="color:lime">ALL OK</h1>'
STREAM_NAME = '<b style="color:red">x</b><br><br><br>cam'


def shown_text(text: str) -> str:
    """What Qt shows for ``text`` where it guesses the format (tooltips): the rendered characters."""
    doc = QTextDocument()
    if QtGui.Qt.mightBeRichText(text):  # Qt's own guess, as a tooltip makes it
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    return doc.toPlainText()


def rendered(label: QLabel) -> str:
    """What a label shows: its text as written when plain, else what its rich text renders to."""
    if label.textFormat() is Qt.TextFormat.PlainText:
        return label.text()
    return shown_text(label.text())


# ---------------------------------------------------------------------------------------------- item 1
def test_battery_and_mode_cells_fit_their_columns_in_every_theme(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    loop.run(services.sessions.start("alpha", "FAKE", "fake://alpha?seed=3"))
    panel = window.session_panel
    model, table = panel.model, panel.table
    qtbot.waitUntil(
        lambda: model.rowCount() == 1 and model.data(model.index(0, Column.BATTERY)) != "--", timeout=10_000
    )
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1) + 1
    try:
        for theme in THEMES.values():
            window.set_theme(theme)
            metrics = QFontMetrics(table.font())  # the font the view paints its cells with
            assert table.font().pointSize() == theme.base_point_size
            wanted = {
                Column.BATTERY: ["100%", str(model.data(model.index(0, Column.BATTERY)))],
                Column.LINK: ["100%"],
                Column.MODE: [*MODE_NAMES, "disarmed", *str(model.data(model.index(0, Column.MODE))).split("\n")],
                Column.GPS: str(model.data(model.index(0, Column.GPS))).split("\n"),
            }
            for column, texts in wanted.items():
                room = table.columnWidth(column) - margin
                for text in texts:
                    assert metrics.horizontalAdvance(text) <= room, (theme.name, column.name, text, room)
                    assert metrics.elidedText(text, Qt.TextElideMode.ElideRight, room) == text
            # The rows are tall enough for the two lines of the theme's type.
            assert table.rowHeight(0) >= 2 * metrics.lineSpacing()
    finally:
        window.set_theme(DARK)


# ---------------------------------------------------------------------------------------------- item 2
def test_session_and_stream_names_with_markup_are_shown_as_written(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    window.monitor.set_thresholds(AlarmThresholds(stream_stalled_s=0.5))
    session = loop.run(services.sessions.start(H1_NAME, "FAKE", "fake://mk?seed=2"))
    stream = loop.run(services.streams.create(STREAM_NAME, "rtsp://127.0.0.1:9/x"))
    qtbot.waitUntil(lambda: window.session_panel.model.rowCount() == 1)
    window.select_session(session.id)
    title = window.vehicle.title
    qtbot.waitUntil(lambda: H1_NAME in title.text())
    assert title.textFormat() is Qt.TextFormat.PlainText and rendered(title).startswith(H1_NAME)
    model = window.session_panel.model
    assert H1_NAME in shown_text(str(model.data(model.index(0, Column.NAME), Qt.ItemDataRole.ToolTipRole)))

    book = window.monitor.book
    qtbot.waitUntil(lambda: book.active(AlarmKind.STREAM_STALLED, stream.id) is not None, timeout=20_000)
    banner = window.banner
    qtbot.waitUntil(lambda: "video " in banner.label.text())
    # The banner (two lines at most) shows the name as written, shortened before the reason is: the reason
    # (why it alarms) is what the operator must read.
    assert banner.label.textFormat() is Qt.TextFormat.PlainText
    shown = rendered(banner.label)
    assert shown.startswith("WARNING <b style="), shown
    assert "video error" in shown or "video reconnecting" in shown, shown
    assert STREAM_NAME in shown_text(banner.label.toolTip())
    item = window.stream_list.item(0)
    assert STREAM_NAME in item.text()
    alarm_rows = [window.alarm_panel.list.item(i).text() for i in range(window.alarm_panel.list.count())]
    assert any(STREAM_NAME in row for row in alarm_rows)


# ---------------------------------------------------------------------------------------------- item 3
def test_a_command_refused_over_another_path_raises_one_alarm(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    raised: list[Alarm] = []
    window.monitor.raised.connect(raised.append)
    session = loop.run(services.sessions.start("scout", "FAKE", "fake://scout?seed=4"))
    qtbot.waitUntil(lambda: window.bridge.session(session.id) is not None, timeout=10_000)
    # Not through the window: what the HTTP API or a script does.
    result = loop.run(services.commands.send(session.id, "takeoff", {"alt_m": 10}, actor="api:ops"))
    assert result.outcome is CommandOutcome.DENIED
    book = window.monitor.book
    qtbot.waitUntil(lambda: any(a.kind is AlarmKind.COMMAND_REFUSED for a in book.visible()), timeout=10_000)
    alarm = next(a for a in book.visible() if a.kind is AlarmKind.COMMAND_REFUSED)
    assert alarm.subject_name == "scout" and alarm.message.startswith("takeoff denied")
    assert [a.kind for a in raised] == [AlarmKind.COMMAND_REFUSED]

    # From the window's own button: still exactly one alarm for the one refusal.
    window.select_session(session.id)
    commands = window.vehicle.commands
    commands.send(session.id, CommandName.TAKEOFF, {"alt_m": 10})
    qtbot.waitUntil(lambda: "refused" in commands.result_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: len(raised) >= 2, timeout=10_000)
    audit = loop.run(services.audit.list(action="command.send"))
    assert len(audit) == 2
    # Both outcomes reached the window over the bus (the event log lists them) and no second alarm followed.
    qtbot.waitUntil(lambda: sum("scout: takeoff denied —" in t for t in window.event_log.texts()) == 2, timeout=10_000)
    window.monitor.evaluate()
    assert len(raised) == 2


# ---------------------------------------------------------------------------------------------- item 5
def test_the_sessions_group_edits_auto_resume_auto_sessions_and_the_link_timeout(
    services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    dialog = SettingsDialog(services, TaskRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isEnabled)
    assert dialog.sizeHint().height() <= 700 and dialog.sizeHint().width() <= 1300
    assert not dialog.auto_resume_box.isChecked() and not dialog.auto_sessions_box.isChecked()
    assert dialog.link_timeout.value() == 3.5
    # The box offers what the service accepts (0.5 to 60 s) and no more.
    assert (dialog.link_timeout.minimum(), dialog.link_timeout.maximum()) == (0.5, 60.0)
    dialog.auto_resume_box.setChecked(True)
    dialog.auto_sessions_box.setChecked(True)
    dialog.link_timeout.setValue(7.5)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    stored = loop.run(services.settings.all())
    assert stored["sessions.auto_resume"] is True and stored["mavlink.auto_sessions"] is True
    assert stored["sessions.link_timeout_s"] == 7.5
    written = loop.run(services.audit.list(action="settings.set"))
    assert {e.target_id for e in written} == {
        "sessions.auto_resume",
        "mavlink.auto_sessions",
        "sessions.link_timeout_s",
    }


# ---------------------------------------------------------------------------------------------- item 4
def test_the_plot_legend_fits_on_one_line_at_the_target_screen(window: MainWindow, qtbot: QtBot) -> None:
    legend = window.vehicle.plots.legend
    qtbot.waitUntil(lambda: legend.isVisible() and legend.width() > 50)
    try:
        for theme in THEMES.values():
            window.set_theme(theme)
            qtbot.waitUntil(lambda: legend.width() > 50)
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(legend.font())
            doc.setHtml(legend.text())
            assert doc.idealWidth() <= legend.contentsRect().width(), (theme.name, doc.toPlainText())
            assert "min)" in doc.toPlainText() and "%" in doc.toPlainText()
    finally:
        window.set_theme(DARK)


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 = the same, 21 = black on white)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_unchecked_boxes_show_their_frame_and_disabled_buttons_look_disabled(
    services: ProfileServices, qapp: QApplication, qtbot: QtBot, loop: Loop
) -> None:
    try:
        for theme in THEMES.values():
            apply_theme(qapp, theme)
            dialog = SettingsDialog(services, TaskRunner())
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitUntil(dialog.isEnabled)
            box = dialog.fetch_box
            assert not box.isChecked()
            option = QStyleOptionButton()
            box.initStyleOption(option)
            indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
            image = box.grab().toImage()
            background = dialog.palette().color(QPalette.ColorRole.Window)
            best = max(
                contrast(image.pixelColor(x, y), background)
                for x in range(indicator.left(), indicator.right() + 1)
                for y in range(indicator.top(), indicator.bottom() + 1)
            )
            assert best >= 3.0, (theme.name, best)  # the empty box's frame is drawn where it can be seen

            palette = qapp.palette()
            enabled = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
            disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
            face = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button)
            assert contrast(enabled, disabled) >= 2.0, theme.name  # a disabled button reads as disabled
            assert contrast(disabled, face) >= 2.0, theme.name  # and its label can still be read
            dialog.close()
    finally:
        apply_theme(qapp, DARK)


def test_the_new_session_error_wraps_inside_the_dialog(window: MainWindow, qtbot: QtBot) -> None:
    dialog = window.open_new_session_dialog()
    dialog.adapter_box.setCurrentIndex(dialog.adapter_box.findData("MAVLINK"))
    qtbot.keyClicks(dialog.name_edit, "radio")
    qtbot.keyClicks(dialog.url_edit, "udpin://0.0.0.0:99999")
    label = dialog.url_error
    qtbot.waitUntil(label.isVisible)
    assert "range" in label.text()
    assert label.wordWrap()
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
    assert QRect(QPoint(0, 0), dialog.size()).contains(QRect(label.mapTo(dialog, QPoint(0, 0)), label.size()))
    dialog.reject()


def test_the_stall_figure_shows_only_after_a_noticeable_stall(window: MainWindow, qtbot: QtBot) -> None:
    window.watchdog = StallWatchdog()
    label = window.loop_label
    window.watchdog.max_stall_ms = 3.0  # what a healthy window shows: nothing
    qtbot.waitUntil(lambda: not label.isVisible() and window._status_timer.isActive())
    window.watchdog.max_stall_ms = 250.0  # the window froze for a quarter of a second
    qtbot.waitUntil(label.isVisible, timeout=3000)
    assert "250 ms" in label.text() and window.theme.warn in label.styleSheet()
    assert "stopped responding" in label.toolTip()


def test_a_small_tiles_session_band_keeps_the_state_whole() -> None:
    font = overlay_font(190, scale=0.8)  # a 4x4 tile at 1366x768
    width = 150.0
    font_used, text = session_band_text("charlie", "STOPPED", font, width)
    assert text.endswith(": STOPPED") and text_width(text, font_used) <= width
    font_used, text = session_band_text("a very long vehicle name indeed", "INTERRUPTED", font, width)
    assert text.endswith("INTERRUPTED") and text_width(text, font_used) <= width
    assert session_band_text("charlie", "", font, 400)[1] == "charlie"


def test_the_4x4_tile_shows_a_stopped_sessions_state(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    session = loop.run(services.sessions.define("charlie", "FAKE", "fake://charlie"))
    stream = loop.run(services.streams.create("charlie camera", FEED, linked_session_id=session.id))
    window.grid.set_layout("4x4")
    tile = next(t for t in window.grid.tiles if t.isVisible())
    qtbot.waitUntil(lambda: tile.stream is not None and tile.stream.id == stream.id, timeout=10_000)
    qtbot.waitUntil(lambda: tile.session is not None and tile.band is not None, timeout=10_000)
    band_font, text = tile.band  # what the tile painted in its session band
    assert text.endswith(": STOPPED") and text_width(text, band_font) <= tile.width() - 18


def test_labels_of_vehicles_at_one_point_do_not_overlap_and_stay_in_the_view(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    for name in ("twin-alpha", "twin-bravo", "twin-charlie"):
        loop.run(services.sessions.start(name, "FAKE", f"fake://{name}?lat=47.3977&lon=8.5456"))
    window.tabs.setCurrentWidget(window.map)
    view = window.map
    qtbot.waitUntil(lambda: len(view.positions()) == 3, timeout=10_000)
    qtbot.waitUntil(lambda: len(view.label_rects) == 3)
    rects = list(view.label_rects.values())
    for i, rect in enumerate(rects):
        assert QRectF(view.rect()).contains(rect)
        assert not any(rect.intersects(other) for other in rects[i + 1 :])
    # A vehicle at the right edge gets its name to its left, inside the view.
    edge = QPointF(view.width() - 5, 40)
    placed = place_labels([("x", edge, 11.0, QRectF(0, 0, 120, 18))], QRectF(view.rect()))
    assert QRectF(view.rect()).contains(placed["x"]) and placed["x"].right() < edge.x()
