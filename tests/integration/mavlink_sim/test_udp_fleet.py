"""The simulator driven over UDP as QGroundControl would drive it: identity, commands and their ACKs."""

from __future__ import annotations

import itertools

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.mavlink_sim import MavlinkSimulator, UdpOut
from tests.integration.mavlink_sim.conftest import fleet, start
from tests.integration.mavlink_sim.gcs import Gcs, UdpGcs
from tests.waiting import wait_until

ARMED = mavlink.MAV_MODE_FLAG_SAFETY_ARMED
GUIDED, RTL, LAND = 4, 6, 9


async def test_each_vehicle_heartbeats_as_an_arducopter_with_its_own_system_id(
    udp_fleet: tuple[MavlinkSimulator, Gcs],
) -> None:
    _, gcs = udp_fleet
    for sysid in (1, 2, 3):
        hb = await gcs.expect(sysid, "HEARTBEAT")
        assert hb.type == mavlink.MAV_TYPE_QUADROTOR
        assert hb.autopilot == mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA
        assert hb.base_mode & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        assert not hb.base_mode & ARMED
        assert hb.custom_mode == 0  # STABILIZE
        assert hb.system_status == mavlink.MAV_STATE_STANDBY
        assert hb.get_srcComponent() == 1
    # Every stream the GCS measures link quality from is there.
    for kind in ("SYS_STATUS", "GPS_RAW_INT", "GLOBAL_POSITION_INT", "ATTITUDE", "VFR_HUD", "BATTERY_STATUS"):
        await gcs.expect(2, kind)


async def test_sequence_numbers_increment_per_vehicle_without_gaps(udp_fleet: tuple[MavlinkSimulator, Gcs]) -> None:
    _, gcs = udp_fleet
    await wait_until(lambda: all(len([m for m in gcs.received if m.get_srcSystem() == s]) > 60 for s in (1, 2, 3)))
    for sysid in (1, 2, 3):
        seqs = [m.get_seq() for m in gcs.received if m.get_srcSystem() == sysid]
        assert all((b - a) % 256 == 1 for a, b in itertools.pairwise(seqs)), seqs[:20]


