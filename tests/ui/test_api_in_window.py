"""The HTTP API inside the window (issue [5] item 1): the profile's ``api.*`` settings turn it on and off, the
status bar shows where it listens or why it cannot, and what a client does over real HTTP shows in the window."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.cli.gui import EmbeddedApi
from groundstation.domain.models import Role
from groundstation.ui.main_window import MainWindow
from groundstation.ui.panels.session_model import Column
from groundstation.ui.theme import DARK
from tests.peers.video.media import free_tcp_port
from tests.ui.conftest import Loop


@pytest.fixture
def api_window(runtime: Runtime, services: ProfileServices, loop: Loop, qtbot: QtBot) -> Iterator[MainWindow]:
    """The window as ``groundstation gui`` builds it: with the CLI's ``EmbeddedApi`` over the runtime."""
    win = MainWindow(services, DARK, api=EmbeddedApi(runtime))
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


def _apply(window: MainWindow, loop: Loop, **values: Any) -> None:
    """Write settings as the settings dialog does, then hand the window the profile's settings."""

    async def write() -> dict[str, Any]:
        for key, value in values.items():
            await window.services.settings.set(key, value, actor="operator")
        return await window.services.settings.all()

    window.apply_settings(loop.run(write()))


def _session_names(window: MainWindow) -> list[str]:
    model = window.session_panel.model
    return [str(model.index(row, Column.NAME).data()).split("\n")[0] for row in range(model.rowCount())]


def test_api_off_by_default_then_a_session_started_over_http_appears_in_the_panel(
    api_window: MainWindow, services: ProfileServices, loop: Loop, qtbot: QtBot
) -> None:
    assert api_window.api is not None and api_window.api.url is None
    assert not api_window.api_label.isVisible()
    port = free_tcp_port()
    _apply(api_window, loop, **{"api.enabled": True, "api.port": port})
    url = f"http://127.0.0.1:{port}"
    qtbot.waitUntil(lambda: api_window.api_label.text() == f"API {url}", timeout=10_000)
    assert api_window.api_label.isVisible()
    secret = loop.run(services.tokens.create("gui-test", Role.OPERATOR)).secret

    async def start_over_http() -> httpx.Response:
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {secret}"}) as client:
            body = {"name": "from-http", "adapter": "FAKE", "connection": {"url": "fake://from-http?seed=3"}}
            return await client.post("/api/integration/device-sessions/start", json=body)

    response = loop.run(start_over_http())
    assert response.status_code == 201, response.text
    qtbot.waitUntil(lambda: "from-http" in _session_names(api_window), timeout=10_000)
    row = _session_names(api_window).index("from-http")
    qtbot.waitUntil(lambda: api_window.session_panel.model.index(row, Column.STATE).data() == "active")

    # Turned off: the server stops listening and the address leaves the status bar.
    api = api_window.api
    _apply(api_window, loop, **{"api.enabled": False})
    qtbot.waitUntil(lambda: api.url is None and not api_window.api_label.isVisible(), timeout=10_000)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def test_a_port_in_use_is_shown_in_the_status_bar_not_raised(api_window: MainWindow, loop: Loop, qtbot: QtBot) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        _apply(api_window, loop, **{"api.enabled": True, "api.port": port})
        qtbot.waitUntil(lambda: api_window.api_label.text().startswith("API off: "), timeout=10_000)
    assert f"127.0.0.1:{port}" in api_window.api_label.text()
    assert "could not start" in api_window.statusBar().currentMessage()
    assert api_window.api is not None and api_window.api.url is None
    qtbot.waitUntil(lambda: api_window.runner.pending == 0)  # the start's task ended: nothing raised past it
