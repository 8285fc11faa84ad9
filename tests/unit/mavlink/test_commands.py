"""Commands against a scripted vehicle over real UDP: ACK matching, retries, IN_PROGRESS, timeouts, refusals
with the vehicle's reason, set mode confirmed by the heartbeat, and parameters checked before sending."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.adapters.mavlink.codec import mavlink2
from groundstation.domain.commands import CommandName, CommandOutcome, VehicleCommand
from groundstation.domain.connections import parse_connection
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind
from tests.unit.mavlink.support import RecordingSink, ScriptedVehicle, free_udp_port
from tests.waiting import wait_until

ARM = mavlink2.MAV_CMD_COMPONENT_ARM_DISARM


@pytest.fixture
async def rig() -> AsyncIterator[tuple[MavlinkLink, ScriptedVehicle, RecordingSink]]:
    port = free_udp_port()
    sink = RecordingSink()
    link = MavlinkLink("ses_cmd", parse_connection(AdapterKind.MAVLINK, f"udpin://127.0.0.1:{port}"), sink)
    await link.open()
    vehicle = ScriptedVehicle(port)
    # Answer the link's own set-up requests (firmware, rates) so they do not linger in the tests.
    vehicle.on_command = lambda v, m: v.ack(m.command, mavlink2.MAV_RESULT_ACCEPTED) if m.command in SETUP else None
    await vehicle.start()
    await wait_until(lambda: link.vehicle is not None and link.vehicle.autopilot is not None)
    yield link, vehicle, sink
    await vehicle.stop()
    await link.close()


SETUP = {mavlink2.MAV_CMD_REQUEST_MESSAGE, mavlink2.MAV_CMD_SET_MESSAGE_INTERVAL}


def script(vehicle: ScriptedVehicle, answer: Any) -> None:
    def on_command(v: ScriptedVehicle, msg: Any) -> None:
        if msg.command in SETUP:
            v.ack(msg.command, mavlink2.MAV_RESULT_ACCEPTED)
        else:
            answer(v, msg)

    vehicle.on_command = on_command


async def test_accepted_arm_matches_the_ack_on_the_command_id(rig: Any) -> None:
    link, vehicle, _ = rig

    def answer(v: ScriptedVehicle, msg: Any) -> None:
        v.ack(mavlink2.MAV_CMD_NAV_LAND, mavlink2.MAV_RESULT_DENIED)  # another command's ACK: ignored
        v.ack(msg.command, mavlink2.MAV_RESULT_ACCEPTED)

    script(vehicle, answer)
    result = await link.command(VehicleCommand(CommandName.ARM), timeout_s=2.0)
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    sent = [m for m in vehicle.commands if m.command == ARM]
    assert sent[0].param1 == 1 and sent[0].param2 == 0
    assert sent[0].target_system == 1 and sent[0].target_component == 1


async def test_refused_arm_carries_the_vehicles_statustext(rig: Any) -> None:
    link, vehicle, sink = rig

    def answer(v: ScriptedVehicle, msg: Any) -> None:
        v.ack(msg.command, mavlink2.MAV_RESULT_FAILED)
        v.statustext("Arm: Need Position Estimate")  # ArduPilot sends the reason beside the ACK

    script(vehicle, answer)
    result = await link.command(VehicleCommand(CommandName.ARM), timeout_s=2.0)
    assert result.outcome is CommandOutcome.FAILED
    assert "Arm: Need Position Estimate" in result.message
    await wait_until(lambda: any("Need Position" in text for _s, text in sink.messages))
    assert sink.messages[-1][0].value == "critical"


async def test_retries_increment_confirmation_then_succeed(rig: Any) -> None:
    link, vehicle, _ = rig

    def answer(v: ScriptedVehicle, msg: Any) -> None:
        if msg.confirmation >= 2:  # the first two attempts are "lost"
            v.ack(msg.command, mavlink2.MAV_RESULT_ACCEPTED)

    script(vehicle, answer)
    result = await link.command(VehicleCommand(CommandName.DISARM, {"force": True}), timeout_s=1.5)
    assert result.outcome is CommandOutcome.ACCEPTED
    attempts = [m for m in vehicle.commands if m.command == ARM]
    assert [m.confirmation for m in attempts] == [0, 1, 2]
    assert attempts[0].param1 == 0 and attempts[0].param2 == 21196


async def test_in_progress_extends_the_wait_and_stops_resending(rig: Any) -> None:
    link, vehicle, _ = rig
    loop = asyncio.get_running_loop()

    def answer(v: ScriptedVehicle, msg: Any) -> None:
        # Progress every 0.4 s and the final answer after 1.0 s: longer than the 0.6 s timeout, which
        # each IN_PROGRESS starts again.
        v.ack(msg.command, mavlink2.MAV_RESULT_IN_PROGRESS, progress=10)
        for delay in (0.4, 0.8):
            loop.call_later(delay, v.ack, msg.command, mavlink2.MAV_RESULT_IN_PROGRESS, 50)
        loop.call_later(1.0, v.ack, msg.command, mavlink2.MAV_RESULT_ACCEPTED)

    script(vehicle, answer)
    result = await link.command(VehicleCommand(CommandName.TAKEOFF, {"alt_m": 10}), timeout_s=0.6)
    assert result.outcome is CommandOutcome.ACCEPTED, result.message
    takeoffs = [m for m in vehicle.commands if m.command == mavlink2.MAV_CMD_NAV_TAKEOFF]
    assert len(takeoffs) == 1 and takeoffs[0].param7 == 10


async def test_silence_is_no_answer_after_all_attempts(rig: Any) -> None:
    link, vehicle, _ = rig
    script(vehicle, lambda v, m: None)
    result = await link.command(VehicleCommand(CommandName.RTL), timeout_s=0.6)
    assert result.outcome is CommandOutcome.NO_ANSWER
    assert "no answer" in result.message
    assert len([m for m in vehicle.commands if m.command == mavlink2.MAV_CMD_NAV_RETURN_TO_LAUNCH]) == 3


@pytest.mark.parametrize(
    ("result", "outcome"),
    [
        (mavlink2.MAV_RESULT_DENIED, CommandOutcome.DENIED),
        (mavlink2.MAV_RESULT_UNSUPPORTED, CommandOutcome.UNSUPPORTED),
        (mavlink2.MAV_RESULT_TEMPORARILY_REJECTED, CommandOutcome.TEMPORARILY_REJECTED),
        (6, CommandOutcome.FAILED),  # CANCELLED
    ],
)
async def test_every_result_becomes_words(rig: Any, result: int, outcome: CommandOutcome) -> None:
    link, vehicle, _ = rig
    script(vehicle, lambda v, m: v.ack(m.command, result))
    answer = await link.command(VehicleCommand(CommandName.LAND), timeout_s=1.0)
    assert answer.outcome is outcome
    assert answer.message.startswith("land: ")


async def test_set_mode_is_confirmed_by_the_heartbeat(rig: Any) -> None:
    link, vehicle, _ = rig

    def answer(v: ScriptedVehicle, msg: Any) -> None:
        assert msg.command == mavlink2.MAV_CMD_DO_SET_MODE
        v.ack(msg.command, mavlink2.MAV_RESULT_ACCEPTED)
        v.custom_mode = int(msg.param2)

    script(vehicle, answer)
    result = await link.command(VehicleCommand(CommandName.SET_MODE, {"mode": "guided"}), timeout_s=2.0)
    assert result.outcome is CommandOutcome.ACCEPTED and "GUIDED" in result.message
    await wait_until(lambda: link.vehicle is not None and link.vehicle.mode == "GUIDED")


async def test_set_mode_acknowledged_but_not_taken_fails(rig: Any) -> None:
    link, vehicle, _ = rig
    script(vehicle, lambda v, m: v.ack(m.command, mavlink2.MAV_RESULT_ACCEPTED))  # acks, stays in STABILIZE
    result = await link.command(VehicleCommand(CommandName.SET_MODE, {"mode": "GUIDED"}), timeout_s=0.8)
    assert result.outcome is CommandOutcome.FAILED
    assert "still reports STABILIZE" in result.message


async def test_goto_is_a_reposition_command_int(rig: Any) -> None:
    link, vehicle, _ = rig
    script(vehicle, lambda v, m: v.ack(m.command, mavlink2.MAV_RESULT_ACCEPTED))
    params = {"lat": 47.3977, "lon": 8.5456, "alt_m": 20}
    result = await link.command(VehicleCommand(CommandName.GOTO, params), timeout_s=1.0)
    assert result.outcome is CommandOutcome.ACCEPTED
    sent = next(m for m in vehicle.commands if m.command == mavlink2.MAV_CMD_DO_REPOSITION)
    assert sent.get_type() == "COMMAND_INT"
    assert (sent.x, sent.y, sent.z) == (473977000, 85456000, 20)
    assert sent.frame == mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        (CommandName.TAKEOFF, {}, "params.alt_m"),
        (CommandName.TAKEOFF, {"alt_m": "ten"}, "params.alt_m"),
        (CommandName.TAKEOFF, {"alt_m": float("nan")}, "params.alt_m"),
        (CommandName.GOTO, {"lat": 91, "lon": 0, "alt_m": 10}, "params.lat"),
        (CommandName.CHANGE_SPEED, {"speed_mps": -1}, "params.speed_mps"),
        (CommandName.SET_MODE, {"mode": "WARP"}, "params.mode"),
        (CommandName.ARM, {"force": "yes"}, "params.force"),
    ],
)
async def test_bad_parameters_are_refused_before_sending(
    rig: Any, name: CommandName, params: dict[str, Any], field: str
) -> None:
    link, vehicle, _ = rig
    before = len(vehicle.commands)
    with pytest.raises(InvalidError) as caught:
        await link.command(VehicleCommand(name, params), timeout_s=0.5)
    assert caught.value.field == field
    assert not [m for m in vehicle.commands[before:] if m.command not in SETUP]
