"""Colours and fonts of the window: one dark theme now, with light and high-contrast sunlight themes in shape.

A theme is data (a frozen dataclass) so that the settings slice can switch themes per profile by name, and
so that the painting code (tiles, overlays, chips) reads its colours from one place instead of hard-coding
them: an overlay that is readable in the dark theme must stay readable when the sunlight theme swaps in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from groundstation.domain.models import SessionState, StreamState


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    window: str
    base: str
    alt_base: str
    text: str
    muted_text: str
    button: str
    highlight: str
    highlight_text: str
    tile_background: str
    tile_border: str
    tile_focus: str
    # Overlay text is drawn with an outline of ``overlay_outline`` so it reads on any video content.
    overlay_text: str = "#ffffff"
    overlay_outline: str = "#000000"
    # Tiles are dark in every theme (video is), so what is drawn on them has its own bright colours.
    tile_muted: str = "#9aa4ae"
    tile_ok: str = "#3ddc6e"
    tile_warn: str = "#ffb000"
    tile_bad: str = "#ff5050"
    ok: str = "#2ecc71"
    warn: str = "#f1c40f"
    bad: str = "#ff4d4d"
    idle: str = "#8a93a0"
    busy: str = "#4aa3ff"
    base_point_size: int = 10
    # Disabled controls must look disabled: their text clearly fainter than enabled text (sunlight's
    # near-black "muted" text made a disabled button look live), on a flatter button face.
    disabled_text: str = "#6b7480"
    disabled_button: str = ""  # "" keeps the button colour
    # The frame of an unchecked check box or radio button, drawn by Fusion a shade darker than the
    # window colour: on a dark window that frame vanished, so these widgets get a colour of their own.
    indicator_outline: str = "#8a96a4"
    session_colors: dict[SessionState, str] = field(default_factory=dict)

    def session_color(self, state: SessionState) -> QColor:
        """The chip colour of a session state: green flying, amber degraded, red broken, grey ended."""
        named = self.session_colors.get(state)
        if named is not None:
            return QColor(named)
        if state is SessionState.ACTIVE:
            return QColor(self.ok)
        if state in (SessionState.LINK_LOST, SessionState.INTERRUPTED):
            return QColor(self.warn)
        if state is SessionState.FAILED:
            return QColor(self.bad)
        if state in (SessionState.STARTING, SessionState.STOPPING):
            return QColor(self.busy)
        return QColor(self.idle)

    def stream_color(self, state: StreamState, *, on_tile: bool = False) -> QColor:
        """The colour of a stream state, in the window's palette or (``on_tile``) over dark video."""
        ok, warn, bad = (self.tile_ok, self.tile_warn, self.tile_bad) if on_tile else (self.ok, self.warn, self.bad)
        if state is StreamState.LIVE:
            return QColor(ok)
        if state in (StreamState.STALLED, StreamState.RECONNECTING):
            return QColor(warn)
        if state is StreamState.ERROR:
            return QColor(bad)
        if state is StreamState.CONNECTING:
            return QColor(self.tile_muted if on_tile else self.busy)
        return QColor(self.tile_muted if on_tile else self.idle)


DARK = Theme(
    name="dark",
    window="#15191e",
    base="#0f1215",
    alt_base="#1b2026",
    text="#e8ecf0",
    muted_text="#9aa4ae",
    button="#262c33",
    highlight="#2f6fb3",
    highlight_text="#ffffff",
    tile_background="#07090b",
    tile_border="#2a3038",
    tile_focus="#4aa3ff",
)

LIGHT = Theme(
    name="light",
    window="#eef1f4",
    base="#ffffff",
    alt_base="#f3f5f7",
    text="#111417",
    muted_text="#4d5660",
    button="#dfe4e9",
    highlight="#1f5fa3",
    highlight_text="#ffffff",
    tile_background="#1a1d21",
    tile_border="#b8c0c8",
    tile_focus="#1f5fa3",
    ok="#1e9e52",
    warn="#c98a00",
    bad="#d42020",
    idle="#6b7480",
    busy="#1f6fd0",
    disabled_text="#9aa1a8",
    indicator_outline="#6b7480",
)

# For direct sunlight: pure black and white, thick saturated status colours, larger type.
SUNLIGHT = Theme(
    name="sunlight",
    window="#ffffff",
    base="#ffffff",
    alt_base="#f0f0f0",
    text="#000000",
    muted_text="#202020",
    button="#e0e0e0",
    highlight="#000000",
    highlight_text="#ffff00",
    tile_background="#000000",
    tile_border="#000000",
    tile_focus="#0050ff",
    overlay_text="#ffff00",
    ok="#008a00",
    warn="#ff8c00",
    bad="#e00000",
    idle="#505050",
    busy="#0050ff",
    base_point_size=12,
    disabled_text="#8c8c8c",
    disabled_button="#f6f6f6",
    indicator_outline="#000000",
)

THEMES: dict[str, Theme] = {theme.name: theme for theme in (DARK, LIGHT, SUNLIGHT)}


def theme_named(name: str) -> Theme:
    """The theme called ``name``, or the dark theme for a name this build does not know."""
    return THEMES.get(name, DARK)


def indicator_window(theme: Theme) -> QColor:
    """The Window colour that Fusion's ``darker(140)`` turns into the theme's indicator outline."""
    outline = QColor(theme.indicator_outline)
    if outline.value() == 0:
        return QColor("#000000")
    return outline.lighter(140)


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Set the Fusion style and a palette built from ``theme`` on the whole application."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.alt_base,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.button,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.highlight,
        QPalette.ColorRole.HighlightedText: theme.highlight_text,
        QPalette.ColorRole.ToolTipBase: theme.alt_base,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted_text,
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    disabled = QColor(theme.disabled_text)
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    if theme.disabled_button:
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor(theme.disabled_button))
    app.setPalette(palette)
    # Fusion outlines a check box's indicator in the Window colour darkened by 140 %; these classes get a
    # Window colour whose darker shade is ``indicator_outline``, so the box reads on the theme's window.
    indicator = QPalette(palette)
    indicator.setColor(QPalette.ColorRole.Window, indicator_window(theme))
    for name in ("QCheckBox", "QRadioButton"):
        app.setPalette(indicator, name)  # type: ignore[arg-type]  # the stub says bytes; PySide takes str
    font = QFont(app.font())
    font.setPointSize(theme.base_point_size)
    app.setFont(font)
    # Qt tells existing widgets only once its event loop runs (``exec``); a window built before that (the
    # start-up, tests) would keep the old type size and measure its columns with it. Tell them now.
    for widget in app.allWidgets():
        QApplication.sendEvent(widget, QEvent(QEvent.Type.ApplicationFontChange))
        QApplication.sendEvent(widget, QEvent(QEvent.Type.ApplicationPaletteChange))
