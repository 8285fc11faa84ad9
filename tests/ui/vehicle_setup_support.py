"""A real MAVLink vehicle for the window's setup tests: our ArduCopter simulator on the test's qasync loop,
talking UDP on 127.0.0.1 to a MAVLINK session of the window's profile; and a file chooser that answers from
a script, so no native file dialog opens under pytest."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from groundstation.adapters.mavlink_sim import MavlinkSimulator, SimOptions, UdpOut, build_fleet
from groundstation.adapters.mavlink_sim.vehicle import MavVehicle
from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import DeviceSession, SessionState
from groundstation.ui.main_window import MainWindow
from groundstation.ui.vehicle_setup.files import OpenDone, SaveDone
from tests.ui.conftest import Loop
from tests.unit.mavlink.support import free_udp_port

SCREENSHOTS = os.environ.get("GS_SCREENSHOTS")
"""A directory to save the dialogs' pictures to (``docs/images`` when refreshing the user guide's)."""


@dataclass
class SimVehicle:
    sim: MavlinkSimulator
    session: DeviceSession

    @property
    def vehicle(self) -> MavVehicle:
        return self.sim.vehicles[1]

    def param(self, name: str) -> float:
        param = self.vehicle.params.get(name)
        assert param is not None
        return param.value


@pytest.fixture(name="sim_vehicle")
def sim_vehicle_fixture(
    window: MainWindow, services: ProfileServices, loop: Loop, qtbot: QtBot
) -> Iterator[SimVehicle]:
    """One simulated ArduCopter (system id 1), its session active and identified, selected in the window."""
    port = free_udp_port()
    session = loop.run(services.sessions.start("copter one", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=1"))
    fleet = [replace(m, config=replace(m.config, gps_warmup_s=1.0)) for m in build_fleet(SimOptions(vehicles=1))]
    sim = MavlinkSimulator(fleet, UdpOut("127.0.0.1", port), speed=2.0)
    stop = asyncio.Event()
    task = asyncio.ensure_future(sim.run(stop))
    try:
        qtbot.waitUntil(lambda: services.sessions.live_state(session.id) is SessionState.ACTIVE, timeout=15_000)

        def identified() -> bool:
            known = window.bridge.session(session.id)
            return known is not None and known.identity.firmware is not None

        qtbot.waitUntil(identified, timeout=15_000)
        qtbot.waitUntil(lambda: window.session_panel.model.row_of(session.id) >= 0)  # the table has the row
        window.select_session(session.id)
        selected = window.session_panel.selected()
        assert selected is not None and selected.id == session.id
        yield SimVehicle(sim, session)
    finally:
        stop.set()
        qtbot.waitUntil(task.done, timeout=10_000)


class ScriptedFiles:
    """A ``FileChooser`` whose answers are set by the test: paths to open, (path, filter) pairs to save to."""

    def __init__(self) -> None:
        self.to_open: list[str] = []
        self.to_save: list[tuple[str, str]] = []
        self.asked: list[str] = []

    def open_path(self, parent: QWidget, title: str, filters: list[str], done: OpenDone) -> None:
        self.asked.append(title)
        done(self.to_open.pop(0))

    def save_path(self, parent: QWidget, title: str, filters: list[str], suggested: str, done: SaveDone) -> None:
        self.asked.append(title)
        assert suggested and filters
        path, chosen = self.to_save.pop(0)
        assert chosen in filters
        done(path, chosen)


@pytest.fixture(name="files")
def files_fixture(window: MainWindow) -> ScriptedFiles:
    chooser = ScriptedFiles()
    window.dialogs.files = chooser
    return chooser


def screenshot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Render ``widget`` offscreen to a PNG (in ``GS_SCREENSHOTS`` when set, for the user guide)."""
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    image = widget.grab()
    assert not image.isNull() and image.width() > 300
    assert image.save(str(path))
    return path
