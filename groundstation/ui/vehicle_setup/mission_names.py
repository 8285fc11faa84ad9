"""Names for MAVLink's mission command and frame numbers, for the mission table.

The domain keeps MAVLink's numbers (every planner and file speaks them) and the UI may not import pymavlink,
so the common ``MAV_CMD`` and ``MAV_FRAME`` names live here; a number without a name is shown as itself.
"""

from __future__ import annotations

COMMANDS: dict[int, str] = {
    16: "WAYPOINT",
    17: "LOITER_UNLIM",
    18: "LOITER_TURNS",
    19: "LOITER_TIME",
    20: "RETURN_TO_LAUNCH",
    21: "LAND",
    22: "TAKEOFF",
    31: "LOITER_TO_ALT",
    82: "SPLINE_WAYPOINT",
    84: "VTOL_TAKEOFF",
    85: "VTOL_LAND",
    92: "GUIDED_ENABLE",
    93: "DELAY",
    94: "PAYLOAD_PLACE",
    112: "CONDITION_DELAY",
    113: "CONDITION_CHANGE_ALT",
    114: "CONDITION_DISTANCE",
    115: "CONDITION_YAW",
    176: "DO_SET_MODE",
    177: "DO_JUMP",
    178: "DO_CHANGE_SPEED",
    179: "DO_SET_HOME",
    181: "DO_SET_RELAY",
    183: "DO_SET_SERVO",
    189: "DO_LAND_START",
    195: "DO_SET_ROI_LOCATION",
    197: "DO_SET_ROI_NONE",
    201: "DO_SET_ROI",
    203: "DO_DIGICAM_CONTROL",
    205: "DO_MOUNT_CONTROL",
    206: "DO_SET_CAM_TRIGG_DIST",
    211: "DO_GRIPPER",
    2000: "IMAGE_START_CAPTURE",
    2001: "IMAGE_STOP_CAPTURE",
    2500: "VIDEO_START_CAPTURE",
    2501: "VIDEO_STOP_CAPTURE",
}

FRAMES: dict[int, str] = {
    0: "GLOBAL (AMSL)",
    2: "MISSION",
    3: "RELATIVE",
    5: "GLOBAL_INT",
    6: "RELATIVE_INT",
    10: "TERRAIN",
    11: "TERRAIN_INT",
}

WAYPOINT = 16


def command_name(command: int) -> str:
    return COMMANDS.get(command, str(command))


def frame_name(frame: int) -> str:
    return FRAMES.get(frame, str(frame))
