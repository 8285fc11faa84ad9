"""UI test fixtures: real services on a temp profile, on a qasync loop that pytest-qt's waits drive.

The loop is created ``already_running`` over pytest-qt's QApplication: asyncio callbacks run whenever Qt
processes events, so ``qtbot.waitUntil`` (which processes events while it polls) also runs the services'
tasks. Coroutines are started with ``run`` and waited for the same way, never with a fixed sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from pytestqt.qtbot import QtBot

from groundstation.adapters.video import OpenCvVideoSourceFactory
from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.storage import FileProfileCatalog
from groundstation.ui.main_window import MainWindow
from groundstation.ui.theme import DARK

T = TypeVar("T")

# Small, slow synthetic feeds: the tests check behaviour, not throughput, on a two-core machine.
FEED = "synthetic://?w=320&h=180&fps=15&pattern=ball"


class Loop:
    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float = 15.0) -> T:
        task = asyncio.ensure_future(coro)
        self.qtbot.waitUntil(task.done, timeout=int(timeout_s * 1000))
        return task.result()


@pytest.fixture(scope="session")
def qt_event_loop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    """One qasync loop for the session (a stopped one cannot be restarted over a live QApplication), with
    an executor of our own so its threads are joined at the end."""
    event_loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    executor = qasync.QThreadExecutor(4)
    event_loop.set_default_executor(executor)
    yield event_loop
    executor.shutdown(wait=True)


@pytest.fixture
def loop(qt_event_loop: qasync.QEventLoop, qtbot: QtBot) -> Iterator[Loop]:
    """The qasync loop is the running loop for this test only (other test suites run their own loops)."""
    asyncio.set_event_loop(qt_event_loop)
    asyncio.events._set_running_loop(qt_event_loop)
    try:
        yield Loop(qtbot)
    finally:
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture
def runtime(tmp_path: Path, loop: Loop) -> Iterator[Runtime]:
    catalog = FileProfileCatalog(tmp_path / "gshome")
    catalog.create("ops")
    rt = Runtime(catalog, video_factory=OpenCvVideoSourceFactory(backoff_min_s=1.0, backoff_max_s=2.0))
    try:
        yield rt
    finally:
        loop.run(rt.close())


@pytest.fixture
def services(runtime: Runtime, loop: Loop) -> ProfileServices:
    return loop.run(runtime.open_profile("ops"))


@pytest.fixture
def window(services: ProfileServices, loop: Loop, qtbot: QtBot) -> Iterator[MainWindow]:
    win = MainWindow(services, DARK)
    win.resize(1366, 768)
    loop.run(win.start())
    win.show()
    qtbot.waitExposed(win)
    try:
        yield win
    finally:
        loop.run(win.shutdown())
        win.close()
        win.deleteLater()
