"""Small tiles and the loop: the name before the buttons, plots that stay readable when short, and periodic
work spread over polls instead of landing in one repaint."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QEnterEvent, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import AdapterKind, ConnectionSpec, DeviceSession, SessionState
from groundstation.domain.telemetry import TelemetrySample
from groundstation.ui.main_window import MainWindow
from groundstation.ui.panels.alarms import BANNER_LINES, lines_within
from groundstation.ui.panels.plots import SparseAxis
from groundstation.ui.theme import DARK
from groundstation.ui.video.frames import STATUS_HZ, FrameSlot
from groundstation.ui.video.grid import TELEMETRY_GROUPS
from groundstation.ui.video.outlined_text import draw_text, text_width
from groundstation.ui.video.overlay_model import overlay_model
from groundstation.ui.video.overlay_painter import MIN_FIT_PX, fitting_font, overlay_font, paint_overlay
from groundstation.ui.video.tile import fit_message
from tests.ui.conftest import FEED, Loop


def _hover(widget: object, inside: bool) -> None:
    if inside:
        QApplication.sendEvent(widget, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))  # type: ignore[arg-type]
    else:
        QApplication.sendEvent(widget, QEvent(QEvent.Type.Leave))  # type: ignore[arg-type]


def test_a_3x3_tile_shows_its_name_and_icon_buttons_only_on_hover(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    loop.run(services.streams.create("bravo camera", FEED))
    window.grid.set_layout("3x3")
    tile = window.grid.tiles[0]
    qtbot.waitUntil(lambda: tile.stream is not None and tile.slot.image is not None, timeout=10_000)
    assert tile.width() < 220
    assert not tile.record_button.isVisible() and tile._buttons_width == 0.0  # the header is the name's
    _hover(tile, True)
    assert tile.record_button.isVisible() and tile.snapshot_button.isVisible()
    assert tile.record_button.toolButtonStyle() is Qt.ToolButtonStyle.ToolButtonIconOnly
    assert tile.record_button.text() == "REC"  # still its accessible text
    # Two icons leave the name most of the header.
    assert tile._buttons_width < tile.width() / 3
    _hover(tile, False)
    assert not tile.snapshot_button.isVisible()
    window.grid.set_layout("2x2")  # 1366 px wide: 2x2 tiles keep REC and SNAP in words
    qtbot.waitUntil(lambda: tile.width() >= 220)
    _hover(tile, True)
    assert tile.record_button.toolButtonStyle() is Qt.ToolButtonStyle.ToolButtonTextOnly


def test_telemetry_reaches_the_tiles_a_group_per_poll(window: MainWindow) -> None:
    grid = window.grid
    grid.set_layout("4x4")
    applied: list[int] = []
    for tile in grid.tiles:
        tile.set_telemetry = lambda _s, _m, i=tile.index: applied.append(i)  # type: ignore[method-assign,misc]
    grid._telemetry_changed()
    assert applied == [] and len(grid._telemetry_pending) == 16
    per_poll = []
    for _ in range(TELEMETRY_GROUPS):
        before = len(applied)
        grid.poll()
        per_poll.append(len(applied) - before)
    assert per_poll == [16 // TELEMETRY_GROUPS] * TELEMETRY_GROUPS
    assert sorted(applied) == list(range(16)) and not grid._telemetry_pending


def test_slots_read_their_status_out_of_phase() -> None:
    class Video:
        def __init__(self) -> None:
            self.reads: list[tuple[int, float]] = []

        def status(self, stream_id: str) -> None:
            self.reads.append((int(stream_id), now))

        def frame(self, stream_id: str, after_seq: int) -> None:
            return None

    video = Video()
    slots = [FrameSlot(phase=i / 4) for i in range(4)]
    for i, slot in enumerate(slots):
        slot.attach(str(i))
    now = 0.0
    while now < 1.0:
        for slot in slots:
            slot.poll(video, now)  # type: ignore[arg-type]
        now += 1 / 60
    second = {sid: [t for s, t in video.reads if s == sid][1] for sid in range(4)}
    assert len({round(t * 60) for t in second.values()}) == 4  # each on its own poll
    assert all(1 / STATUS_HZ <= t < 2 / STATUS_HZ + 0.02 for t in second.values())


def test_short_plots_get_few_round_labels_and_none_when_empty(window: MainWindow) -> None:
    axis = SparseAxis("left")
    for low, high in ((0.0, 1.0), (-2.0, 102.0), (-1.6, 12.6)):
        ((step, _),) = axis.tickSpacing(low, high, 35.0)
        assert (high - low) / step <= 3.5  # at most three labels in 35 px, never five
        assert any(step == f * 10**k for f in (1, 2, 5) for k in range(-2, 3))
    plots = window.vehicle.plots
    assert plots._empty
    assert all(not p.getAxis("left").style["showValues"] for p in plots.plots.values())


def test_draw_text_returns_the_advance_of_the_string() -> None:
    image = QImage(200, 40, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(14)
    try:
        width = draw_text(painter, QPointF(5, 20), "ALT 12.3 m", font, QColor("white"), QColor("black"))
        again = draw_text(painter, QPointF(5, 20), "ALT 12.3 m", font, QColor("white"), QColor("black"))
    finally:
        painter.end()
    assert width == again == text_width("ALT 12.3 m", font)
    assert width > QFontMetricsF(font).horizontalAdvance("ALT 12.3 m")  # spaces widened for the outline


SESSION = DeviceSession(
    "ses_1",
    "alpha",
    AdapterKind.FAKE,
    ConnectionSpec("fake://alpha", "fake", "fake:alpha"),
    SessionState.ACTIVE,
    datetime(2026, 11, 25, tzinfo=UTC),
)
LONG_REASON = (
    "error: could not open rtsp://10.20.30.40:8554/payload/camera-front: connection timed out after 5 s "
    "(no route to host; check the camera's address, the vehicle's network and the firewall)"
)


def test_a_long_error_is_fitted_into_a_small_tile_whole() -> None:
    # A 3x3 tile's body at 1366x768 is about 180x140 px: the reason wraps and shrinks, every word kept.
    font, lines = fit_message(LONG_REASON, 180 - 24, 140)
    metrics = QFontMetricsF(font)
    assert "".join(lines).replace(" ", "") == LONG_REASON.replace(" ", "")  # the URL broken, not elided
    assert all(text_width(line, font) <= 180 - 24 for line in lines)
    assert len(lines) * metrics.height() <= 140 - 8
    assert font.pixelSize() >= MIN_FIT_PX
    # Short reasons keep the big type, on one or two lines.
    big, short = fit_message("no signal", 300, 200)
    assert short == ["no signal"] and big.pixelSize() > font.pixelSize()


def test_a_reason_too_long_for_any_type_ends_with_an_ellipsis() -> None:
    font, lines = fit_message(LONG_REASON * 4, 120, 60)
    metrics = QFontMetricsF(font)
    assert font.pixelSize() == MIN_FIT_PX
    assert lines[-1].endswith("…")
    assert len(lines) * metrics.height() <= 60 - 8 or len(lines) == 1
    assert all(text_width(line, font) <= 120 for line in lines)


def test_the_compact_row_shrinks_so_no_reading_is_cut_at_4x4() -> None:
    font = overlay_font(170, scale=1.25)
    fields = ["GUIDED", "ARMED", "ALT 123.4 m", "BAT 99% 16.5 V", "LINK 98%"]
    assert text_width("BAT 99% 16.5 V", font) > 110  # would be cut in a 4x4 tile
    fitted = fitting_font(font, fields, 110)
    assert max(text_width(text, fitted) for text in fields) <= 110
    assert fitted.pixelSize() >= MIN_FIT_PX
    assert fitting_font(font, fields, 1000) is font  # room enough: the overlay's own size


def test_a_tiles_tooltip_holds_its_whole_message(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    loop.run(services.streams.create("dead camera", "rtsp://127.0.0.1:9/nothing"))
    tile = window.grid.tiles[0]
    qtbot.waitUntil(lambda: tile.message is not None and tile.message.text.startswith("error"), timeout=15_000)
    assert tile.toolTip() == tile.message.text


def test_the_compact_overlay_says_where_it_starts_and_draws_nothing_above(window: MainWindow) -> None:
    now = datetime.now(UTC)
    sample = TelemetrySample(
        session_id=SESSION.id, time=now, alt_rel_m=12.0, battery_pct=99.0, battery_v=16.5, mode="GUIDED", armed=True
    )
    model = overlay_model(SESSION, sample, now=now)
    image = QImage(130, 150, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        top = paint_overlay(painter, QRectF(0, 0, 130, 150), model, DARK, compact=True)
    finally:
        painter.end()
    assert 20 < top < 140  # five short rows at the bottom of a 4x4 tile
    drawn_rows = [y for y in range(150) if any(image.pixelColor(x, y).alpha() for x in range(130))]
    assert drawn_rows and min(drawn_rows) >= int(top) - 3  # the outline's padding, nothing more


def test_a_long_alarm_keeps_the_banner_to_two_lines_with_the_whole_text_in_its_tooltip() -> None:
    metrics = QFontMetricsF(QFont())
    text = "WARNING  " + LONG_REASON
    shown = lines_within(text, metrics, 300, BANNER_LINES)
    assert len(shown.split("\n")) == BANNER_LINES and shown.endswith("…")
    assert all(metrics.horizontalAdvance(line) <= 300 for line in shown.split("\n"))
    assert lines_within("battery low", metrics, 300, BANNER_LINES) == "battery low"
