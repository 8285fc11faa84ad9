"""Mission items between the domain's values and MAVLink's MISSION_ITEM_INT, and mission results into words.

MISSION_ITEM_INT carries x/y as integers: degrees * 1e7 in the global frames, metres * 1e4 in the local ones
(the MAVLink definition of the field), and the plain value for ``MAV_FRAME_MISSION`` items, as QGroundControl
sends them. The older MISSION_ITEM (floats) is still decoded, for vehicles that answer a request with it.
"""

from __future__ import annotations

from typing import Any

from groundstation.domain.errors import InvalidError
from groundstation.domain.missions import GLOBAL_FRAMES, MISSION_FRAME, MissionItem, MissionType

_INT32 = (-(2**31), 2**31 - 1)

MISSION_RESULTS: dict[int, str] = {
    0: "accepted",
    1: "failed with a generic error",
    2: "refused a coordinate frame it does not support",
    3: "refused a command it does not support",
    4: "has no space left for this many items",
    5: "found an item invalid",
    6: "found param1 of an item invalid",
    7: "found param2 of an item invalid",
    8: "found param3 of an item invalid",
    9: "found param4 of an item invalid",
    10: "found x (param5, latitude) of an item invalid",
    11: "found y (param6, longitude) of an item invalid",
    12: "found z (param7, altitude) of an item invalid",
    13: "received items out of sequence",
    14: "denied the operation (it may be busy, e.g. flying the mission)",
    15: "cancelled the operation",
}


def result_words(result: int) -> str:
    return MISSION_RESULTS.get(result, f"answered with unknown mission result {result}")


def _scale(frame: int) -> float | None:
    if frame in GLOBAL_FRAMES:
        return 1e7
    if frame == MISSION_FRAME:
        return None
    return 1e4


def to_wire(value: float, frame: int, field: str, seq: int) -> int:
    scale = _scale(frame)
    scaled = round(value * scale) if scale is not None else round(value)
    if not _INT32[0] <= scaled <= _INT32[1]:
        raise InvalidError(
            f"item {seq}: {field} = {value} does not fit MISSION_ITEM_INT", field=f"items[{seq}].{field}"
        )
    return scaled


def from_wire(value: int, frame: int) -> float:
    scale = _scale(frame)
    return value / scale if scale is not None else float(value)


def encode_item(mav: Any, target_system: int, target_component: int, item: MissionItem) -> Any:
    return mav.mission_item_int_encode(
        target_system,
        target_component,
        item.seq,
        item.frame,
        item.command,
        int(item.current),
        int(item.autocontinue),
        item.param1,
        item.param2,
        item.param3,
        item.param4,
        to_wire(item.x, item.frame, "x", item.seq),
        to_wire(item.y, item.frame, "y", item.seq),
        item.z,
        int(item.mission_type),
    )


def decode_item(message: Any) -> MissionItem:
    """A MISSION_ITEM_INT, or an old MISSION_ITEM whose x/y are already floats."""
    frame = int(message.frame)
    if message.get_type() == "MISSION_ITEM_INT":
        x, y = from_wire(int(message.x), frame), from_wire(int(message.y), frame)
    else:
        x, y = float(message.x), float(message.y)
    return MissionItem(
        seq=int(message.seq),
        frame=frame,
        command=int(message.command),
        current=bool(message.current),
        autocontinue=bool(message.autocontinue),
        param1=float(message.param1),
        param2=float(message.param2),
        param3=float(message.param3),
        param4=float(message.param4),
        x=x,
        y=y,
        z=float(message.z),
        mission_type=MissionType(int(getattr(message, "mission_type", 0) or 0)),
    )
