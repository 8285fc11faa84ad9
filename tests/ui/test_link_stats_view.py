"""The vehicle dock's Link group: a MAVLink session's real figures from our simulator over UDP, a FAKE
session's (no RSSI: ``--``), and nothing (``--``) for no selection or a stopped session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import LinkStats
from groundstation.ui.main_window import MainWindow
from groundstation.ui.panels.link_view import link_rows
from tests.ui.conftest import Loop
from tests.ui.vehicle_setup_support import SimVehicle, screenshot, sim_vehicle_fixture  # noqa: F401 (fixture)


def rate(text: str) -> float:
    assert text.endswith(" msg/s"), text
    return float(text.removesuffix(" msg/s"))


@pytest.mark.slow
@pytest.mark.peer
def test_a_mavlink_link_shows_its_rates_each_second(
    window: MainWindow, sim_vehicle: SimVehicle, qtbot: QtBot, tmp_path: Path
) -> None:
    link = window.vehicle.link
    assert link.session_id == sim_vehicle.session.id
    qtbot.waitUntil(lambda: link.stats is not None and link.stats.messages_in_per_s > 0, timeout=10_000)
    assert rate(link.values["in"].text()) > 0
    # Our 1 Hz GCS heartbeat goes out: the rate out becomes non-zero within a few readings.
    qtbot.waitUntil(lambda: rate(link.values["out"].text()) > 0, timeout=10_000)
    assert link.values["bad"].text() == "0"
    assert link.values["loss"].text().endswith("lost)")
    # The simulator reports a radio (RADIO_STATUS), as a SiK telemetry radio would.
    assert re.fullmatch(r"\d+% / remote \d+%", link.values["rssi"].text()), link.values["rssi"].text()
    assert link.shared.text().startswith("udpin")
    screenshot(window, "window-link.png", tmp_path)
    reads = link.reads
    qtbot.waitUntil(lambda: link.reads >= reads + 2, timeout=5_000)  # refreshed about once a second

    window.select_session("")
    assert all(label.text() == "--" for label in link.values.values()) and link.session_id is None


def test_a_fake_link_and_a_stopped_session(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    link = window.vehicle.link
    assert all(label.text() == "--" for label in link.values.values())
    session = loop.run(services.sessions.start("scout", "FAKE", "fake://scout?seed=4&rate_hz=10"))
    qtbot.waitUntil(lambda: session.id in window.bridge.sessions)
    window.select_session(session.id)
    qtbot.waitUntil(lambda: link.stats is not None and link.stats.messages_in_per_s > 0, timeout=10_000)
    assert link.values["rssi"].text() == "--" and link.shared.text() == "fake:scout"
    loop.run(services.sessions.stop(session.id))
    qtbot.waitUntil(lambda: link.values["in"].text() == "--", timeout=5_000)
    assert link.stats is None


def test_link_rows_in_words() -> None:
    stats = LinkStats(
        link="udpin:14550",
        messages_in_per_s=41.04,
        messages_out_per_s=1.0,
        bad_frames=3,
        lost_packets=7,
        packet_loss_pct=1.25,
        rssi_pct=80.0,
        remote_rssi_pct=72.4,
    )
    assert link_rows(stats) == {
        "in": "41.0 msg/s",
        "out": "1.0 msg/s",
        "bad": "3",
        "loss": "1.2% (7 lost)",
        "rssi": "80% / remote 72%",
    }
    assert set(link_rows(None).values()) == {"--"}
