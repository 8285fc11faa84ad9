"""Why a MAVLink session went quiet reaches the session: its event log (once per distinct condition, however
many reconnect attempts) and its ``link_lost`` record, cleared when the link is back. Real sockets: our
simulator as a process behind TCP, a closed UDP port. (A link that never came up, and a replay at its end:
``test_session_outcomes``.)"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.adapters.mavlink.codec import new_encoder
from groundstation.adapters.mavlink.transports import TcpTransport, UdpTransport
from groundstation.bootstrap import ProfileServices
from groundstation.domain.events import EventKind, Severity
from groundstation.domain.models import SessionState
from tests.integration.mavlink.sim_support import link_reports, profile_runtime, sim_process, wait_report, wait_state
from tests.integration.mavlink.test_transports import heartbeat_frame
from tests.unit.mavlink.support import free_tcp_port, free_udp_port
from tests.waiting import wait_until

pytestmark = pytest.mark.peer


async def accepts(port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


def live_mavlink(services: ProfileServices, session_id: str) -> MavlinkLink:
    link = services.sessions.live_link(session_id)
    assert isinstance(link, MavlinkLink)
    return link


@pytest.mark.slow
async def test_a_tcp_outage_is_told_once_to_every_session_on_the_link_and_cleared_when_it_is_back(
    tmp_path: Path,
) -> None:
    port = free_tcp_port()
    link = f"tcp://127.0.0.1:{port}"
    args = ("--vehicles", "2", "--tcp-listen", f"127.0.0.1:{port}", "--speed", "4")
    async with profile_runtime(tmp_path) as services, sim_process(*args) as sim:
        # Sessions start once the simulator listens: a refusal while it starts would be an outage of its
        # own, and its report would (rightly) keep the same words quiet for a minute.
        await wait_until(lambda: accepts(port), within=20)
        one = await services.sessions.start("copter one", "MAVLINK", f"{link}?sysid=1")
        two = await services.sessions.start("copter two", "MAVLINK", f"{link}?sysid=2")
        for session in (one, two):
            await wait_state(services, session.id, SessionState.ACTIVE)
        await wait_report(services, one.id, link, "connected")
        transport = live_mavlink(services, one.id)._transport
        assert isinstance(transport, TcpTransport)
        assert transport.failed_connects == 0
        before = max(e.seq or 0 for e in await services.audit.list_events())

        await sim.stop()
        for session in (one, two):
            await wait_state(services, session.id, SessionState.LINK_LOST)
        attempts = transport.failed_connects
        # A long outage: several reconnect attempts (0.25, 0.5, 1, 2 s apart), each refused.
        await wait_until(lambda: transport.failed_connects >= attempts + 3, within=20)
        for session in (one, two):
            reports = [e for e in await link_reports(services, session.id, link) if (e.seq or 0) > before]
            lost = [e for e in reports if "connection closed by the other end" in e.data["text"]]
            lost += [e for e in reports if "connection lost" in e.data["text"]]
            refused = [e for e in reports if "connection refused" in e.data["text"]]
            assert len(lost) == 1, [e.data["text"] for e in reports]
            assert len(refused) == 1, [e.data["text"] for e in reports]
            assert "reconnecting" in refused[0].data["text"]
            assert {e.severity for e in lost + refused} == {Severity.WARNING}
            stored = await services.sessions.get(session.id)
            assert stored.last_error is not None
            assert stored.last_error.startswith(f"{link}: connection refused (reconnecting")
            [entry] = await services.audit.list(action="session.link_lost", target_id=session.id)
            assert entry.detail["reason"] == stored.last_error
        changes = [
            e
            for e in await services.audit.list_events()
            if e.kind is EventKind.SESSION_STATE_CHANGED and e.subject_id == one.id and e.data["to"] == "link_lost"
        ]
        assert [e.data["error"] for e in changes] == [(await services.sessions.get(one.id)).last_error]

        await sim.start()
        for session in (one, two):
            await wait_state(services, session.id, SessionState.ACTIVE, within=15)
            await wait_report(services, session.id, link, "connected again after")
            [back] = [e for e in await link_reports(services, session.id, link) if "connected again" in e.data["text"]]
            assert back.severity is Severity.INFO
            assert (await services.sessions.get(session.id)).last_error is None
        for session in (one, two):
            await services.sessions.stop(session.id)


class AnsweringVehicle(asyncio.DatagramProtocol):
    """A UDP autopilot for a ``udpout`` ground station: silent until the GCS sends, then heartbeats at
    20 Hz to whoever sent."""

    def __init__(self) -> None:
        self.mav = new_encoder(4, 1)
        self._transport: Any = None
        self._peer: tuple[str, int] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, port: int) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", port))
        self._task = loop.create_task(self._beat())

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._peer = addr

    async def _beat(self) -> None:
        while True:
            if self._peer is not None:
                self._transport.sendto(heartbeat_frame(self.mav), self._peer)
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        if self._transport is not None:
            self._transport.close()


@pytest.mark.skipif(sys.platform != "linux", reason="ICMP errors on a connected UDP socket are Linux's")
async def test_udpout_to_a_closed_port_is_reported_once_and_back_when_a_vehicle_answers(tmp_path: Path) -> None:
    port = free_udp_port()
    link = f"udpout://127.0.0.1:{port}"
    vehicle = AnsweringVehicle()
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("out", "MAVLINK", link)
        transport = live_mavlink(services, session.id)._transport
        assert isinstance(transport, UdpTransport)
        # Our 1 Hz heartbeat bounces off the closed port each time (Linux reports ICMP on a connected socket).
        await wait_until(lambda: transport.errors >= 3, within=10)
        reports = await link_reports(services, session.id, link)
        assert [(e.severity, e.data["text"]) for e in reports] == [
            (Severity.WARNING, f"{link}: nothing is listening there (ICMP port unreachable)")
        ]
        try:
            await vehicle.start(port)
            await wait_state(services, session.id, SessionState.ACTIVE)
            await wait_report(services, session.id, link, f"{link}: connected")
        finally:
            await vehicle.stop()
        await services.sessions.stop(session.id)
