"""What makes the simulator look like ArduCopter on the wire: mode numbers, version, severities, result codes.

Kept apart from the behaviour so that a ground station's engineer can read, in one place, every number the
simulator chose to copy from ArduPilot (and a change of ArduPilot version is a change here only).
"""

from __future__ import annotations

from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.domain.commands import CommandOutcome
from groundstation.domain.events import Severity

# ArduCopter's custom_mode numbers, from pymavlink's own table so both ends of a test agree by construction.
MODE_NUMBERS: dict[str, int] = {name: number for number, name in mavutil.mode_mapping_acm.items()}
MODE_NAMES: dict[int, str] = dict(mavutil.mode_mapping_acm)

# The firmware the simulator claims to be; AUTOPILOT_VERSION packs it the way ArduPilot does.
FIRMWARE_VERSION = (4, 5, 7)
FIRMWARE_TYPE_OFFICIAL = 255  # FIRMWARE_VERSION_TYPE_OFFICIAL
GIT_HASH = b"5ba7b5b8"  # flight_custom_version: ArduPilot puts its git hash there

CAPABILITIES = (
    mavlink.MAV_PROTOCOL_CAPABILITY_MISSION_FLOAT
    | mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_FLOAT
    | mavlink.MAV_PROTOCOL_CAPABILITY_MISSION_INT
    | mavlink.MAV_PROTOCOL_CAPABILITY_COMMAND_INT
    | mavlink.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_GLOBAL_INT
    | mavlink.MAV_PROTOCOL_CAPABILITY_MAVLINK2
    | mavlink.MAV_PROTOCOL_CAPABILITY_MISSION_RALLY
    | mavlink.MAV_PROTOCOL_CAPABILITY_COMPASS_CALIBRATION
)

# MAV_RESULT codes, typed (pymavlink's constants are untyped).
RESULT_ACCEPTED: int = mavlink.MAV_RESULT_ACCEPTED
RESULT_TEMPORARILY_REJECTED: int = mavlink.MAV_RESULT_TEMPORARILY_REJECTED
RESULT_DENIED: int = mavlink.MAV_RESULT_DENIED
RESULT_UNSUPPORTED: int = mavlink.MAV_RESULT_UNSUPPORTED
RESULT_FAILED: int = mavlink.MAV_RESULT_FAILED
RESULT_IN_PROGRESS: int = mavlink.MAV_RESULT_IN_PROGRESS

# MAV_CMD_COMPONENT_ARM_DISARM param2 that forces the arm/disarm (ArduPilot's magic number).
FORCE_MAGIC = 21196

# Modes in which ArduCopter's autopilot, not a pilot, steers: HEARTBEAT shows GUIDED_ENABLED for them.
AUTONOMOUS_MODES = frozenset({"AUTO", "GUIDED", "RTL", "LAND"})


def flight_sw_version(version: tuple[int, int, int] = FIRMWARE_VERSION) -> int:
    """ArduPilot's packing: major, minor, patch and firmware type, one byte each from the top."""
    major, minor, patch = version
    return (major << 24) | (minor << 16) | (patch << 8) | FIRMWARE_TYPE_OFFICIAL


def mav_severity(severity: Severity, text: str) -> int:
    """MAV_SEVERITY for a FAKE message; ArduPilot sends arming refusals as CRITICAL, whatever their tone."""
    if text.startswith(("Arm:", "PreArm:")):
        return int(mavlink.MAV_SEVERITY_CRITICAL)
    table: dict[Severity, int] = {
        Severity.DEBUG: mavlink.MAV_SEVERITY_DEBUG,
        Severity.INFO: mavlink.MAV_SEVERITY_INFO,
        Severity.WARNING: mavlink.MAV_SEVERITY_WARNING,
        Severity.CRITICAL: mavlink.MAV_SEVERITY_CRITICAL,
    }
    return table[severity]


def mav_result(outcome: CommandOutcome) -> int:
    """MAV_RESULT for a FAKE outcome. ArduCopter answers a refused but understood command with FAILED
    (failed pre-arm checks, a takeoff while disarmed, a mode whose init fails), so DENIED maps there too;
    the few commands ArduCopter answers DENIED are decided where they are handled."""
    table: dict[CommandOutcome, int] = {
        CommandOutcome.ACCEPTED: RESULT_ACCEPTED,
        CommandOutcome.DENIED: RESULT_FAILED,
        CommandOutcome.UNSUPPORTED: RESULT_FAILED,
        CommandOutcome.TEMPORARILY_REJECTED: RESULT_TEMPORARILY_REJECTED,
        CommandOutcome.FAILED: RESULT_FAILED,
        CommandOutcome.NO_ANSWER: RESULT_FAILED,
        CommandOutcome.IN_PROGRESS: RESULT_IN_PROGRESS,
    }
    return table[outcome]


def mav_state(system_status: str | None) -> int:
    """MAV_STATE for the FAKE model's system status."""
    table: dict[str, int] = {
        "STANDBY": mavlink.MAV_STATE_STANDBY,
        "ACTIVE": mavlink.MAV_STATE_ACTIVE,
        "CRITICAL": mavlink.MAV_STATE_CRITICAL,
        "EMERGENCY": mavlink.MAV_STATE_EMERGENCY,
    }
    return table.get(system_status or "", int(mavlink.MAV_STATE_UNINIT))
