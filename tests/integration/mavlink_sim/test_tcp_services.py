"""Parameters and missions over ``--tcp-listen``, and several GCS clients on one listener."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.mavlink_sim import MavlinkSimulator, TcpListen
from tests.integration.mavlink_sim.conftest import fleet, start
from tests.integration.mavlink_sim.gcs import Gcs, TcpGcs, distance_m
from tests.waiting import wait_until

REL = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
AUTO = 3


@pytest.fixture
async def tcp_fleet() -> AsyncIterator[tuple[MavlinkSimulator, TcpListen, TcpGcs]]:
    transport = TcpListen("127.0.0.1", 0)
    running = await start(fleet(2), transport)
    await wait_until(lambda: transport.port != 0)
    client = await TcpGcs.connect(transport.port)
    yield running.sim, transport, client
    await client.close()
    await running.close()


async def test_two_tcp_clients_each_see_every_vehicle(tcp_fleet: tuple[MavlinkSimulator, TcpListen, TcpGcs]) -> None:
    _, transport, first = tcp_fleet
    second = await TcpGcs.connect(transport.port)
    try:
        await wait_until(lambda: transport.client_count == 2)
        for client in (first, second):
            for sysid in (1, 2):
                await client.gcs.expect(sysid, "HEARTBEAT", since=client.gcs.mark())
        # A command from one client is answered; both see the ACK (the link is shared, as through a router).
        mark = first.gcs.mark(), second.gcs.mark()
        ack = await second.gcs.command(1, mavlink.MAV_CMD_DO_SET_SERVO, 9, 1500)
        assert ack.result == mavlink.MAV_RESULT_UNSUPPORTED
        await first.gcs.expect(1, "COMMAND_ACK", since=mark[0])
    finally:
        await second.close()
    await wait_until(lambda: transport.client_count == 1)


async def test_parameters_list_read_set(tcp_fleet: tuple[MavlinkSimulator, TcpListen, TcpGcs]) -> None:
    sim, _, client = tcp_fleet
    gcs = client.gcs
    mark = gcs.mark()
    gcs.send(gcs.mav.param_request_list_encode(2, 1))
    first = await gcs.expect(2, "PARAM_VALUE", since=mark)
    count = first.param_count
    assert count >= 40
    await wait_until(lambda: len({m.param_index for m in gcs.of(2, "PARAM_VALUE", mark)}) == count)
    values = {m.param_id: m for m in gcs.of(2, "PARAM_VALUE", mark)}
    for name in ("SYSID_THISMAV", "ARMING_CHECK", "RTL_ALT", "WPNAV_SPEED", "BATT_CAPACITY", "DISARM_DELAY"):
        assert name in values
    # Integers are float casts (ArduPilot), typed: not their bytes in the float field.
    assert values["SYSID_THISMAV"].param_value == 2.0
    assert values["SYSID_THISMAV"].param_type == mavlink.MAV_PARAM_TYPE_INT16
    assert values["DISARM_DELAY"].param_value == 10.0

    mark = gcs.mark()
    gcs.send(gcs.mav.param_request_read_encode(2, 1, b"RTL_ALT", -1))
    by_name = await gcs.expect(2, "PARAM_VALUE", since=mark)
    assert (by_name.param_id, by_name.param_value) == ("RTL_ALT", 1500.0)
    mark = gcs.mark()
    gcs.send(gcs.mav.param_request_read_encode(2, 1, b"", by_name.param_index))
    by_index = await gcs.expect(2, "PARAM_VALUE", since=mark)
    assert by_index.param_id == "RTL_ALT"

    mark = gcs.mark()
    gcs.send(gcs.mav.param_set_encode(2, 1, b"WPNAV_SPEED", 1200.0, mavlink.MAV_PARAM_TYPE_REAL32))
    echo = await gcs.expect(2, "PARAM_VALUE", lambda m: m.param_id == "WPNAV_SPEED", mark)
    assert echo.param_value == 1200.0
    assert sim.vehicles[2].vehicle.speed_mps == 12.0  # wired into the FAKE model
    mark = gcs.mark()
    gcs.send(gcs.mav.param_set_encode(2, 1, b"DISARM_DELAY", 4.7, mavlink.MAV_PARAM_TYPE_INT8))
    echo = await gcs.expect(2, "PARAM_VALUE", lambda m: m.param_id == "DISARM_DELAY", mark)
    assert echo.param_value == 5.0


async def upload(gcs: Gcs, sysid: int, items: list[tuple[int, int, float, float, float]]) -> None:
    """Upload ``items`` (command, frame, lat, lon, alt) the way a GCS answers ArduPilot's requests."""
    mark = gcs.mark()
    gcs.send(gcs.mav.mission_count_encode(sysid, 1, len(items), mavlink.MAV_MISSION_TYPE_MISSION))
    for seq, (command, frame, lat, lon, alt) in enumerate(items):
        await gcs.expect(sysid, "MISSION_REQUEST", lambda m, s=seq: m.seq == s, mark)
        gcs.send(
            gcs.mav.mission_item_int_encode(
                sysid, 1, seq, frame, command, 0, 1, 0, 0, 0, 0, round(lat * 1e7), round(lon * 1e7), alt
            )
        )
    ack = await gcs.expect(sysid, "MISSION_ACK", since=mark)
    assert ack.type == mavlink.MAV_MISSION_ACCEPTED
    assert not gcs.of(sysid, "MISSION_REQUEST_INT", mark)  # ArduPilot asks with the old message


