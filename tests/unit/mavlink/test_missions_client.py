"""MissionClient against a scripted vehicle: both request kinds, lost frames, refusals and timeouts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from groundstation.adapters.mavlink.missions import MissionClient
from groundstation.adapters.mavlink.missions_codec import decode_item, encode_item
from groundstation.domain.errors import (
    InvalidError,
    OperationTimeoutError,
    UnavailableError,
    UnsupportedError,
)
from groundstation.domain.missions import Mission, MissionItem
from tests.peers.mavlink_udp_channel import ScriptedMavChannel

MISSION = Mission(
    items=(
        MissionItem(seq=0, command=22, frame=3, z=20.0),  # takeoff
        MissionItem(seq=1, command=16, frame=3, x=47.3977419, y=8.5455939, z=50.0),
        MissionItem(seq=2, command=16, frame=1, x=12.5, y=-3.25, z=-10.0),  # local, metres
        MissionItem(seq=3, command=177, frame=2, param1=1, param2=3, autocontinue=True),  # DO_JUMP
        MissionItem(seq=4, command=21, frame=3, x=-33.8688197, y=151.2092955, z=0.0),
    )
)


class MissionVehicle:
    """Stores a mission and answers the mission protocol the way the test configures it."""

    def __init__(self, items: tuple[MissionItem, ...] = (), *, old_requests: bool = False) -> None:
        self.items = list(items)
        self.old_requests = old_requests  # ask with MISSION_REQUEST, as ArduPilot does
        self.incoming: list[MissionItem] = []
        self.expected = 0
        self.count = 0
        self.drop_requests_for: set[int] = set()  # item requests to answer with silence once (download)
        self.lose_first_count = False
        self.refuse_with: int | None = None  # MAV_MISSION_RESULT to end an upload with
        self.current = 0
        self.command_answer = "ack"  # "ack", "unsupported" (an older ArduPilot) or "silent"
        self.mute = False
        self.channel = ScriptedMavChannel(self)

    @property
    def mav(self) -> Any:
        return self.channel.vehicle_mav

    def _request(self, seq: int) -> Any:
        if self.old_requests:
            return self.mav.mission_request_encode(255, 190, seq, 0)
        return self.mav.mission_request_int_encode(255, 190, seq, 0)

    def __call__(self, message: Any) -> Iterable[Any]:
        kind = message.get_type()
        if self.mute:
            return []
        if kind == "MISSION_COUNT":
            if self.lose_first_count:
                self.lose_first_count = False
                return []
            self.count, self.expected, self.incoming = message.count, 0, []
            if self.count == 0:
                self.items = []
                return [self.mav.mission_ack_encode(255, 190, 0, 0)]
            return [self._request(0)]
        if kind == "MISSION_ITEM_INT":
            if message.seq != self.expected:
                return [self._request(self.expected)]
            self.incoming.append(decode_item(message))
            self.expected += 1
            if self.refuse_with is not None and self.expected == 2:
                return [self.mav.mission_ack_encode(255, 190, self.refuse_with, 0)]
            if self.expected == self.count:
                self.items = self.incoming
                return [self.mav.mission_ack_encode(255, 190, 0, 0)]
            return [self._request(self.expected)]
        if kind == "MISSION_REQUEST_LIST":
            return [self.mav.mission_count_encode(255, 190, len(self.items), 0)]
        if kind == "MISSION_REQUEST_INT":
            if message.seq in self.drop_requests_for:
                self.drop_requests_for.discard(message.seq)
                return []
            return [encode_item(self.mav, 255, 190, self.items[message.seq])]
        if kind == "MISSION_CLEAR_ALL":
            result = self.refuse_with if self.refuse_with is not None else 0
            if result == 0:
                self.items = []
            return [self.mav.mission_ack_encode(255, 190, result, 0)]
        if kind == "MISSION_SET_CURRENT":
            # ArduPilot: the number asked for echoed when taken (then its next periodic report of the item it
            # holds), silence when refused.
            if self._take_current(message.seq):
                return [self.mav.mission_current_encode(message.seq), self.mav.mission_current_encode(self.current)]
            return []
        if kind == "COMMAND_LONG" and message.command == 224:  # MAV_CMD_DO_SET_MISSION_CURRENT
            if self.command_answer == "silent":
                return []
            if self.command_answer == "unsupported":
                return [self.mav.command_ack_encode(224, 3)]
            # A periodic report of the item of before, sent just before the vehicle handled the command.
            before = [self.mav.mission_current_encode(self.current)]
            if self._take_current(int(message.param1)):
                return [*before, self.mav.command_ack_encode(224, 0), self.mav.mission_current_encode(self.current)]
            return [*before, self.mav.command_ack_encode(224, 4)]
        return []

    def _take_current(self, seq: int) -> bool:
        """ArduPilot's rule: nothing past the end, nothing without a mission but home; a DO item gives way to
        the next navigation item (here: a command below 100); 0 restarts at item 1."""
        if not 0 <= seq < len(self.items) or len(self.items) <= 1:
            return False
        nav = next((i.seq for i in self.items[max(seq, 1) :] if i.command < 100), None)
        if nav is None:
            return False
        self.current = nav
        return True


@pytest.mark.parametrize("old_requests", [False, True], ids=["MISSION_REQUEST_INT", "MISSION_REQUEST"])
async def test_upload_answers_either_request_kind_with_int_items(old_requests: bool) -> None:
    vehicle = MissionVehicle(old_requests=old_requests)
    progress: list[tuple[int, int]] = []
    await MissionClient(vehicle.channel, retry_s=0.05).upload(MISSION, lambda d, t: progress.append((d, t)))
    assert vehicle.items == list(MISSION.items)
    assert progress == [(i, 5) for i in range(1, 6)]
    assert set(vehicle.channel.sent_types()) == {"MISSION_COUNT", "MISSION_ITEM_INT"}


async def test_coordinates_travel_scaled_per_frame() -> None:
    vehicle = MissionVehicle()
    await MissionClient(vehicle.channel, retry_s=0.05).upload(MISSION)
    wire = [m for m in vehicle.channel.sent if m.get_type() == "MISSION_ITEM_INT"]
    assert (wire[1].x, wire[1].y) == (473977419, 85455939)  # degrees * 1e7
    assert (wire[2].x, wire[2].y) == (125000, -32500)  # metres * 1e4
    assert (wire[3].x, wire[3].y) == (0, 0)  # mission frame: plain values


async def test_a_lost_count_is_sent_again() -> None:
    vehicle = MissionVehicle()
    vehicle.lose_first_count = True
    await MissionClient(vehicle.channel, retry_s=0.05).upload(MISSION)
    assert vehicle.channel.sent_types().count("MISSION_COUNT") == 2
    assert vehicle.items == list(MISSION.items)


@pytest.mark.parametrize(
    ("result", "error", "words"),
    [
        (4, InvalidError, "has no space left"),
        (3, UnsupportedError, "refused a command it does not support"),
        (14, UnavailableError, "denied the operation"),
    ],
)
async def test_an_error_ack_is_an_error_in_words(result: int, error: type[Exception], words: str) -> None:
    vehicle = MissionVehicle()
    vehicle.refuse_with = result
    with pytest.raises(error, match=f"mission upload of 5 items: the vehicle {words}"):
        await MissionClient(vehicle.channel, retry_s=0.05).upload(MISSION)


async def test_a_silent_vehicle_times_out_and_the_upload_is_cancelled() -> None:
    vehicle = MissionVehicle()
    vehicle.mute = True
    with pytest.raises(OperationTimeoutError, match="asked for no item"):
        await MissionClient(vehicle.channel, retry_s=0.05, retries=2).upload(MISSION, timeout_s=2)
    assert vehicle.channel.sent_types() == ["MISSION_COUNT"] * 3 + ["MISSION_ACK"]
    assert vehicle.channel.sent[-1].type == 15  # MAV_MISSION_OPERATION_CANCELLED


async def test_items_must_be_numbered_in_order() -> None:
    vehicle = MissionVehicle()
    bad = Mission(items=(MissionItem(seq=1, command=16),))
    with pytest.raises(InvalidError, match="item 0 has seq 1"):
        await MissionClient(vehicle.channel).upload(bad)


async def test_download_requests_each_item_and_retries_a_lost_one() -> None:
    vehicle = MissionVehicle(MISSION.items)
    vehicle.drop_requests_for = {2}
    progress: list[tuple[int, int]] = []
    mission = await MissionClient(vehicle.channel, retry_s=0.05).download(lambda d, t: progress.append((d, t)))
    assert mission.items == MISSION.items
    assert progress[-1] == (5, 5)
    requests = [m.seq for m in vehicle.channel.sent if m.get_type() == "MISSION_REQUEST_INT"]
    assert requests == [0, 1, 2, 2, 3, 4]
    assert vehicle.channel.sent[-1].get_type() == "MISSION_ACK" and vehicle.channel.sent[-1].type == 0


async def test_download_of_an_empty_mission_sends_no_item_requests() -> None:
    vehicle = MissionVehicle()
    assert (await MissionClient(vehicle.channel, retry_s=0.05).download()).items == ()
    assert vehicle.channel.sent_types() == ["MISSION_REQUEST_LIST"]


async def test_download_that_stalls_is_cancelled_and_names_the_item() -> None:
    vehicle = MissionVehicle(MISSION.items)
    vehicle.drop_requests_for = {3}
    client = MissionClient(vehicle.channel, retry_s=0.05, retries=0)
    with pytest.raises(OperationTimeoutError, match="did not send item 3 of 5"):
        await client.download(timeout_s=2)
    assert vehicle.channel.sent[-1].get_type() == "MISSION_ACK" and vehicle.channel.sent[-1].type == 15


async def test_clear_is_confirmed_by_the_ack_and_a_refusal_is_reported() -> None:
    vehicle = MissionVehicle(MISSION.items)
    await MissionClient(vehicle.channel, retry_s=0.05).clear()
    assert vehicle.items == []
    vehicle.refuse_with = 14
    with pytest.raises(UnavailableError, match="clearing the mission: the vehicle denied"):
        await MissionClient(vehicle.channel, retry_s=0.05).clear()


# Home, TAKEOFF, DO_CHANGE_SPEED, WAYPOINT, WAYPOINT: the shape of an ArduPilot mission.
ARDU_MISSION = (
    MissionItem(seq=0, command=16, frame=0, x=47.39, y=8.54, z=400.0),
    MissionItem(seq=1, command=22, frame=3, z=20.0),
    MissionItem(seq=2, command=178, frame=2, param2=5.0),
    MissionItem(seq=3, command=16, frame=3, x=47.3977419, y=8.5455939, z=50.0),
    MissionItem(seq=4, command=16, frame=3, x=47.398, y=8.546, z=50.0),
)


@pytest.mark.parametrize(
    ("asked", "chosen"), [(3, 3), (1, 1), (2, 3), (0, 1)], ids=["waypoint", "takeoff", "do-item", "restart"]
)
@pytest.mark.parametrize("answer", ["ack", "unsupported"], ids=["command", "message"])
async def test_set_current_returns_the_item_the_vehicle_chose(asked: int, chosen: int, answer: str) -> None:
    vehicle = MissionVehicle(ARDU_MISSION)
    vehicle.command_answer = answer
    got = await MissionClient(vehicle.channel, retry_s=0.05, settle_s=0.5).set_current(asked)
    assert (got, vehicle.current) == (chosen, chosen)
    expected = ["COMMAND_LONG"] if answer == "ack" else ["COMMAND_LONG", "MISSION_SET_CURRENT"]
    assert vehicle.channel.sent_types() == expected


async def test_a_refusal_wins_over_a_report_of_the_same_number_sent_before_it() -> None:
    vehicle = MissionVehicle(ARDU_MISSION[:1])  # home only: ArduPilot refuses every item, 0 included
    with pytest.raises(InvalidError, match="the vehicle failed making item 0 current"):
        await MissionClient(vehicle.channel, retry_s=0.05, settle_s=0.5).set_current(0)
    vehicle = MissionVehicle(ARDU_MISSION)
    with pytest.raises(InvalidError, match="the vehicle failed making item 9 current"):
        await MissionClient(vehicle.channel, retry_s=0.05, settle_s=0.5).set_current(9)


async def test_set_current_by_message_only_is_not_confirmed_by_a_report_of_another_item() -> None:
    vehicle = MissionVehicle(ARDU_MISSION[:1])
    vehicle.command_answer = "unsupported"
    vehicle.current = 3
    vehicle.channel.push(vehicle.mav.mission_current_encode(3))
    with pytest.raises(OperationTimeoutError, match="did not confirm item 2 as current"):
        await MissionClient(vehicle.channel, retry_s=0.05, retries=2).set_current(2)
    assert set(vehicle.channel.sent_types()) == {"COMMAND_LONG", "MISSION_SET_CURRENT"}


async def test_set_current_that_never_takes_times_out_after_trying_both_ways() -> None:
    vehicle = MissionVehicle(MISSION.items)
    vehicle.command_answer = "silent"
    vehicle.mute = True
    with pytest.raises(OperationTimeoutError, match="no MISSION_CURRENT reporting item 9"):
        await MissionClient(vehicle.channel, retry_s=0.05, retries=1).set_current(9)
    assert vehicle.channel.sent_types() == ["COMMAND_LONG", "MISSION_SET_CURRENT"]
