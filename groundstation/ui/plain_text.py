"""Text that comes from outside the code (names an operator or an integration chose, what a vehicle or a
camera said, error reasons) is shown as written, never interpreted as HTML.

Qt guesses: a ``QLabel``, a ``QMessageBox`` or a tooltip whose text looks like markup is rendered as rich
text, so a session named ``<h1>ALL OK</h1>`` would print huge and ``<br>`` would push an alarm's words out of
sight. Labels and message boxes that show such text are set to plain text; tooltips (which have no such
switch) get the text escaped inside a rich-text wrapper when it holds a ``<``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows its text literally, whatever it contains."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def make_plain(*widgets: QLabel | QMessageBox) -> None:
    """Switch existing labels or message boxes to plain text."""
    for widget in widgets:
        widget.setTextFormat(Qt.TextFormat.PlainText)


def tooltip(text: str) -> str:
    """``text`` as a tooltip shows it: unchanged when Qt cannot take it for markup, else escaped (line breaks
    kept) inside a ``<qt>`` wrapper that makes Qt render the escaped characters as the literal ones."""
    if "<" not in text:
        return text
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"
