"""Missions as plain values: the items an autopilot stores (MAVLink's ``MISSION_ITEM_INT``), plus home if known.

Items keep MAVLink's numbers for ``frame`` and ``command`` because every autopilot, file format and planner
speaks them; what this module fixes is the meaning of ``x``/``y``: degrees for the global frames, metres for the
local ones, and the raw ``param5``/``param6`` for ``MAV_FRAME_MISSION`` items (jumps, speed changes), so no caller
handles the wire's 1e7 and 1e4 scalings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class MissionType(IntEnum):
    """``MAV_MISSION_TYPE``: one vehicle keeps a flight plan, a geofence and rally points as separate lists."""

    MISSION = 0
    FENCE = 1
    RALLY = 2


GLOBAL_FRAMES = frozenset({0, 3, 5, 6, 10, 11})
"""``MAV_FRAME`` values whose x/y are latitude/longitude (GLOBAL, GLOBAL_RELATIVE_ALT, their _INT twins, TERRAIN)."""

MISSION_FRAME = 2
"""``MAV_FRAME_MISSION``: the item is not a position, x/y/z are plain parameters."""


@dataclass(frozen=True, slots=True)
class MissionItem:
    """One mission item; ``x``/``y`` are degrees (global frames), metres (local frames) or raw (mission frame)."""

    seq: int
    command: int
    frame: int = 3
    current: bool = False
    autocontinue: bool = True
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    mission_type: MissionType = MissionType.MISSION

    @property
    def is_global(self) -> bool:
        return self.frame in GLOBAL_FRAMES


@dataclass(frozen=True, slots=True)
class HomePosition:
    """Where the vehicle returns to; a plan file carries the planned one, altitude above mean sea level."""

    latitude: float
    longitude: float
    altitude: float


@dataclass(frozen=True, slots=True)
class Mission:
    """The items in upload order (``items[i].seq == i``) and the home position when one is known."""

    items: tuple[MissionItem, ...] = ()
    home: HomePosition | None = None

    def __len__(self) -> int:
        return len(self.items)
