"""Choosing and reading planner files for the setup dialogs, behind a seam the tests replace.

The dialogs ask a ``FileChooser`` for a path and get it in a callback: the Qt chooser opens a ``QFileDialog``
with ``open()`` (never ``exec()``, whose nested event loop would hold the services' tasks), and a test hands
its own chooser that answers at once, so no native dialog ever opens under pytest. Reading and writing go to
a worker thread: a network share or a slow USB stick must not freeze the window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QWidget

from groundstation.domain.errors import InvalidError

OpenDone = Callable[[str], None]
SaveDone = Callable[[str, str], None]
"""Called with the path and the name filter the operator picked (which says the format)."""


class FileChooser(Protocol):
    def open_path(self, parent: QWidget, title: str, filters: list[str], done: OpenDone) -> None:
        """Ask for an existing file; ``done`` is called only if one was chosen."""

    def save_path(self, parent: QWidget, title: str, filters: list[str], suggested: str, done: SaveDone) -> None:
        """Ask where to save; ``done`` is called only if a place was chosen."""


class QtFileChooser:
    """The operator's chooser: a window-modal ``QFileDialog`` opened without a nested event loop."""

    def __init__(self, *, native: bool = True) -> None:
        self.native = native
        self.dialog: QFileDialog | None = None

    def open_path(self, parent: QWidget, title: str, filters: list[str], done: OpenDone) -> None:
        dialog = self._dialog(parent, title, filters, QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(done)
        dialog.open()

    def save_path(self, parent: QWidget, title: str, filters: list[str], suggested: str, done: SaveDone) -> None:
        dialog = self._dialog(parent, title, filters, QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(suggested)
        dialog.fileSelected.connect(lambda path: done(path, dialog.selectedNameFilter()))
        dialog.open()

    def _dialog(self, parent: QWidget, title: str, filters: list[str], mode: QFileDialog.AcceptMode) -> QFileDialog:
        dialog = QFileDialog(parent, title)
        dialog.setAcceptMode(mode)
        dialog.setNameFilters(filters)
        dialog.setAccessibleName(title)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.native)
        self.dialog = dialog
        return dialog


def format_for(path: str, chosen_filter: str, formats: Mapping[str, str]) -> tuple[Path, str]:
    """The format a save was asked in (by the file's extension, else the filter picked) and the path with
    that format's extension when the operator typed none."""
    target = Path(path)
    by_suffix = {_suffix(f): fmt for f, fmt in formats.items()}
    if target.suffix in by_suffix:
        return target, by_suffix[target.suffix]
    chosen = chosen_filter if chosen_filter in formats else next(iter(formats))
    if not target.suffix:
        target = target.with_suffix(_suffix(chosen))
    return target, formats[chosen]


def _suffix(name_filter: str) -> str:
    """``"Mission Planner (*.param)"`` -> ``".param"``."""
    return name_filter.rsplit("*", 1)[-1].rstrip(")").strip()


async def read_text(path: str) -> str:
    try:
        return await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidError(f"could not read {path}: {_reason(exc)}", field="file") from exc


async def write_text(path: Path, text: str) -> None:
    try:
        await asyncio.to_thread(path.write_text, text, encoding="utf-8")
    except OSError as exc:
        raise InvalidError(f"could not write {path}: {_reason(exc)}", field="file") from exc


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
