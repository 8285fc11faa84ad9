"""Running the desktop window on a profile's services, on the one asyncio loop that is also Qt's loop.

``run_qt(coro)`` runs a coroutine with ``qasync.QEventLoop`` as the asyncio loop (``asyncio.Runner`` with a
loop factory: Python 3.11's spelling of ``asyncio.run(main(), loop_factory=...)``), so the services' tasks,
their database callbacks and Qt's timers and paints all take turns on the GUI thread and nothing needs a lock.
``run_window`` shows the window until it is closed or ``quit_after_s`` passes (replacing it with a new one
when the operator switches profiles), and can save a screenshot and measure how responsive the loop stayed
(``--stats``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import qasync
from PySide6.QtWidgets import QApplication

from groundstation.ui.main_window import MainWindow
from groundstation.ui.services import ApiControl, ProfileHost, ProfileServicesView, SerialPortLister, VideoProbe
from groundstation.ui.theme import apply_theme, theme_named
from groundstation.ui.watchdog import StallWatchdog

T = TypeVar("T")

WINDOW_SIZE = (1366, 768)  # the smallest laptop screen the layout is designed for
SETTLE_S = 0.5  # start-up paints and layouts are not counted in the stall figures


@dataclass
class WindowOptions:
    layout: str | None = None
    theme: str | None = None  # None: the profile's ``ui.theme`` setting
    screenshot: Path | None = None
    quit_after_s: float | None = None
    stats: bool = False
    size: tuple[int, int] = WINDOW_SIZE
    settle_s: float = SETTLE_S  # not counted in the figures: start-up layouts, first paints


def qt_event_loop() -> asyncio.AbstractEventLoop:
    """The asyncio loop the window and the services share: Qt's own event loop, through qasync."""
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(application())
    return loop


def application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("groundstation")
    app.setOrganizationName("groundstation")
    # The window closing ends ``run_window``, which then closes the services; Qt must not stop the loop first.
    app.setQuitOnLastWindowClosed(False)
    return app


def run_qt(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a qasync loop (the services' loop is Qt's loop)."""
    app = application()
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(main)


async def run_window(
    services: ProfileServicesView,
    options: WindowOptions,
    *,
    startup: Callable[[], Awaitable[None]] | None = None,
    host: ProfileHost | None = None,
    probe: VideoProbe | None = None,
    ready: Callable[[], None] | None = None,
    api: ApiControl | None = None,
    serial_ports: SerialPortLister | None = None,
) -> dict[str, Any]:
    """Show the main window on ``services`` until it closes (or ``quit_after_s``); returns the stats.

    ``ready`` is called once, when the first window is shown and ``startup`` (the demo fleet) has finished:
    the moment start-up's allocations are done (the CLI freezes them out of the collector there). ``api``
    starts and stops the embedded HTTP API when the profile's ``api.*`` settings say so.

    A window closed to switch profiles is replaced by a fresh one on the profile ``host`` opened: nothing of
    the old profile's window (selection, alarms, trails, plots) survives into the new one."""
    app = application()
    apply_theme(app, theme_named(options.theme or "dark"))
    watchdog = StallWatchdog()
    watchdog.start()
    deadline = None if options.quit_after_s is None else time.monotonic() + options.quit_after_s
    try:
        while True:
            window = MainWindow(
                services,
                theme_named(options.theme or "dark"),
                watchdog,
                host=host,
                probe=probe,
                api=api,
                serial_ports=serial_ports,
            )
            window.resize(*options.size)
            try:
                stats = await _show(window, options, watchdog, startup, deadline, ready)
                if window.switch_to is None or host is None:
                    return stats
                startup, ready = None, None
                next_profile = window.switch_to
            finally:
                await window.shutdown()
                window.hide()
                window.deleteLater()
            services = await host.switch(next_profile)
    finally:
        watchdog.stop()


async def _show(
    window: MainWindow,
    options: WindowOptions,
    watchdog: StallWatchdog,
    startup: Callable[[], Awaitable[None]] | None,
    deadline: float | None,
    ready: Callable[[], None] | None = None,
) -> dict[str, Any]:
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    await window.start()
    if options.theme is not None:
        window.set_theme(theme_named(options.theme))  # the command line wins over the profile's setting
    if options.layout is not None:
        window.grid.set_layout(options.layout)
    window.show()

    async def start_up() -> None:
        if startup is not None:
            await startup()
        await asyncio.sleep(0)  # let the first paints happen before ``ready``
        if ready is not None:
            ready()

    window.runner.run(start_up())
    await asyncio.sleep(options.settle_s)
    watchdog.reset()
    counted_from = time.monotonic()
    frames_before = {id(tile): tile.slot.displayed.total for tile in window.grid.tiles}
    if deadline is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), max(0.0, deadline - time.monotonic()))
    else:
        await closed.wait()
    elapsed = max(1e-6, time.monotonic() - counted_from)
    if options.screenshot is not None and window.switch_to is None:
        save_screenshot(window, options.screenshot)
    return collect_stats(window, watchdog, frames_before, elapsed)


def save_screenshot(window: MainWindow, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise OSError(f"could not write the screenshot to {path}")


def collect_stats(
    window: MainWindow, watchdog: StallWatchdog, frames_before: dict[int, int], elapsed_s: float
) -> dict[str, Any]:
    """Loop stalls (max, p99) and, per visible tile with a stream, the frames shown per second on average
    over the measured period beside the rate its worker decoded."""
    tiles: dict[str, dict[str, Any]] = {}
    for tile in window.grid.visible_tiles():
        if tile.stream is None:
            continue
        shown = tile.slot.displayed.total - frames_before.get(id(tile), 0)
        status = tile.slot.status
        tiles[tile.stream.name] = {
            "displayed_fps": round(shown / elapsed_s, 1),
            "decoded_fps": round(status.qos.decoded_fps, 1) if status and status.qos.decoded_fps else None,
            "state": status.state.value if status is not None else tile.stream.state.value,
        }
    return {
        "profile": window.services.name,
        "layout": window.grid.layout_name,
        "seconds": round(elapsed_s, 2),
        "max_stall_ms": round(watchdog.max_stall_ms, 1),
        "p99_stall_ms": round(watchdog.percentile(99), 1),
        "stall_samples": watchdog.samples,
        "displayed_fps": {name: t["displayed_fps"] for name, t in tiles.items()},
        "tiles": tiles,
    }
