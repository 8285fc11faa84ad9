"""What a session's tlog keeps on an endpoint carrying several systems: its own vehicle's traffic only."""

from __future__ import annotations

from typing import Any

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.adapters.mavlink.codec import mavlink2, new_encoder
from groundstation.domain.connections import parse_connection
from groundstation.domain.models import AdapterKind
from tests.unit.mavlink.support import RecordingSink


class _Recorder:
    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def record(self, t: float, frame: bytes) -> None:
        self.frames.append(frame)


def _frame(sysid: int, compid: int, build: Any) -> bytes:
    mav = new_encoder(sysid, compid)
    return bytes(build(mav).pack(mav))


def _heartbeat(mav: Any, mav_type: int = mavlink2.MAV_TYPE_QUADROTOR) -> Any:
    autopilot = mavlink2.MAV_AUTOPILOT_INVALID if mav_type == mavlink2.MAV_TYPE_GCS else 3
    return mav.heartbeat_encode(mav_type, autopilot, 0, 0, 4)


async def test_the_tlog_keeps_its_vehicle_what_is_addressed_to_it_and_link_wide_news() -> None:
    link = MavlinkLink(
        "ses_one", parse_connection(AdapterKind.MAVLINK, "udpin://127.0.0.1:14999?sysid=1"), RecordingSink()
    )
    recorder = _Recorder()
    link._recorder = recorder  # type: ignore[assignment]
    kept = {
        "own heartbeat": _frame(1, 1, _heartbeat),
        "own camera": _frame(1, 100, lambda m: _heartbeat(m, mavlink2.MAV_TYPE_CAMERA)),
        "own attitude": _frame(1, 1, lambda m: m.attitude_encode(0, 0.1, 0.2, 0.3, 0, 0, 0)),
        "another GCS": _frame(254, 190, lambda m: _heartbeat(m, mavlink2.MAV_TYPE_GCS)),
        "a command to us": _frame(254, 190, lambda m: m.command_long_encode(1, 1, 400, 0, 1, 0, 0, 0, 0, 0, 0)),
        "a GCS broadcast": _frame(254, 190, lambda m: m.param_request_list_encode(0, 0)),
        "the radio": _frame(51, 68, lambda m: m.radio_status_encode(200, 180, 100, 0, 0, 0, 0)),
    }
    dropped = {
        "other heartbeat": _frame(2, 1, _heartbeat),
        "other attitude": _frame(2, 1, lambda m: m.attitude_encode(0, 0.1, 0.2, 0.3, 0, 0, 0)),
        "other radio status": _frame(2, 1, lambda m: m.radio_status_encode(200, 180, 100, 0, 0, 0, 0)),
        "other's ack to a GCS": _frame(2, 1, lambda m: m.command_ack_encode(400, 0, 0, 0, 255, 190)),
        "a command to the other": _frame(254, 190, lambda m: m.command_long_encode(2, 1, 400, 0, 1, 0, 0, 0, 0, 0, 0)),
        "other's broadcast": _frame(2, 1, lambda m: m.param_request_list_encode(0, 0)),
    }
    link._on_bytes(dropped["other heartbeat"])  # vehicle 2 is known before the rest arrives
    for frame in [*kept.values(), *dropped.values()]:
        link._on_bytes(frame)
    assert link.followed_sysid == 1
    assert recorder.frames == list(kept.values())

    recorder.frames.clear()
    gcs = new_encoder(255, 190)
    ours = [
        _heartbeat(gcs, mavlink2.MAV_TYPE_GCS),
        gcs.command_long_encode(1, 1, 511, 0, 30, 100000, 0, 0, 0, 0, 0),
        gcs.param_request_list_encode(0, 0),
    ]
    for msg in [*ours, gcs.command_long_encode(2, 1, 511, 0, 30, 100000, 0, 0, 0, 0, 0)]:
        link.sent(0.0, bytes(msg.pack(gcs)), msg)
    assert len(recorder.frames) == len(ours)
    await link.close()
