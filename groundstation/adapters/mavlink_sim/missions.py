"""ArduCopter's mission microservice for one simulated vehicle: upload, download, clear, and what AUTO flies.

As ArduPilot does: item 0 is home (the vehicle's own, whatever the upload said), an upload is pulled item by
item with the OLD ``MISSION_REQUEST`` (a GCS must answer it with MISSION_ITEM_INT or MISSION_ITEM), a download
answers ``MISSION_REQUEST_INT`` with MISSION_ITEM_INT and ``MISSION_REQUEST`` with MISSION_ITEM, fence and
rally lists are empty, and a stalled upload is re-requested then cancelled.

The FAKE model flies a list of waypoints and one end action, so ``to_flight`` reduces the items to that:
waypoint-like NAV commands become waypoints, a final RTL, LAND or DO_JUMP becomes the end action, NAV_TAKEOFF
is the implied climb the model always makes, and DO_* items are kept (downloaded back) but not flown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.fake.flight_modes import MissionEnd
from groundstation.adapters.fake.geo import Home
from groundstation.adapters.fake.vehicle import Waypoint

MISSION = mavlink.MAV_MISSION_TYPE_MISSION
MAX_ITEMS = 700  # ArduPilot on a board with little storage
REQUEST_RETRY_S = 1.0
REQUEST_RETRIES = 5

_WAYPOINT_LIKE = frozenset(
    {
        mavlink.MAV_CMD_NAV_WAYPOINT,
        mavlink.MAV_CMD_NAV_SPLINE_WAYPOINT,
        mavlink.MAV_CMD_NAV_LOITER_UNLIM,
        mavlink.MAV_CMD_NAV_LOITER_TURNS,
        mavlink.MAV_CMD_NAV_LOITER_TIME,
    }
)
_RELATIVE_FRAMES = frozenset(
    {
        mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT,
        mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        mavlink.MAV_FRAME_GLOBAL_TERRAIN_ALT,
        mavlink.MAV_FRAME_GLOBAL_TERRAIN_ALT_INT,
    }
)
_ABSOLUTE_FRAMES = frozenset({mavlink.MAV_FRAME_GLOBAL, mavlink.MAV_FRAME_GLOBAL_INT})
_FRAMES = _RELATIVE_FRAMES | _ABSOLUTE_FRAMES | {mavlink.MAV_FRAME_MISSION}


@dataclass(frozen=True, slots=True)
class MissionItem:
    """One stored item, positions in degE7 whichever message carried it."""

    seq: int
    frame: int
    command: int
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    x: int = 0
    y: int = 0
    z: float = 0.0
    autocontinue: int = 1


@dataclass(frozen=True, slots=True)
class Flight:
    """What the FAKE model flies, and which item seq each of its waypoints came from."""

    waypoints: tuple[Waypoint, ...]
    seqs: tuple[int, ...]
    end: MissionEnd


def home_item(home: Home) -> MissionItem:
    return MissionItem(
        0,
        mavlink.MAV_FRAME_GLOBAL,
        mavlink.MAV_CMD_NAV_WAYPOINT,
        x=_e7(home.lat_deg),
        y=_e7(home.lon_deg),
        z=home.alt_msl_m,
    )


def items_from_waypoints(home: Home, waypoints: Sequence[Waypoint], end: MissionEnd) -> list[MissionItem]:
    """A scenario's mission as ArduPilot would hold it, so a GCS downloads what the vehicle flies."""
    rel = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    items = [home_item(home)]
    for w in waypoints:
        items.append(
            MissionItem(len(items), rel, mavlink.MAV_CMD_NAV_WAYPOINT, x=_e7(w.lat_deg), y=_e7(w.lon_deg), z=w.alt_m)
        )
    if waypoints and end is MissionEnd.RTL:
        items.append(MissionItem(len(items), rel, mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH))
    elif waypoints and end is MissionEnd.LAND:
        items.append(MissionItem(len(items), rel, mavlink.MAV_CMD_NAV_LAND))
    elif waypoints and end is MissionEnd.LOOP:
        items.append(MissionItem(len(items), mavlink.MAV_FRAME_MISSION, mavlink.MAV_CMD_DO_JUMP, 1.0, -1.0))
    return items


