"""Flight modes named and encoded as each autopilot does, from pymavlink's tables."""

from __future__ import annotations

import pytest

from groundstation.adapters.mavlink.codec import mavlink2
from groundstation.adapters.mavlink.modes import encode_mode, mode_name, px4_custom_mode

AP = mavlink2.MAV_AUTOPILOT_ARDUPILOTMEGA
PX4 = mavlink2.MAV_AUTOPILOT_PX4
CUSTOM = mavlink2.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED


@pytest.mark.parametrize(
    ("vehicle_type", "custom_mode", "name"),
    [
        (mavlink2.MAV_TYPE_QUADROTOR, 4, "GUIDED"),
        (mavlink2.MAV_TYPE_HEXAROTOR, 6, "RTL"),
        (mavlink2.MAV_TYPE_FIXED_WING, 21, "QRTL"),
        (mavlink2.MAV_TYPE_FIXED_WING, 19, "QLOITER"),
        (mavlink2.MAV_TYPE_GROUND_ROVER, 15, "GUIDED"),
        (mavlink2.MAV_TYPE_SUBMARINE, 19, "MANUAL"),
        (mavlink2.MAV_TYPE_SUBMARINE, 2, "ALT_HOLD"),
    ],
)
def test_ardupilot_modes_round_trip(vehicle_type: int, custom_mode: int, name: str) -> None:
    assert mode_name(AP, vehicle_type, CUSTOM, custom_mode) == name
    request = encode_mode(AP, vehicle_type, name.lower())
    assert request is not None and (request.custom_mode, request.base_mode) == (custom_mode, CUSTOM)


@pytest.mark.parametrize("name", ["MANUAL", "POSCTL", "MISSION", "RTL", "LAND", "OFFBOARD", "TAKEOFF"])
def test_px4_modes_round_trip(name: str) -> None:
    request = encode_mode(PX4, mavlink2.MAV_TYPE_QUADROTOR, name)
    assert request is not None
    custom = px4_custom_mode(request.custom_mode, request.custom_sub_mode)
    assert mode_name(PX4, mavlink2.MAV_TYPE_QUADROTOR, request.base_mode, custom) == name


def test_unknown_modes_stay_readable() -> None:
    assert mode_name(AP, mavlink2.MAV_TYPE_QUADROTOR, CUSTOM, 200) == "Mode(200)"
    assert encode_mode(AP, mavlink2.MAV_TYPE_QUADROTOR, "WARP") is None
    assert encode_mode(mavlink2.MAV_AUTOPILOT_GENERIC, mavlink2.MAV_TYPE_GENERIC, "GUIDED") is None
