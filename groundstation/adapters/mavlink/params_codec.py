"""How a typed parameter value travels in MAVLink's single float field (``PARAM_VALUE``/``PARAM_SET.param_value``).

Two encodings exist. *Byte-wise* (the MAVLink parameter protocol's own, used by PX4 and MAVSDK, announced with
``MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE``): the integer's bytes are put into the float's four bytes, so
INT32 42 travels as the denormal 5.9e-44. *C cast* (ArduPilot, ``..._PARAM_ENCODE_C_CAST``): the integer is
converted to the nearest float, so 42 travels as 42.0.

Which one a vehicle uses is decided, in this order: configured by the caller (from AUTOPILOT_VERSION capabilities,
see :func:`bytewise_from_capabilities`, or the HEARTBEAT autopilot, see :func:`bytewise_from_autopilot`); else
inferred from the first integer-typed value that tells them apart (:func:`infer_bytewise`); else byte-wise, the
protocol's default.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from groundstation.domain.errors import InvalidError
from groundstation.domain.parameters import ParamType

CAPABILITY_PARAM_ENCODE_BYTEWISE = 1 << 4  # MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE
CAPABILITY_PARAM_ENCODE_C_CAST = 1 << 17  # MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_C_CAST
AUTOPILOT_ARDUPILOTMEGA = 3  # MAV_AUTOPILOT_ARDUPILOTMEGA
AUTOPILOT_PX4 = 12  # MAV_AUTOPILOT_PX4

# The struct format of each integer type inside the four bytes (64-bit integers cannot travel in a float field).
_BYTEWISE_FORMATS: dict[ParamType, str] = {
    ParamType.UINT8: "<B3x",
    ParamType.INT8: "<b3x",
    ParamType.UINT16: "<H2x",
    ParamType.INT16: "<h2x",
    ParamType.UINT32: "<I",
    ParamType.INT32: "<i",
}

# Byte-wise floats that carry a small integer are denormals (or zero); a cast float of the same integer is a whole
# number of at least 1: a whole non-zero float below this bound can only be a cast.
_CAST_ONLY_BOUND = 2.0**23


def bytewise_from_capabilities(capabilities: int) -> bool | None:
    """The encoding announced in AUTOPILOT_VERSION.capabilities, or ``None`` when it announces neither."""
    if capabilities & CAPABILITY_PARAM_ENCODE_BYTEWISE:
        return True
    if capabilities & CAPABILITY_PARAM_ENCODE_C_CAST:
        return False
    return None


def bytewise_from_autopilot(autopilot: int) -> bool | None:
    """The encoding known for a HEARTBEAT autopilot: ArduPilot casts, PX4 is byte-wise; others unknown."""
    return {AUTOPILOT_ARDUPILOTMEGA: False, AUTOPILOT_PX4: True}.get(autopilot)


def float32_bytes(value: float) -> bytes:
    return struct.pack("<f", value)


def raw_value_bytes(message: Any) -> bytes:
    """The four bytes of ``param_value`` exactly as they arrived.

    Decoding the field to a Python float and back quiets signalling NaNs, which changes the bits of some negative
    integers sent byte-wise; so when the message still holds its frame, read the bytes from the frame (the float
    is the first field of PARAM_VALUE's payload, after a 10-byte MAVLink 2 or 6-byte MAVLink 1 header).
    """
    frame = message.get_msgbuf() if hasattr(message, "get_msgbuf") else None
    if frame and message.get_type() == "PARAM_VALUE":
        header = 10 if frame[0] == 0xFD else 6
        if len(frame) >= header + 4:
            return bytes(frame[header : header + 4])
    return float32_bytes(float(message.param_value))


def infer_bytewise(raw: bytes, param_type: ParamType) -> bool | None:
    """What one received integer value says of the encoding: ``None`` when both read the same (zero) or it cannot
    tell (huge whole floats, 64-bit types)."""
    if param_type not in _BYTEWISE_FORMATS:
        return None
    as_float = struct.unpack("<f", raw)[0]
    if as_float == 0.0:
        return None
    if not math.isfinite(as_float) or as_float != math.floor(as_float):
        return True
    if abs(as_float) < _CAST_ONLY_BOUND:
        return False
    return None


def decode_value(raw: bytes, param_type: ParamType, *, bytewise: bool) -> float | int:
    """The value of a received ``param_value`` (its four bytes) for its type."""
    as_float: float = struct.unpack("<f", raw)[0]
    if not param_type.is_integer:
        return as_float
    if bytewise and param_type in _BYTEWISE_FORMATS:
        value: int = struct.unpack(_BYTEWISE_FORMATS[param_type], raw)[0]
        return value
    if not math.isfinite(as_float):
        raise InvalidError(f"the vehicle sent {as_float} for an integer parameter ({param_type.name})")
    return int(as_float)


def check_value(value: float | int, param_type: ParamType) -> float | int:
    """The value as the type holds it; refuses fractions for integer types and values out of their range."""
    if not param_type.is_integer:
        return float(value)
    if isinstance(value, float) and not value.is_integer():
        raise InvalidError(f"{value} is not a whole number, and the parameter is {param_type.name}", field="value")
    low, high = param_type.bounds
    number = int(value)
    if not low <= number <= high:
        raise InvalidError(f"{number} is outside {param_type.name}'s range {low}..{high}", field="value")
    return number


def encode_value(value: float | int, param_type: ParamType, *, bytewise: bool) -> float:
    """The float to put into ``PARAM_SET.param_value`` for this value and type."""
    checked = check_value(value, param_type)
    if not param_type.is_integer:
        return float(checked)
    if not bytewise or param_type not in _BYTEWISE_FORMATS:
        return float(checked)
    raw = struct.pack(_BYTEWISE_FORMATS[param_type], int(checked))
    as_float: float = struct.unpack("<f", raw)[0]
    if float32_bytes(as_float) != raw:
        # Only signalling-NaN bit patterns: Python (and so pymavlink) cannot carry them through a float.
        raise InvalidError(
            f"{checked} cannot be sent byte-wise as {param_type.name}: its bytes form a signalling NaN, which the "
            "MAVLink codec alters in transit",
            field="value",
        )
    return as_float


def param_name(message: Any) -> str:
    """``param_id`` as text: pymavlink gives str or bytes depending on version, padded with NULs when short."""
    raw = message.param_id
    text = raw.decode("ascii", errors="replace") if isinstance(raw, bytes | bytearray) else str(raw)
    return text.split("\x00", 1)[0]