def to_flight(items: Sequence[MissionItem], home: Home) -> Flight:
    waypoints: list[Waypoint] = []
    seqs: list[int] = []
    end = MissionEnd.LOITER
    for item in items[1:]:
        has_position = item.x != 0 or item.y != 0
        alt = item.z - home.alt_msl_m if item.frame in _ABSOLUTE_FRAMES else item.z
        if item.command in _WAYPOINT_LIKE and has_position:
            waypoints.append(Waypoint(item.x / 1e7, item.y / 1e7, max(1.0, alt)))
            seqs.append(item.seq)
        elif item.command == mavlink.MAV_CMD_NAV_RETURN_TO_LAUNCH:
            end = MissionEnd.RTL
            break
        elif item.command == mavlink.MAV_CMD_NAV_LAND:
            if has_position:
                waypoints.append(Waypoint(item.x / 1e7, item.y / 1e7, waypoints[-1].alt_m if waypoints else 10.0))
                seqs.append(item.seq)
            end = MissionEnd.LAND
            break
        elif item.command == mavlink.MAV_CMD_DO_JUMP and item.param2 < 0:
            end = MissionEnd.LOOP
            break
    return Flight(tuple(waypoints), tuple(seqs), end)


def _e7(degrees: float) -> int:
    return round(degrees * 1e7)


@dataclass(slots=True)
class _Upload:
    partner: tuple[int, int]
    count: int
    received: list[MissionItem]
    asked_at: float
    retries: int = 0


