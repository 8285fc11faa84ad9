"""The MAVLink mission microservice, as a ground station's client of one vehicle.

Every exchange is a request the ground station repeats until answered, inside an overall deadline: radios lose
frames, and a vehicle that never answers must end in an error that says what was asked, not in a hang. On upload
the vehicle drives the transfer by requesting items; it may ask with MISSION_REQUEST_INT or, as ArduPilot still
does, with the older MISSION_REQUEST: both are answered with MISSION_ITEM_INT, which every current autopilot
accepts and which keeps coordinates exact. A transfer that fails is cancelled with a MISSION_ACK so the vehicle
does not keep waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from groundstation.adapters.mavlink.channel import MavChannel
from groundstation.adapters.mavlink.missions_codec import decode_item, encode_item, result_words
from groundstation.adapters.mavlink.params_inbox import Inbox, deadline_after, open_inbox
from groundstation.domain.errors import (
    GroundstationError,
    InvalidError,
    OperationTimeoutError,
    UnavailableError,
    UnsupportedError,
)
from groundstation.domain.missions import Mission, MissionType

Progress = Callable[[int, int], None]
"""Called with (items done, total) as a transfer advances."""

_ACCEPTED = 0
_CANCELLED = 15
_CMD_DO_SET_MISSION_CURRENT = 224
_COMMAND_REFUSALS = {2: "denied", 4: "failed"}  # MAV_RESULT values that end set_current at once
_IN_PROGRESS = 5  # MAV_RESULT_IN_PROGRESS: the final ACK follows
# After the vehicle accepted a new current item, how long to wait for the MISSION_CURRENT that says which
# item it chose (ArduPilot sends it at its EXTENDED_STATUS rate, 2 Hz as we ask).
_SETTLE_S = 1.5


def mission_result_error(result: int, doing: str) -> GroundstationError:
    """A refused MISSION_ACK as an error of the right kind, in words."""
    message = f"{doing}: the vehicle {result_words(result)}"
    if result in (2, 3):
        return UnsupportedError(message)
    if result in (14, 15):
        return UnavailableError(message)
    return InvalidError(message, field="items")


class MissionClient:
    """Downloads, uploads, clears and steps one vehicle's mission through a ``MavChannel``.

    ``retry_s`` is how long one request waits before it is sent again; ``retries`` bounds the repeats of one
    request, while each operation's ``timeout_s`` bounds the whole transfer. ``settle_s`` bounds the wait for
    the report of the item a vehicle chose after accepting a new current item.
    """

    def __init__(
        self, channel: MavChannel, *, retry_s: float = 1.0, retries: int = 5, settle_s: float = _SETTLE_S
    ) -> None:
        self._channel = channel
        self._retry_s = retry_s
        self._retries = retries
        self._settle_s = settle_s

    async def download(
        self,
        progress: Progress | None = None,
        timeout_s: float = 30.0,
        mission_type: MissionType = MissionType.MISSION,
    ) -> Mission:
        """The vehicle's items in order (for ArduPilot item 0 is home); ``home`` stays unknown."""
        channel, kind = self._channel, int(mission_type)
        deadline = deadline_after(timeout_s)
        async with open_inbox(channel, "MISSION_COUNT", "MISSION_ITEM_INT", "MISSION_ITEM", "MISSION_ACK") as inbox:
            answer = await self._exchange(
                inbox,
                deadline,
                lambda: channel.send(
                    channel.mav.mission_request_list_encode(channel.target_system, channel.target_component, kind)
                ),
                lambda m: m.get_type() in ("MISSION_COUNT", "MISSION_ACK") and _mission_type(m) == kind,
                "the mission count (MISSION_REQUEST_LIST)",
            )
            if answer.get_type() == "MISSION_ACK":
                raise mission_result_error(int(answer.type), "mission download")
            count = int(answer.count)
            items = []
            try:
                for seq in range(count):
                    item = await self._exchange(
                        inbox,
                        deadline,
                        lambda seq=seq: channel.send(  # type: ignore[misc]
                            channel.mav.mission_request_int_encode(
                                channel.target_system, channel.target_component, seq, kind
                            )
                        ),
                        lambda m, seq=seq: (
                            _mission_type(m) == kind  # type: ignore[misc]
                            and (m.get_type() == "MISSION_ACK" or int(m.seq) == seq)
                        ),
                        f"item {seq} of {count}",
                    )
                    if item.get_type() == "MISSION_ACK":
                        raise mission_result_error(int(item.type), f"mission download at item {seq} of {count}")
                    items.append(decode_item(item))
                    if progress is not None:
                        progress(seq + 1, count)
            except OperationTimeoutError:
                self._ack(_CANCELLED, kind)
                raise
            if count:
                self._ack(_ACCEPTED, kind)
        return Mission(items=tuple(items))

    async def upload(self, mission: Mission, progress: Progress | None = None, timeout_s: float = 30.0) -> None:
        """Replace the vehicle's list of the items' type with ``mission.items``; done when the vehicle accepts."""
        items = mission.items
        for index, item in enumerate(items):
            if item.seq != index:
                raise InvalidError(f"item {index} has seq {item.seq}; items must be numbered 0, 1, 2...", field="seq")
        kinds = {item.mission_type for item in items}
        if len(kinds) > 1:
            raise InvalidError("a mission upload holds items of one mission type only", field="mission_type")
        kind = int(kinds.pop()) if kinds else int(MissionType.MISSION)
        channel, count = self._channel, len(items)
        encoded = [encode_item(channel.mav, channel.target_system, channel.target_component, i) for i in items]
        deadline = deadline_after(timeout_s)
        async with open_inbox(channel, "MISSION_REQUEST_INT", "MISSION_REQUEST", "MISSION_ACK") as inbox:
            channel.send(channel.mav.mission_count_encode(channel.target_system, channel.target_component, count, kind))
            count_sends, requested = 1, -1
            while True:
                message = await inbox.next(
                    min(deadline, deadline_after(self._retry_s)), lambda m: _mission_type(m) == kind
                )
                if message is None:
                    if deadline_after(0) >= deadline or (requested < 0 and count_sends > self._retries):
                        self._ack(_CANCELLED, kind)
                        asked = "no item" if requested < 0 else f"items up to {requested + 1}"
                        raise OperationTimeoutError(
                            f"mission upload of {count} items timed out: the vehicle asked for {asked} "
                            "and did not accept the mission"
                        )
                    if requested < 0:  # the count (or the first request) was lost: the vehicle drives the rest
                        channel.send(
                            channel.mav.mission_count_encode(
                                channel.target_system, channel.target_component, count, kind
                            )
                        )
                        count_sends += 1
                    continue
                if message.get_type() == "MISSION_ACK":
                    result = int(message.type)
                    if result != _ACCEPTED:
                        raise mission_result_error(result, f"mission upload of {count} items")
                    if count and requested < count - 1:
                        raise InvalidError(
                            f"the vehicle accepted the upload after asking for only {requested + 1} of {count} items",
                            field="items",
                        )
                    return
                seq = int(message.seq)
                if not 0 <= seq < count:
                    self._ack(_CANCELLED, kind)
                    raise InvalidError(f"the vehicle asked for item {seq} of a {count}-item upload", field="items")
                channel.send(encoded[seq])
                if seq > requested:
                    requested = seq
                    if progress is not None:
                        progress(seq + 1, count)

    async def clear(self, timeout_s: float = 5.0, mission_type: MissionType = MissionType.MISSION) -> None:
        """Delete the vehicle's list of this type, confirmed by its MISSION_ACK."""
        channel, kind = self._channel, int(mission_type)
        async with open_inbox(channel, "MISSION_ACK") as inbox:
            ack = await self._exchange(
                inbox,
                deadline_after(timeout_s),
                lambda: channel.send(
                    channel.mav.mission_clear_all_encode(channel.target_system, channel.target_component, kind)
                ),
                lambda m: _mission_type(m) == kind,
                "an answer to clearing the mission (MISSION_CLEAR_ALL)",
            )
        if int(ack.type) != _ACCEPTED:
            raise mission_result_error(int(ack.type), "clearing the mission")

    async def set_current(self, seq: int, timeout_s: float = 5.0) -> int:
        """Make item ``seq`` the one the vehicle flies next; returns the item it went to, which may differ.

        ArduPilot goes to the first navigation item at or after ``seq`` (a DO item is run on the way) and
        takes 0 as "restart the mission" (item 1); it refuses an item past the end and any item when it holds
        no mission but home. So the answer is matched, never assumed from a periodic report:

        - MAV_CMD_DO_SET_MISSION_CURRENT first (ArduPilot 4.3+, PX4): its COMMAND_ACK accepts or refuses;
        - MISSION_SET_CURRENT for a vehicle that does not support the command (ACK "unsupported") or does
          not answer it: accepted when a MISSION_CURRENT naming ``seq`` arrives after the request (ArduPilot
          echoes the number it was sent; a refusal is silent, so it then times out);
        - then the first MISSION_CURRENT after the acceptance says which item the vehicle chose (waited for
          at most ``settle_s``; ``seq`` if none comes).

        A vehicle that knows only MISSION_SET_CURRENT and already flies to ``seq`` cannot be told from one that
        accepted it: either way it flies to ``seq``.
        """
        if seq < 0 or seq > 65535:
            raise InvalidError(f"mission item {seq} does not exist", field="seq")
        channel = self._channel
        deadline = deadline_after(timeout_s)
        legacy = False  # MISSION_SET_CURRENT sent: its echo is an answer from then on

        def command() -> Any:
            return channel.mav.command_long_encode(
                channel.target_system, channel.target_component, _CMD_DO_SET_MISSION_CURRENT, 0, seq, 0, 0, 0, 0, 0, 0
            )

        def message() -> Any:
            return channel.mav.mission_set_current_encode(channel.target_system, channel.target_component, seq)

        def answers(m: Any) -> bool:
            if m.get_type() == "COMMAND_ACK":
                return int(m.command) == _CMD_DO_SET_MISSION_CURRENT and int(m.result) != _IN_PROGRESS
            return legacy and int(m.seq) == seq

        async with open_inbox(channel, "MISSION_CURRENT", "COMMAND_ACK") as inbox:
            answer = None
            use_command = True
            for _ in range(self._retries + 1):
                channel.send(command() if use_command else message())
                legacy = legacy or not use_command
                answer = await inbox.next(min(deadline, deadline_after(self._retry_s)), answers)
                if answer is not None and answer.get_type() == "COMMAND_ACK":
                    result = int(answer.result)
                    if result == _ACCEPTED:
                        break
                    if result in _COMMAND_REFUSALS:
                        raise InvalidError(
                            f"the vehicle {_COMMAND_REFUSALS[result]} making item {seq} current "
                            "(it has no such item, or no mission but home)",
                            field="seq",
                        )
                    # Unsupported (or temporarily rejected): the message is the other way to ask.
                    answer = None
                    use_command = False
                    continue
                if answer is not None or deadline_after(0) >= deadline:
                    break
                use_command = not use_command  # unanswered: the command may be lost, or not known at all
            if answer is None:
                raise OperationTimeoutError(
                    f"the vehicle did not confirm item {seq} as current (no COMMAND_ACK to "
                    f"MAV_CMD_DO_SET_MISSION_CURRENT, no MISSION_CURRENT reporting item {seq}): it may not have "
                    "that item"
                )
            chosen = await inbox.next(
                min(deadline, deadline_after(self._settle_s)), lambda m: m.get_type() == "MISSION_CURRENT"
            )
        return int(chosen.seq) if chosen is not None else seq

    async def _exchange(
        self,
        inbox: Inbox,
        deadline: float,
        send: Callable[[], None],
        match: Callable[[Any], bool],
        what: str,
        attempts: int | None = None,
    ) -> Any:
        """Send, and send again every ``retry_s``, until a matching answer arrives; else time out naming ``what``."""
        tries = attempts if attempts is not None else self._retries + 1
        for _ in range(tries):
            send()
            answer = await inbox.next(min(deadline, deadline_after(self._retry_s)), match)
            if answer is not None:
                return answer
            if deadline_after(0) >= deadline:
                break
        raise OperationTimeoutError(f"the vehicle did not send {what}")

    def _ack(self, result: int, kind: int) -> None:
        channel = self._channel
        channel.send(channel.mav.mission_ack_encode(channel.target_system, channel.target_component, result, kind))


def _mission_type(message: Any) -> int:
    return int(getattr(message, "mission_type", 0) or 0)