async def download(gcs: Gcs, sysid: int) -> list[object]:
    mark = gcs.mark()
    gcs.send(gcs.mav.mission_request_list_encode(sysid, 1, mavlink.MAV_MISSION_TYPE_MISSION))
    count = (await gcs.expect(sysid, "MISSION_COUNT", since=mark)).count
    items = []
    for seq in range(count):
        mark = gcs.mark()
        gcs.send(gcs.mav.mission_request_int_encode(sysid, 1, seq, mavlink.MAV_MISSION_TYPE_MISSION))
        items.append(await gcs.expect(sysid, "MISSION_ITEM_INT", lambda m, s=seq: m.seq == s, mark))
    gcs.send(gcs.mav.mission_ack_encode(sysid, 1, mavlink.MAV_MISSION_ACCEPTED, mavlink.MAV_MISSION_TYPE_MISSION))
    return items


async def test_mission_upload_fly_in_auto_download_and_clear(
    tcp_fleet: tuple[MavlinkSimulator, TcpListen, TcpGcs],
) -> None:
    sim, _, client = tcp_fleet
    gcs = client.gcs
    home = sim.vehicles[1].config.home
    wp1 = (home.lat_deg + 0.0009, home.lon_deg)  # 100 m north
    wp2 = (home.lat_deg + 0.0009, home.lon_deg + 0.0011)
    items = [
        (mavlink.MAV_CMD_NAV_WAYPOINT, mavlink.MAV_FRAME_GLOBAL, home.lat_deg, home.lon_deg, 0.0),
        (mavlink.MAV_CMD_NAV_TAKEOFF, REL, 0.0, 0.0, 10.0),
        (mavlink.MAV_CMD_NAV_WAYPOINT, REL, *wp1, 20.0),
        (mavlink.MAV_CMD_NAV_WAYPOINT, REL, *wp2, 25.0),
        (mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH, REL, 0.0, 0.0, 0.0),
    ]
    await upload(gcs, 1, items)

    got = await download(gcs, 1)
    assert len(got) == len(items)
    for item, (command, frame, lat, lon, alt) in zip(got[1:], items[1:], strict=True):
        assert (item.command, item.frame, item.x, item.y, item.z) == (  # type: ignore[attr-defined]
            command,
            frame,
            round(lat * 1e7),
            round(lon * 1e7),
            alt,
        )

    await gcs.wait_fix(1)
    assert (await gcs.set_mode(1, "GUIDED")).result == mavlink.MAV_RESULT_ACCEPTED
    assert (await gcs.command(1, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1)).result == mavlink.MAV_RESULT_ACCEPTED
    ack = await gcs.command(1, mavlink.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, 10)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.expect(1, "GLOBAL_POSITION_INT", lambda m: m.relative_alt > 3000, gcs.mark(), within=10)
    assert (await gcs.set_mode(1, "AUTO")).result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.heartbeat_where(1, lambda m: m.custom_mode == AUTO)
    await gcs.expect(1, "MISSION_CURRENT", lambda m: m.seq == 2, gcs.mark())  # flying to waypoint 1 (item 2)
    start = await gcs.position(1)
    before = distance_m(start.lat / 1e7, start.lon / 1e7, *wp1)
    await gcs.expect(
        1,
        "GLOBAL_POSITION_INT",
        lambda m: distance_m(m.lat / 1e7, m.lon / 1e7, *wp1) < before - 15,
        gcs.mark(),
        within=10,
    )

    mark = gcs.mark()
    gcs.send(gcs.mav.mission_clear_all_encode(1, 1, mavlink.MAV_MISSION_TYPE_MISSION))
    ack = await gcs.expect(1, "MISSION_ACK", since=mark)
    assert ack.type == mavlink.MAV_MISSION_ACCEPTED
    assert len(await download(gcs, 1)) == 1  # only home is left, as on ArduPilot


async def test_mission_download_with_the_old_request_and_set_current(
    tcp_fleet: tuple[MavlinkSimulator, TcpListen, TcpGcs],
) -> None:
    sim, _, client = tcp_fleet
    gcs = client.gcs
    home = sim.vehicles[2].config.home
    await upload(
        gcs,
        2,
        [
            (mavlink.MAV_CMD_NAV_WAYPOINT, mavlink.MAV_FRAME_GLOBAL, home.lat_deg, home.lon_deg, 0.0),
            (mavlink.MAV_CMD_NAV_WAYPOINT, REL, home.lat_deg + 0.001, home.lon_deg, 30.0),
            (mavlink.MAV_CMD_NAV_WAYPOINT, REL, home.lat_deg + 0.002, home.lon_deg, 30.0),
        ],
    )
    mark = gcs.mark()
    gcs.send(gcs.mav.mission_request_encode(2, 1, 2, mavlink.MAV_MISSION_TYPE_MISSION))
    item = await gcs.expect(2, "MISSION_ITEM", since=mark)  # the float form, for the float request
    assert abs(item.x - (home.lat_deg + 0.002)) < 1e-5  # a float32 of degrees: about a metre
    ack = await gcs.command(2, mavlink.MAV_CMD_DO_SET_MISSION_CURRENT, 2)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.expect(2, "MISSION_CURRENT", lambda m: m.seq == 2, gcs.mark())
    mark = gcs.mark()
    gcs.send(gcs.mav.mission_set_current_encode(2, 1, 1))
    await gcs.expect(2, "MISSION_CURRENT", lambda m: m.seq == 1, mark)
    ack = await gcs.command(2, mavlink.MAV_CMD_DO_SET_MISSION_CURRENT, 9)
    assert ack.result == mavlink.MAV_RESULT_FAILED
