"""MissionClient against MAVSDK's MissionRawServer acting as an autopilot over real UDP.

MissionRawServer receives uploads (asking with MISSION_REQUEST_INT), answers MISSION_CLEAR_ALL with an ACK and
MISSION_SET_CURRENT with MISSION_CURRENT. It has no call to provide a mission for download: what it serves on
MISSION_REQUEST_LIST is the last mission uploaded to it, which is checked here too.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import mavsdk
import pytest
from mavsdk.plugins.mission_raw_server import MissionRawServer

from groundstation.adapters.mavlink.missions import MissionClient
from groundstation.domain.missions import Mission, MissionItem
from tests.peers.mavlink_udp_channel import UdpMavChannel
from tests.waiting import wait_until

pytestmark = pytest.mark.peer

MISSION = Mission(
    items=(
        MissionItem(seq=0, command=22, frame=6, z=20.0),  # takeoff, relative altitude
        MissionItem(seq=1, command=16, frame=6, param1=2.0, x=47.3977419, y=8.5455939, z=50.0),
        MissionItem(seq=2, command=16, frame=6, x=47.3980001, y=8.5461234, z=55.5, autocontinue=False),
        MissionItem(seq=3, command=20, frame=2),  # RTL
    )
)


@dataclass
class Seen:
    """What MissionRawServer's callbacks reported, from MAVSDK's own threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    missions: list[tuple[Any, list[Any]]] = field(default_factory=list)
    current: list[int] = field(default_factory=list)
    clears: int = 0


@pytest.fixture
async def vehicle() -> AsyncIterator[tuple[UdpMavChannel, Seen]]:
    async with UdpMavChannel() as channel:
        sdk = mavsdk.Mavsdk(mavsdk.Configuration.create_with_component_type(mavsdk.ComponentType.AUTOPILOT))
        server = MissionRawServer(sdk.server_component())
        seen = Seen()

        def on_mission(result: Any, plan: Any, _user: Any) -> None:
            with seen.lock:
                seen.missions.append((result, list(plan.mission_items)))

        def on_current(item: Any, _user: Any) -> None:
            with seen.lock:
                seen.current.append(item.seq)

        def on_clear(_value: Any, _user: Any) -> None:
            with seen.lock:
                seen.clears += 1

        server.subscribe_incoming_mission(on_mission)
        server.subscribe_current_item_changed(on_current)
        server.subscribe_clear_all(on_clear)
        sdk.add_any_connection(f"udpout://127.0.0.1:{channel.port}")
        try:
            await channel.wait_for_vehicle()
            yield channel, seen
        finally:
            sdk.destroy()


async def test_upload_arrives_item_for_item(vehicle: tuple[UdpMavChannel, Seen]) -> None:
    channel, seen = vehicle
    progress: list[tuple[int, int]] = []
    await MissionClient(channel, retry_s=0.5).upload(MISSION, lambda d, t: progress.append((d, t)), timeout_s=10)
    assert progress[-1] == (4, 4)
    await wait_until(lambda: seen.missions)
    result, items = seen.missions[-1]
    assert result.name == "SUCCESS"
    wire = [(i.seq, i.frame, i.command, i.autocontinue, i.param1, i.x, i.y, i.z) for i in items]
    assert wire == [
        (0, 6, 22, 1, 0.0, 0, 0, 20.0),
        (1, 6, 16, 1, 2.0, 473977419, 85455939, 50.0),
        (2, 6, 16, 0, 0.0, 473980001, 85461234, 55.5),
        (3, 2, 20, 1, 0.0, 0, 0, 0.0),
    ]
    assert "MISSION_REQUEST_INT" in {m.get_type() for m in channel.received}


async def test_download_returns_what_was_uploaded(vehicle: tuple[UdpMavChannel, Seen]) -> None:
    channel, _seen = vehicle
    client = MissionClient(channel, retry_s=0.5)
    await client.upload(MISSION, timeout_s=10)
    progress: list[tuple[int, int]] = []
    mission = await client.download(lambda d, t: progress.append((d, t)), timeout_s=10)
    assert [(i.seq, i.command, i.frame, i.autocontinue) for i in mission.items] == [
        (i.seq, i.command, i.frame, i.autocontinue) for i in MISSION.items
    ]
    assert [(i.x, i.y, i.z) for i in mission.items] == [
        (pytest.approx(i.x, abs=1e-7), pytest.approx(i.y, abs=1e-7), i.z) for i in MISSION.items
    ]
    assert progress[-1] == (4, 4)


async def test_set_current_is_confirmed_and_reaches_the_server(vehicle: tuple[UdpMavChannel, Seen]) -> None:
    channel, seen = vehicle
    client = MissionClient(channel, retry_s=0.5)
    await client.upload(MISSION, timeout_s=10)
    await client.set_current(2, timeout_s=5)
    await wait_until(lambda: 2 in seen.current)


async def test_clear_is_acknowledged(vehicle: tuple[UdpMavChannel, Seen]) -> None:
    channel, seen = vehicle
    client = MissionClient(channel, retry_s=0.5)
    await client.upload(MISSION, timeout_s=10)
    await client.clear(timeout_s=5)
    await wait_until(lambda: seen.clears == 1)
    assert (await client.download(timeout_s=5)).items == ()