async def test_autopilot_version_and_home_on_request(udp_fleet: tuple[MavlinkSimulator, Gcs]) -> None:
    _, gcs = udp_fleet
    ack = await gcs.command(1, mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    version = await gcs.expect(1, "AUTOPILOT_VERSION")
    assert version.flight_sw_version >> 8 == 0x040507  # 4.5.7, then FIRMWARE_VERSION_TYPE_OFFICIAL
    assert version.flight_sw_version & 0xFF == 255
    assert version.capabilities & mavlink.MAV_PROTOCOL_CAPABILITY_MISSION_INT
    await gcs.wait_fix(1)
    ack = await gcs.command(1, mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_HOME_POSITION)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    home = await gcs.expect(1, "HOME_POSITION")
    assert abs(home.latitude / 1e7 - (-35.363261)) < 0.01


async def test_message_interval_changes_a_stream_rate(udp_fleet: tuple[MavlinkSimulator, Gcs]) -> None:
    _, gcs = udp_fleet
    ack = await gcs.command(3, mavlink.MAV_CMD_SET_MESSAGE_INTERVAL, mavlink.MAVLINK_MSG_ID_ATTITUDE, -1)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    ack = await gcs.command(3, mavlink.MAV_CMD_SET_MESSAGE_INTERVAL, mavlink.MAVLINK_MSG_ID_HOME_POSITION, 200_000)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.wait_fix(3)
    mark = gcs.mark()
    await wait_until(lambda: len(gcs.of(3, "HOME_POSITION", mark)) >= 3)
    assert not gcs.of(3, "ATTITUDE", mark + 5)  # stopped (allowing for a few in flight)
    gcs.send(gcs.mav.request_data_stream_encode(3, 1, mavlink.MAV_DATA_STREAM_EXTRA1, 20, 1))
    await gcs.expect(3, "ATTITUDE", since=gcs.mark())
    ack = await gcs.command(3, mavlink.MAV_CMD_SET_MESSAGE_INTERVAL, 99_999, 100_000)
    assert ack.result == mavlink.MAV_RESULT_FAILED


async def test_arming_before_a_fix_is_refused_with_the_reason_in_statustext() -> None:
    gcs_end = await UdpGcs.open()
    running = await start(fleet(1, gps_warmup_s=600.0), UdpOut("127.0.0.1", gcs_end.port))
    gcs = gcs_end.gcs
    try:
        await gcs.expect(1, "HEARTBEAT")
        mark = gcs.mark()
        ack = await gcs.command(1, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1)
        assert ack.result == mavlink.MAV_RESULT_FAILED
        text = await gcs.expect(1, "STATUSTEXT", lambda m: m.text.startswith("Arm:"), mark)
        assert text.text == "Arm: Need Position Estimate"
        assert text.severity == mavlink.MAV_SEVERITY_CRITICAL
        # GUIDED without a position estimate: acknowledged, yet HEARTBEAT keeps the old mode.
        ack = await gcs.set_mode(1, "GUIDED")
        assert ack.result == mavlink.MAV_RESULT_ACCEPTED
        hb = await gcs.heartbeat_where(1, lambda m: True)
        assert hb.custom_mode == 0
        assert not hb.base_mode & ARMED
        prearm = gcs.of(1, "STATUSTEXT")
        assert any(m.text == "PreArm: Need Position Estimate" for m in prearm)
    finally:
        await running.close()
        gcs_end.close()


async def test_guided_arm_takeoff_climbs_then_rtl_and_land(udp_fleet: tuple[MavlinkSimulator, Gcs]) -> None:
    _, gcs = udp_fleet
    await gcs.wait_fix(1)
    assert (await gcs.set_mode(1, "GUIDED")).result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.heartbeat_where(1, lambda m: m.custom_mode == GUIDED)
    assert (await gcs.command(1, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1)).result == mavlink.MAV_RESULT_ACCEPTED
    ack = await gcs.command(1, mavlink.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, 12)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    hb = await gcs.heartbeat_where(1, lambda m: bool(m.base_mode & ARMED))
    assert hb.system_status == mavlink.MAV_STATE_ACTIVE
    await gcs.expect(1, "GLOBAL_POSITION_INT", lambda m: m.relative_alt > 5000, gcs.mark(), within=10)
    assert (await gcs.command(1, mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH)).result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.heartbeat_where(1, lambda m: m.custom_mode == RTL)
    assert (await gcs.command(1, mavlink.MAV_CMD_NAV_LAND)).result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.heartbeat_where(1, lambda m: m.custom_mode == LAND)
    # A second takeoff while airborne is refused, with ArduCopter's code and a reason.
    mark = gcs.mark()
    ack = await gcs.command(1, mavlink.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, 12)
    assert ack.result == mavlink.MAV_RESULT_FAILED
    await gcs.expect(1, "STATUSTEXT", lambda m: "Takeoff refused" in m.text, mark)


async def test_mode_by_set_mode_message_and_command_int(udp_fleet: tuple[MavlinkSimulator, Gcs]) -> None:
    _, gcs = udp_fleet
    await gcs.wait_fix(2)
    mark = gcs.mark()
    gcs.send(gcs.mav.set_mode_encode(2, mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 5))  # LOITER
    ack = await gcs.expect(2, "COMMAND_ACK", lambda m: m.command == mavlink.MAV_CMD_DO_SET_MODE, mark)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.heartbeat_where(2, lambda m: m.custom_mode == 5)
    mark = gcs.mark()
    gcs.send(gcs.mav.command_int_encode(2, 1, 0, mavlink.MAV_CMD_DO_CHANGE_SPEED, 0, 0, 1, 5.5, 0, 0, 0, 0, 0))
    ack = await gcs.expect(2, "COMMAND_ACK", lambda m: m.command == mavlink.MAV_CMD_DO_CHANGE_SPEED, mark)
    assert ack.result == mavlink.MAV_RESULT_ACCEPTED
    # A mode ArduCopter has but the FAKE model does not fly fails, and says so.
    ack = await gcs.set_mode(2, "ACRO")
    assert ack.result == mavlink.MAV_RESULT_FAILED


async def test_unknown_command_is_unsupported(udp_fleet: tuple[MavlinkSimulator, Gcs]) -> None:
    _, gcs = udp_fleet
    ack = await gcs.command(3, mavlink.MAV_CMD_DO_SET_SERVO, 9, 1500)
    assert ack.result == mavlink.MAV_RESULT_UNSUPPORTED
    assert ack.target_system == 255 and ack.target_component == 190


async def test_a_retry_with_the_confirmation_field_is_not_applied_twice(
    udp_fleet: tuple[MavlinkSimulator, Gcs],
) -> None:
    sim, gcs = udp_fleet
    await gcs.wait_fix(2)
    assert (await gcs.command(2, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1)).result == mavlink.MAV_RESULT_ACCEPTED
    mark = gcs.mark()
    assert (await gcs.command(2, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 0)).result == mavlink.MAV_RESULT_ACCEPTED
    # The GCS missed that ACK and retries: the vehicle is disarmed already, and must not refuse the retry.
    retry = await gcs.command(2, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 0, confirmation=1)
    assert retry.result == mavlink.MAV_RESULT_ACCEPTED
    await gcs.heartbeat_where(2, lambda m: not m.base_mode & ARMED)
    texts = [m.text for m in gcs.of(2, "STATUSTEXT", mark)]
    assert sum(t.startswith("Disarming motors") for t in texts) == 1
    assert not any("already disarmed" in t for t in texts)
    # A fresh command (confirmation 0) is a new request, refused as ArduPilot would.
    again = await gcs.command(2, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 0)
    assert again.result == mavlink.MAV_RESULT_FAILED
    assert not sim.vehicles[2].vehicle.s.armed