class MissionService:
    """The protocol side: ``handle`` takes a GCS message, ``tick`` re-requests a stalled upload.

    ``send`` gets encoded messages for the link; ``on_commit`` gets a complete upload (or an empty list on a
    clear) and returns None, or a MAV_MISSION_RESULT error if the vehicle cannot take it.
    """

    def __init__(
        self,
        mav: Any,
        send: Callable[[Any], None],
        home: Callable[[], Home],
        on_commit: Callable[[list[MissionItem]], None],
    ) -> None:
        self._mav = mav
        self._send = send
        self._home = home
        self._on_commit = on_commit
        self.items: list[MissionItem] = [home_item(home())]
        self._upload: _Upload | None = None

    def load(self, items: list[MissionItem]) -> None:
        self.items = items if items else [home_item(self._home())]

    def handle(self, msg: Any, now: float) -> bool:
        """Answer ``msg`` if it belongs to the mission protocol; False if it does not."""
        kind = msg.get_type()
        partner = (msg.get_srcSystem(), msg.get_srcComponent())
        mission_type = getattr(msg, "mission_type", MISSION)
        if kind == "MISSION_COUNT":
            self._on_count(partner, msg.count, mission_type, now)
        elif kind in ("MISSION_ITEM_INT", "MISSION_ITEM"):
            self._on_item(partner, msg, now)
        elif kind == "MISSION_REQUEST_LIST":
            count = len(self.items) if mission_type == MISSION else 0
            self._send(self._mav.mission_count_encode(*partner, count, mission_type))
        elif kind in ("MISSION_REQUEST_INT", "MISSION_REQUEST"):
            self._on_request(partner, msg.seq, mission_type, kind == "MISSION_REQUEST_INT")
        elif kind == "MISSION_CLEAR_ALL":
            if mission_type == MISSION:
                self.items = [home_item(self._home())]
                self._on_commit([])
            self._ack(partner, mavlink.MAV_MISSION_ACCEPTED, mission_type)
        elif kind == "MISSION_ACK":
            if self._upload is not None and self._upload.partner == partner:
                self._upload = None  # the GCS gave up (or is cancelling): so do we
        else:
            return False
        return True

    def tick(self, now: float) -> None:
        up = self._upload
        if up is None or now - up.asked_at < REQUEST_RETRY_S:
            return
        if up.retries >= REQUEST_RETRIES:
            self._upload = None
            self._ack(up.partner, mavlink.MAV_MISSION_OPERATION_CANCELLED, MISSION)
            return
        up.retries += 1
        self._request(up, now)

    @property
    def uploading(self) -> bool:
        return self._upload is not None

    # ------------------------------------------------------------------------------------------ upload
    def _on_count(self, partner: tuple[int, int], count: int, mission_type: int, now: float) -> None:
        if mission_type != MISSION:
            result = mavlink.MAV_MISSION_ACCEPTED if count == 0 else mavlink.MAV_MISSION_UNSUPPORTED
            self._ack(partner, result, mission_type)
            return
        if count == 0:
            self._upload = None
            self.items = [home_item(self._home())]
            self._on_commit([])
            self._ack(partner, mavlink.MAV_MISSION_ACCEPTED, mission_type)
            return
        if count > MAX_ITEMS:
            self._ack(partner, mavlink.MAV_MISSION_NO_SPACE, mission_type)
            return
        self._upload = _Upload(partner, count, [], now)
        self._request(self._upload, now)

    def _on_item(self, partner: tuple[int, int], msg: Any, now: float) -> None:
        up = self._upload
        if up is None or up.partner != partner or getattr(msg, "mission_type", MISSION) != MISSION:
            return
        if msg.seq != len(up.received):
            self._request(up, now)  # a duplicate or one from the future: ask again for the one we need
            return
        if msg.frame not in _FRAMES:
            self._upload = None
            self._ack(partner, mavlink.MAV_MISSION_UNSUPPORTED_FRAME, MISSION)
            return
        scale = 1 if msg.get_type() == "MISSION_ITEM_INT" else 1e7
        up.received.append(
            MissionItem(
                msg.seq,
                msg.frame,
                msg.command,
                msg.param1,
                msg.param2,
                msg.param3,
                msg.param4,
                round(msg.x * scale),
                round(msg.y * scale),
                msg.z,
                msg.autocontinue,
            )
        )
        up.retries = 0
        if len(up.received) < up.count:
            self._request(up, now)
            return
        self._upload = None
        self.items = [home_item(self._home()), *up.received[1:]]
        self._on_commit(list(self.items))
        self._ack(partner, mavlink.MAV_MISSION_ACCEPTED, MISSION)

    def _request(self, up: _Upload, now: float) -> None:
        up.asked_at = now
        self._send(self._mav.mission_request_encode(*up.partner, len(up.received), MISSION))

    # ---------------------------------------------------------------------------------------- download
    def _on_request(self, partner: tuple[int, int], seq: int, mission_type: int, as_int: bool) -> None:
        if mission_type != MISSION or not 0 <= seq < len(self.items):
            self._ack(partner, mavlink.MAV_MISSION_INVALID_SEQUENCE, mission_type)
            return
        item = replace(home_item(self._home()), seq=0) if seq == 0 else self.items[seq]
        current = 1 if seq == 0 else 0
        if as_int:
            self._send(
                self._mav.mission_item_int_encode(
                    *partner,
                    item.seq,
                    item.frame,
                    item.command,
                    current,
                    item.autocontinue,
                    item.param1,
                    item.param2,
                    item.param3,
                    item.param4,
                    item.x,
                    item.y,
                    item.z,
                    MISSION,
                )
            )
        else:
            self._send(
                self._mav.mission_item_encode(
                    *partner,
                    item.seq,
                    item.frame,
                    item.command,
                    current,
                    item.autocontinue,
                    item.param1,
                    item.param2,
                    item.param3,
                    item.param4,
                    item.x / 1e7,
                    item.y / 1e7,
                    item.z,
                    MISSION,
                )
            )

    def _ack(self, partner: tuple[int, int], result: int, mission_type: int) -> None:
        self._send(self._mav.mission_ack_encode(*partner, result, mission_type))
